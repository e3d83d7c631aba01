"""Each screen for the role that uses it, through the test client: queues, task screen, case page, start."""

from __future__ import annotations

import re

from flask import Flask
from sqlalchemy.orm import Session

from engine.queues import TaskQuery
from tests.web.browsing import csrf_token, post, sign_in, text
from tests.web.demo import TODAY
from workflows.accounts import save_account
from workflows.records import UserAccount

SUPERVISOR = "per.ahmed@example.no"


def _client(app: Flask, username: str):  # type: ignore[no-untyped-def]
    client = app.test_client()
    assert sign_in(client, username).status_code == 302
    return client


def _engine(app: Flask):  # type: ignore[no-untyped-def]
    return app.extensions["fagflyt.engine"]


def test_sign_in_lands_each_role_on_its_work(demo_app: Flask):
    assert _client(demo_app, "sara.saksbehandler").get("/").headers["Location"].endswith("/queues")
    assert _client(demo_app, SUPERVISOR).get("/").headers["Location"].endswith("/my-forms")
    assert _client(demo_app, "per.prosesseier").get("/").status_code == 200


def test_wrong_password_is_refused_and_locks_after_five(demo_app: Flask):
    client = demo_app.test_client()
    for _ in range(4):
        assert sign_in(client, "sara.saksbehandler", "wrong-password").status_code == 401
    locked = sign_in(client, "sara.saksbehandler", "wrong-password")
    assert locked.status_code == 401 and "15" in text(locked)
    # even the right password is refused while locked
    assert sign_in(client, "sara.saksbehandler").status_code == 401
    assert client.get("/queues").status_code == 302


def test_login_without_csrf_token_is_refused(demo_app: Flask):
    client = demo_app.test_client()
    response = client.post("/login", data={"username": "sara.saksbehandler", "password": "fagflyt-demo"})
    assert response.status_code == 400
    assert client.get("/queues").status_code == 302


def test_queue_lists_counts_filters_and_masks_ids(demo_app: Flask):
    client = _client(demo_app, "sara.saksbehandler")
    engine = _engine(demo_app)
    expected = engine.queue(TaskQuery(roles=("saksbehandler",), per_page=100))
    page = text(client.get("/queues"))
    assert f"{expected.total}" in page
    first = expected.rows[0]
    assert first.task.id in page
    fnr = first.summary.get("apprentice_fnr")
    if fnr:
        assert fnr not in page and fnr[:6] + "*****" in page
    # a filter on trade narrows to that trade's tasks only (htmx asks for the results alone)
    trade = first.summary["trade"]
    partial = client.get(f"/queues?trade={trade}", headers={"HX-Request": "true", "HX-Target": "queue-results"})
    body = text(partial)
    assert "<html" not in body
    wanted = engine.queue(TaskQuery(roles=("saksbehandler",), fields=(("trade", trade),), per_page=100))
    assert {r.task.id for r in wanted.rows} == set(re.findall(r'id="task-([0-9a-f-]{36})"', body))


def test_queue_search_by_case_number(demo_app: Flask):
    client = _client(demo_app, "sara.saksbehandler")
    row = _engine(demo_app).queue(TaskQuery(roles=("saksbehandler",), per_page=1)).rows[0]
    body = text(client.get(f"/queues?q={row.case_number}"))
    assert set(re.findall(r'id="task-([0-9a-f-]{36})"', body)) == {
        t.id for t in _engine(demo_app).ready_tasks(case_id=row.task.case_id, roles=["saksbehandler"])}


def test_claim_unclaim_and_assign(demo_app: Flask):
    client = _client(demo_app, "sara.saksbehandler")
    engine = _engine(demo_app)
    task = engine.queue(TaskQuery(roles=("saksbehandler",), unassigned=True, per_page=1)).rows[0].task
    assert post(client, f"/tasks/{task.id}/claim").status_code == 302
    assert engine.task(task.id).assignee == "sara.saksbehandler"
    assert post(client, f"/tasks/{task.id}/assign", {"assignee": "anne.admin"}).status_code == 302
    assert engine.task(task.id).assignee == "anne.admin"
    # assigning to someone who does not work the queue changes nothing
    post(client, f"/tasks/{task.id}/assign", {"assignee": "per.prosesseier"})
    assert engine.task(task.id).assignee == "anne.admin"
    # Sara cannot submit a task Anne holds: told plainly, nothing saved
    page = text(client.get(f"/tasks/{task.id}"))
    assert "anne.admin" in page


