"""The authorization matrix: every route × every role, and cross-company attempts by supervisors."""

from __future__ import annotations

import pytest
from flask import Flask

from engine.queues import TaskQuery
from tests.web.browsing import csrf_token, sign_in
from web.policy import CAPABILITIES, ROUTE_RULES

SUPERVISOR = "per.ahmed@example.no"          # faglig leder, Kunnskapsdepartementet (326048429)
INSTRUCTOR = "william.amundsen@example.no"   # instruktør at the same company
OTHER_SUPERVISOR = "ella.halvorsen@example.no"  # faglig leder, Arbeids- og velferdsdirektoratet (309281896)
USERS = {
    "saksbehandler": "sara.saksbehandler",
    "konsulent": "kari.konsulent",
    "prosesseier": "per.prosesseier",
    "administrator": "anne.admin",
    "faglig_leder": SUPERVISOR,
    "instruktor": INSTRUCTOR,
    "anonymous": None,
}
ROLES_OF = {"saksbehandler": {"saksbehandler"}, "konsulent": {"konsulent"}, "prosesseier": {"prosesseier"},
            "administrator": {"administrator", "saksbehandler", "konsulent"}, "faglig_leder": {"faglig_leder"},
            "instruktor": {"instruktor"}, "anonymous": set()}


def test_every_route_has_a_rule(demo_app: Flask):
    endpoints = {rule.endpoint for rule in demo_app.url_map.iter_rules()}
    assert endpoints - set(ROUTE_RULES) == set(), "routes without an access rule"
    assert set(ROUTE_RULES) - endpoints == set(), "rules for routes that do not exist"
    assert {r for r in ROUTE_RULES.values() if r not in ("public", "signed_in")} <= set(CAPABILITIES)


def _samples(app: Flask) -> dict[str, str]:
    engine = app.extensions["fagflyt.engine"]
    own = engine.queue(TaskQuery(roles=("faglig_leder",), scope="326048429", per_page=5)).rows
    office = engine.queue(TaskQuery(roles=("saksbehandler",), per_page=5)).rows
    consultant = engine.queue(TaskQuery(roles=("konsulent",), per_page=5)).rows
    case_id = office[0].task.case_id
    instance = engine.instances(case_id)[0].id
    return {"own_task": own[0].task.id, "office_task": office[0].task.id, "consultant_task": consultant[0].task.id,
            "case_id": str(case_id), "instance_id": str(instance)}


def _work_task(who: str, samples: dict[str, str]) -> str:
    """A task the user's role works (for roles that work none, any task: the route must refuse them)."""
    return {"konsulent": samples["consultant_task"], "faglig_leder": samples["own_task"],
            "instruktor": samples["own_task"]}.get(who, samples["office_task"])


def _requests(s: dict[str, str], task: str) -> list[tuple[str, str, str]]:
    """(endpoint, method, path) for every route, with objects a user of the route's role may reach."""
    return [
        ("home.health", "GET", "/health"),
        ("auth.login", "GET", "/login"),
        ("home.index", "GET", "/?overview=1"),
        ("assets.vendor", "GET", "/vendor/nothing-here.js"),
        ("static", "GET", "/static/app.css"),
        ("queues.index", "GET", "/queues"),
        ("queues.save_filter", "POST", "/queues/filters"),
        ("queues.delete_filter", "POST", "/queues/filters/999999/delete"),
        ("queues.bulk_assign", "POST", "/queues/assign"),
        ("tasks.my_forms", "GET", "/my-forms"),
        ("tasks.show", "GET", f"/tasks/{task}"),
        ("tasks.submit", "POST", f"/tasks/{task}"),
        ("tasks.claim", "POST", f"/tasks/{task}/claim"),
        ("tasks.unclaim", "POST", f"/tasks/{task}/unclaim"),
        ("tasks.assign", "POST", f"/tasks/{task}/assign"),
        ("cases.show", "GET", f"/cases/{s['case_id']}"),
        ("cases.diagram", "GET", f"/cases/{s['case_id']}/diagram/{s['instance_id']}"),
        ("cases.comment", "POST", f"/cases/{s['case_id']}/comments"),
        ("cases.record", "GET", f"/cases/{s['case_id']}/answers/no.such.answer"),
        ("cases.search", "GET", "/cases/search?q=Kunnskapsdepartementet"),
        ("start.index", "GET", "/start"),
        ("start.form", "GET", "/start/contract"),
        ("processes.index", "GET", "/processes"),
        ("processes.show", "GET", "/processes/contract_signing"),
        ("processes.modeler", "GET", "/processes/contract_signing/modeler"),
        ("processes.xml", "GET", "/processes/contract_signing/xml"),
        ("processes.validate", "POST", "/processes/contract_signing/validate"),
        ("processes.save_draft", "POST", "/processes/contract_signing/draft"),
        ("processes.discard_draft", "POST", "/processes/contract_signing/draft/delete"),
        ("processes.deploy", "POST", "/processes/contract_signing/deploy"),
        ("processes.upload", "POST", "/processes/upload"),
        ("processes.migrate", "GET", f"/processes/contract_signing/migrate?to=1&instance={s['instance_id']}"),
        ("admin.index", "GET", "/admin"),
        ("admin.retry_job", "POST", "/admin/jobs/999999/retry"),
        ("admin.outbox", "GET", "/admin/outbox"),
        ("admin.mail", "GET", "/admin/outbox/999999"),
        ("admin.profile", "GET", "/profile"),
        ("auth.language", "POST", "/language"),
        ("auth.logout", "POST", "/logout"),
    ]


