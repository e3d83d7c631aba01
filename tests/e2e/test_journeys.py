"""Journeys in a real browser: a case handler drafts a contract and claims tasks, a supervisor completes a
half-year evaluation from "my forms", a case handler sees it on the case page with the diagram drawn; and
an axe-core check of every main page."""

from __future__ import annotations

import random
import re
from datetime import date, timedelta
from typing import Any

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from engine.queues import TaskQuery
from tests.e2e.conftest import describe, serious_violations, sign_in
from tests.web.demo import TODAY
from workflows.demo.identity import synthetic_fnr
from workflows.records import CompanyContact, MemberCompany, TradeApproval

pytestmark = pytest.mark.e2e
SUPERVISOR = "per.ahmed@example.no"
SUPERVISOR_ORGNR = "326048429"
APPRENTICE_SURNAME = "Nettlesersen"


def fill_form(page: Any, data: dict[str, Any]) -> None:
    """Fill a generated form the way a user does: type, pick, tick."""
    for name, value in data.items():
        fields = page.locator(f'#task-form [name="{name}"]')
        kind = fields.first.evaluate("e => e.tagName.toLowerCase() + ':' + (e.type || '')")
        if kind.startswith("select"):
            fields.first.select_option(str(value))
        elif kind.endswith(":radio"):
            page.check(f'#task-form [name="{name}"][value="{value}"]')
        elif kind.endswith(":checkbox") and fields.count() > 1:
            for item in value:
                page.check(f'#task-form [name="{name}"][value="{item}"]')
        elif kind.endswith(":checkbox"):
            fields.first.set_checked(bool(value))
        else:
            fields.first.fill(str(value))


def _placement(app) -> tuple[str, str]:  # type: ignore[no-untyped-def]
    with Session(app.extensions["fagflyt.engine"].db.engine) as s:
        return tuple(s.execute(
            select(MemberCompany.orgnr, CompanyContact.email)
            .join(TradeApproval, TradeApproval.company_id == MemberCompany.id)
            .join(CompanyContact, CompanyContact.company_id == MemberCompany.id)
            .where(TradeApproval.trade_code == "SOA03-01", TradeApproval.status == "approved",
                   CompanyContact.role == "faglig_leder", MemberCompany.membership_status == "active")
            .order_by(MemberCompany.id)).first())


def test_case_handler_drafts_a_contract_and_claims_a_task(live_app, base_url, page):
    engine = live_app.extensions["fagflyt.engine"]
    sign_in(page, base_url, "sara.saksbehandler")
    page.goto(f"{base_url}/start")
    page.click("form[action='/start/contract'] button")
    page.wait_for_selector("#task-form")
    assert re.search(r"/tasks/[0-9a-f-]{36}$", page.url)
    orgnr, leader_email = _placement(live_app)
    start = TODAY + timedelta(days=11)
    fill_form(page, {
        "contract_type": "laerekontrakt", "trade": "SOA03-01",
        "apprentice_fnr": synthetic_fnr(date(TODAY.year - 19, 3, 14), random.Random(7)),
        "apprentice_first_name": "Tiril", "apprentice_last_name": APPRENTICE_SURNAME,
        "apprentice_mobile": "91234567", "apprentice_email": "tiril.nettlesersen@example.no",
        "apprentice_address": "Storgata 1, 0155 Oslo",
        "company_orgnr": orgnr, "faglig_leder_name": "Per Hansen", "faglig_leder_birth_date": "1975-03-14",
        "faglig_leder_email": leader_email, "start_date": start.isoformat(),
        "end_date": (start + timedelta(days=730)).isoformat(), "training_model": "model_2_2",
        "probation_months": 6, "credit_months": 0, "employment_contract_ref": "AA-2026-17",
        "responsibilities": "Bedriften gir opplæringen; kontoret følger opp."})
    page.click("#task-form button[type=submit]")
    page.wait_for_selector("#task-done")
    # what happens next: the signature tasks (the apprentice is 19, so no guardian step)
    links = page.locator("#next-tasks a[href^='/tasks/']")
    hrefs = links.evaluate_all("links => links.map(a => a.getAttribute('href'))")
    next_ids = [href.removeprefix("/tasks/") for href in hrefs]
    next_forms = {engine.task(task_id).form_key for task_id in next_ids}
    assert {"contract.sign_apprentice", "contract.sign_office"} <= next_forms, next_forms
    assert all(key.startswith("contract.sign_") for key in next_forms), next_forms
    office_sign = next(t for t in next_ids if engine.task(t).form_key == "contract.sign_office")
    # the queue, searched by the apprentice's name: claim the office's signature and see it held by Sara
    page.goto(f"{base_url}/queues?q={APPRENTICE_SURNAME}")
    row = page.locator(f"#task-{office_sign}")
    assert row.locator("td").nth(7).inner_text().strip() == "—"
    row.locator(f"button[formaction='/tasks/{office_sign}/claim']").click()
    page.wait_for_selector(f"#task-{office_sign} button[formaction='/tasks/{office_sign}/unclaim']")
    assert page.locator(f"#task-{office_sign} td").nth(7).inner_text().strip() == "sara.saksbehandler"
    assert engine.task(office_sign).assignee == "sara.saksbehandler"
    page.goto(f"{base_url}/queues?holder=me")
    assert page.locator(f"#task-{office_sign}").count() == 1