def test_saved_filter_is_shared_with_the_office(demo_app: Flask):
    sara = _client(demo_app, "sara.saksbehandler")
    post(sara, "/queues/filters", {"name": "Forfalte IKT", "shared": "on", "role": "saksbehandler", "due": "overdue"})
    anne = _client(demo_app, "anne.admin")
    page = text(anne.get("/queues"))
    assert "Forfalte IKT" in page and "due=overdue" in page


def _evaluation_task(app: Flask):  # type: ignore[no-untyped-def]
    rows = _engine(app).queue(TaskQuery(roles=("faglig_leder",), scope="326048429", per_page=10)).rows
    return next(r.task for r in rows if r.task.form_key == "followup.evaluation")


def _evaluation(**changes: object) -> dict[str, object]:
    data = {"period": "m03", "meeting_date": TODAY.isoformat(),
            "participants": ["apprentice", "faglig_leder", "instructor"],
            **{f"{area}_status": "partly" for area in ("planning", "execution", "documentation", "hms_quality",
                                                       "cooperation")},
            "mastered": "Kundebehandling", "goals_next": "Mer selvstendig arbeid", "absence_days": "1",
            "signed_faglig_leder": "y", "signed_instructor": "y", "signed_apprentice": "y"}
    data.update(changes)
    return data


def test_task_screen_shows_form_and_facts(demo_app: Flask):
    client = _client(demo_app, SUPERVISOR)
    task = _evaluation_task(demo_app)
    page = text(client.get(f"/tasks/{task.id}"))
    assert 'id="task-form"' in page and 'name="meeting_date"' in page
    facts = _engine(demo_app).case(task.case_id).summary
    assert facts["apprentice_name"] in page


def test_invalid_submit_shows_field_errors_and_changes_nothing(demo_app: Flask):
    client = _client(demo_app, SUPERVISOR)
    task = _evaluation_task(demo_app)
    response = post(client, f"/tasks/{task.id}", {"meeting_date": "2999-01-01"}, form_page=f"/tasks/{task.id}")
    assert response.status_code == 422
    body = text(response)
    assert 'class="ds-validation-message"' in body and 'id="error-summary"' in body
    assert _engine(demo_app).task(task.id).state == "ready"


def test_english_errors_when_english_is_chosen(demo_app: Flask):
    client = _client(demo_app, SUPERVISOR)
    post(client, "/language", {"locale": "en", "next": "/my-forms"})
    task = _evaluation_task(demo_app)
    body = text(post(client, f"/tasks/{task.id}", {}, form_page=f"/tasks/{task.id}"))
    assert 'lang="en"' in body and "Half-year evaluation" in body


def test_supervisor_completes_evaluation_and_sees_what_next(demo_app: Flask):
    client = _client(demo_app, SUPERVISOR)
    task = _evaluation_task(demo_app)
    form = text(client.get(f"/tasks/{task.id}"))
    period = re.search(r'<option selected value="(m\d\d|extra)"', form)
    assert period, "the period is prefilled from the process"
    data = _evaluation(period=period.group(1))
    response = post(client, f"/tasks/{task.id}", data, form_page=f"/tasks/{task.id}")
    assert response.status_code == 302, text(response)[:3000]
    assert _engine(demo_app).task(task.id).state == "completed"
    done = text(client.get(f"/tasks/{task.id}"))
    assert 'id="task-done"' in done and 'id="next-tasks"' in done
    # the case handler sees it in the case history with its labels
    sara = _client(demo_app, "sara.saksbehandler")
    case_page = text(sara.get(f"/cases/{task.case_id}"))
    assert task.title in case_page and "data-diagram-url" in case_page


def test_second_submit_of_a_completed_task_says_who_did_it(demo_app: Flask):
    engine = _engine(demo_app)
    task = engine.queue(TaskQuery(roles=("konsulent",), per_page=50)).rows
    task = next(r.task for r in task if r.task.form_key == "followup.escalation")
    kari = _client(demo_app, "kari.konsulent")
    anne = _client(demo_app, "anne.admin")
    page_for_kari = text(kari.get(f"/tasks/{task.id}"))
    token_kari = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', page_for_kari).group(1)
    token_anne = csrf_token(anne, f"/tasks/{task.id}")
    data = {"action_taken": "evaluation_received", "note": "Vurderingen er mottatt"}
    first = anne.post(f"/tasks/{task.id}", data={"csrf_token": token_anne, **data})
    if first.status_code != 302:  # fall back to whatever the escalation form needs
        raise AssertionError(text(first)[:2000])
    second = kari.post(f"/tasks/{task.id}", data={"csrf_token": token_kari, **data})
    assert second.status_code == 409
    assert "anne.admin" in text(second)