# Routes whose allowed answer is itself a 404 (nothing there) or where only some objects are reachable.
NOT_FOUND_EVEN_IF_ALLOWED = {"assets.vendor", "queues.delete_filter", "cases.record", "admin.mail"}
# Routes whose allowed answer to an empty POST is a 400 (no document sent) — still not a refusal.
EMPTY_POST_IS_BAD_REQUEST = {"processes.validate", "processes.save_draft", "processes.deploy"}


@pytest.mark.parametrize("who", list(USERS))
def test_every_route_for_every_role(demo_app: Flask, who: str):
    client = demo_app.test_client()
    username = USERS[who]
    if username:
        assert sign_in(client, username).status_code == 302
    samples = _samples(demo_app)
    covered = set()
    for endpoint, method, path in _requests(samples, _work_task(who, samples)):
        covered.add(endpoint)
        rule = ROUTE_RULES[endpoint]
        allowed = rule == "public" or (username is not None and (
            rule == "signed_in" or bool(ROLES_OF[who] & CAPABILITIES[rule])))
        token = csrf_token(client) if method == "POST" else None
        response = client.get(path) if method == "GET" else client.post(path, data={"csrf_token": token})
        status = response.status_code
        response.close()
        where = f"{who} {method} {path} -> {status}"
        if allowed and endpoint in EMPTY_POST_IS_BAD_REQUEST:
            assert status == 400, where
        elif allowed:
            if endpoint not in NOT_FOUND_EVEN_IF_ALLOWED:
                assert status not in (401, 403, 404), where
                assert "/login" not in response.headers.get("Location", "") or endpoint == "auth.logout", where
        elif username is None:
            assert status == 302 and "/login" in response.headers["Location"], where
        else:
            assert status == 404, where
    assert covered == set(ROUTE_RULES), "the matrix must cover every route"


def test_supervisor_cannot_reach_another_company(demo_app: Flask):
    engine = demo_app.extensions["fagflyt.engine"]
    other = engine.queue(TaskQuery(roles=("faglig_leder",), scope="309281896", per_page=5)).rows
    assert other, "the demo has tasks for the other company"
    client = demo_app.test_client()
    sign_in(client, SUPERVISOR)
    for row in other:
        assert client.get(f"/tasks/{row.task.id}").status_code == 404
        token = csrf_token(client)
        assert client.post(f"/tasks/{row.task.id}", data={"csrf_token": token}).status_code == 404
        assert client.get(f"/cases/{row.task.case_id}").status_code == 404
    page = client.get("/my-forms").get_data(as_text=True)
    for row in other:
        assert row.task.id not in page
    assert "309281896" not in page


def test_supervisor_sees_only_own_company_in_my_forms(demo_app: Flask):
    engine = demo_app.extensions["fagflyt.engine"]
    own = engine.queue(TaskQuery(roles=("faglig_leder",), scope="326048429", per_page=50)).rows
    client = demo_app.test_client()
    sign_in(client, SUPERVISOR)
    page = client.get("/my-forms").get_data(as_text=True)
    assert own and all(row.task.id in page for row in own)
    everyone = engine.queue(TaskQuery(roles=("faglig_leder",), per_page=100)).rows
    foreign = [r for r in everyone if r.task.scope != "326048429"]
    assert foreign and not any(r.task.id in page for r in foreign)


def test_office_task_is_hidden_from_supervisors(demo_app: Flask):
    samples = _samples(demo_app)
    client = demo_app.test_client()
    sign_in(client, SUPERVISOR)
    assert client.get(f"/tasks/{samples['office_task']}").status_code == 404
    assert client.get("/tasks/00000000-0000-0000-0000-000000000000").status_code == 404