def test_supervisor_evaluation_seen_by_case_handler_with_diagram(live_app, base_url, new_page):
    supervisor = new_page()
    sign_in(supervisor, base_url, SUPERVISOR)
    assert supervisor.url.endswith("/my-forms")
    engine = live_app.extensions["fagflyt.engine"]
    rows = engine.queue(TaskQuery(roles=("faglig_leder",), scope=SUPERVISOR_ORGNR, per_page=20)).rows
    task = next(r.task for r in rows if r.task.form_key == "followup.evaluation")
    supervisor.click(f"a[href='/tasks/{task.id}']")
    supervisor.wait_for_selector("#task-form")
    fill_form(supervisor, {
        "meeting_date": TODAY.isoformat(), "participants": ["apprentice", "faglig_leder", "instructor"],
        **{f"{area}_status": "partly" for area in ("planning", "execution", "documentation", "hms_quality",
                                                   "cooperation")},
        "mastered": "Kundebehandling i fagsystemet", "goals_next": "Mer selvstendig arbeid", "absence_days": 1,
        "signed_faglig_leder": True, "signed_instructor": True, "signed_apprentice": True})
    supervisor.click("#task-form button[type=submit]")
    supervisor.wait_for_selector("#task-done")
    assert engine.task(task.id).state == "completed"

    handler = new_page()
    sign_in(handler, base_url, "sara.saksbehandler")
    handler.goto(f"{base_url}/cases/{task.case_id}")
    # the submitted evaluation is in the history, with its labels, behind "show what was submitted"
    submitted = handler.locator(".app-history-item", has_text=task.title).locator(
        "details", has_text="Kundebehandling i fagsystemet")
    assert submitted.count() == 1
    submitted.locator("summary").click()
    submitted.locator("dd", has_text="Kundebehandling i fagsystemet").wait_for(state="visible")
    handler.wait_for_selector(".app-diagram[data-drawn='yes']")
    assert handler.locator(".app-diagram .djs-element.app-done").count() > 0


def test_invalid_submit_shows_field_errors_and_completes_nothing(live_app, base_url, new_page):
    page = new_page()
    sign_in(page, base_url, SUPERVISOR)
    engine = live_app.extensions["fagflyt.engine"]
    rows = engine.queue(TaskQuery(roles=("faglig_leder",), scope=SUPERVISOR_ORGNR, per_page=20)).rows
    task = next(r.task for r in rows if r.task.form_key == "followup.evaluation")
    page.goto(f"{base_url}/tasks/{task.id}")
    fill_form(page, {"meeting_date": (TODAY + timedelta(days=30)).isoformat()})
    page.click("#task-form button[type=submit]")
    page.wait_for_selector("#error-summary")
    assert page.locator(".ds-validation-message").count() >= 2
    assert page.locator("#meeting_date[aria-invalid='true']").count() == 1
    assert engine.task(task.id).state == "ready"


MAIN_PAGES = [
    ("anonymous", "/login"),
    ("sara.saksbehandler", "/queues"),
    ("sara.saksbehandler", "/start"),
    ("sara.saksbehandler", "/cases/search?q=Kunnskapsdepartementet"),
    ("sara.saksbehandler", "CASE"),
    ("sara.saksbehandler", "TASK"),
    (SUPERVISOR, "/my-forms"),
    (SUPERVISOR, "SUPERVISOR_TASK"),
    ("per.prosesseier", "/?overview=1"),
]


@pytest.mark.parametrize(("who", "path"), MAIN_PAGES)
def test_main_pages_have_no_serious_accessibility_violations(live_app, base_url, new_page, who, path):
    engine = live_app.extensions["fagflyt.engine"]
    if path == "CASE":
        path = f"/cases/{engine.queue(TaskQuery(roles=('saksbehandler',), per_page=1)).rows[0].task.case_id}"
    elif path == "TASK":
        path = f"/tasks/{engine.queue(TaskQuery(roles=('saksbehandler',), per_page=1)).rows[0].task.id}"
    elif path == "SUPERVISOR_TASK":
        rows = engine.queue(TaskQuery(roles=("faglig_leder",), scope=SUPERVISOR_ORGNR, per_page=1)).rows
        path = f"/tasks/{rows[0].task.id}"
    page = new_page()
    if who != "anonymous":
        sign_in(page, base_url, who)
    page.goto(f"{base_url}{path}")
    page.wait_for_load_state("networkidle")
    if page.locator(".app-diagram").count():
        page.wait_for_selector(".app-diagram[data-drawn='yes']")
    violations = serious_violations(page, base_url)
    assert not violations, describe(violations)


def test_accessibility_check_reports_a_serious_violation(base_url, page):
    """The axe helper is not vacuous: a nameless button on the login page is reported."""
    page.goto(f"{base_url}/login")
    page.evaluate("() => document.querySelector('main').append(document.createElement('button'))")
    assert "button-name" in {v["id"] for v in serious_violations(page, base_url)}