def test_case_page_diagram_marks_done_and_active(demo_app: Flask):
    engine = _engine(demo_app)
    row = engine.queue(TaskQuery(roles=("saksbehandler",), per_page=1)).rows[0]
    client = _client(demo_app, "sara.saksbehandler")
    instance = engine.instances(row.task.case_id)[0]
    diagram = client.get(f"/cases/{row.task.case_id}/diagram/{instance.id}").get_json()
    assert diagram["xml"].lstrip().startswith("<?xml") or "<bpmn:definitions" in diagram["xml"]
    assert diagram["active"] and diagram["completed"]
    assert not set(diagram["active"]) & set(diagram["completed"])


def test_comment_is_added_to_history(demo_app: Flask):
    engine = _engine(demo_app)
    case_id = engine.queue(TaskQuery(roles=("saksbehandler",), per_page=1)).rows[0].task.case_id
    client = _client(demo_app, "sara.saksbehandler")
    assert post(client, f"/cases/{case_id}/comments", {"text": "Ringte lærlingen <b>i dag</b>."}).status_code == 302
    page = text(client.get(f"/cases/{case_id}"))
    assert "Ringte lærlingen &lt;b&gt;i dag&lt;/b&gt;." in page
    assert post(client, f"/cases/{case_id}/comments", {"text": "   "}).status_code == 302
    assert [h.action for h in engine.history(case_id)].count("comment") == 1


def test_start_contract_opens_the_draft_claimed(demo_app: Flask):
    client = _client(demo_app, "sara.saksbehandler")
    response = post(client, "/start/contract")
    assert response.status_code == 302 and "/tasks/" in response.headers["Location"]
    task_id = response.headers["Location"].rsplit("/", 1)[1]
    task = _engine(demo_app).task(task_id)
    assert task.form_key == "contract.draft" and task.assignee == "sara.saksbehandler"


def test_concern_from_a_case_starts_conflict_handling(demo_app: Flask):
    engine = _engine(demo_app)
    row = next(r for r in engine.queue(TaskQuery(roles=("faglig_leder",), per_page=100)).rows
               if r.task.form_key == "followup.evaluation")
    client = _client(demo_app, "kari.konsulent")
    form_page = f"/start/concern?case={row.task.case_id}"
    assert client.get(form_page).status_code == 200
    bad = post(client, form_page, {"category": "cooperation"}, form_page=form_page)
    assert bad.status_code == 422
    good = post(client, form_page, {"category": "cooperation", "description": "Uenighet om arbeidstid.",
                                    "raised_by": "company", "raised_on": TODAY.isoformat()}, form_page=form_page)
    assert good.status_code == 302, text(good)[:2000]
    assert any(i.process_key == "conflict_handling" for i in engine.instances(row.task.case_id))


def test_case_search_finds_by_orgnr_and_masks_ids(demo_app: Flask):
    client = _client(demo_app, "sara.saksbehandler")
    page = text(client.get("/cases/search?q=326048429"))
    assert "Kunnskapsdepartementet" in page
    assert not re.search(r"\b\d{11}\b", page)


def test_sign_in_attempts_per_address_are_throttled(demo_app: Flask):
    client = demo_app.test_client()
    throttle = demo_app.extensions["fagflyt.login_throttle"]
    throttle.limit = 3
    for _ in range(3):
        assert sign_in(client, "nobody", "wrong-password-123").status_code == 401
    blocked = sign_in(client, "sara.saksbehandler")
    assert blocked.status_code == 429
    assert client.get("/queues").status_code == 302


def test_sign_in_never_redirects_off_site(demo_app: Flask):
    client = demo_app.test_client()
    token = csrf_token(client)
    response = client.post("/login?next=//evil.example/x", data={
        "username": "sara.saksbehandler", "password": "fagflyt-demo", "csrf_token": token})
    assert response.status_code == 302 and response.headers["Location"] == "/"


def test_session_cookie_is_http_only_and_password_change_ends_sessions(demo_app: Flask):
    client = demo_app.test_client()
    response = sign_in(client, "kari.konsulent")
    cookie = response.headers["Set-Cookie"]
    assert "HttpOnly" in cookie and "SameSite=Lax" in cookie
    assert client.get("/queues").status_code == 200
    with Session(_engine(demo_app).db.engine) as s:
        account = s.query(UserAccount).filter_by(username="kari.konsulent").one()
        save_account(s, account.username, display_name=account.display_name, roles=account.roles,
                     password="a-brand-new-secret")
        s.commit()
    assert client.get("/queues").status_code == 302
