"""Every path of membership onboarding (innmelding av lærebedrift), through the engine, with real forms."""

from __future__ import annotations

import random
from uuid import UUID

import pytest
from sqlalchemy import func, select

from tests.engine.conftest import assert_roundtrip
from tests.workflows.process_driver import TODAY
from workflows.demo.identity import generated_orgnr
from workflows.records import CompanyContact, MemberCompany, Person, TradeApproval

DAY = TODAY.isoformat()


def _lead(orgnr: str, trades: list[str], **changes) -> dict:
    data = {"orgnr": orgnr, "company_name": "Nordlys Regnskap AS", "address": "Storgata 1, 0155 Oslo",
            "municipality": "Oslo", "county": "03", "sector": "private", "contact_name": "Eva Li",
            "contact_email": "eva.li@example.no", "contact_phone": "91234567", "trades": trades, "places": 2,
            "note": "Besøk 3. august"}
    data.update(changes)
    return data


def _capacity(trade: str, decision: str = "continue") -> dict:
    if decision == "declines":
        return {"trade": trade, "company_decision": "declines", "decline_reason": "Har ikke kapasitet i år"}
    return {"trade": trade, "company_decision": "continue", "covers_curriculum": True,
            "faglig_leder_name": "Mona Berg", "faglig_leder_email": "Mona.Berg@example.no",
            "faglig_leder_phone": "92345678", "instructor_names": "Ali Khan\nSiri Dahl\n", "instructor_count": 2}


def _assess(driver, case_id: int, decisions: dict[str, str]) -> None:
    """Answer each open capacity task for the trade it was created for (its `capacity_trade`)."""
    tasks = [t for t in driver.engine.ready_tasks(case_id=case_id) if t.form_key == "onboarding.capacity"]
    assert len(tasks) == len(decisions)
    for task in tasks:
        wf = driver.engine.workflow(task.instance_id)
        trade = wf.get_task_from_id(UUID(task.id)).data["capacity_trade"]
        cleaned = driver.clean("onboarding.capacity", _capacity(trade, decisions[trade]))
        driver.engine.complete_task(task.id, {"onboarding_capacity": cleaned}, "kari")
        assert_roundtrip(driver.engine, case_id)


def _start(driver, trades: list[str], orgnr: str | None = None) -> tuple[int, str]:
    orgnr = orgnr or generated_orgnr(random.Random(len(trades) * 31 + 7))
    case = driver.start("membership_onboarding", actor="kari")
    driver.submit(case.case_id, "onboarding.lead", _lead(orgnr, trades), actor="kari")
    return case.case_id, orgnr


def _to_county(driver, case_id: int, trades: list[str]) -> None:
    """Company and office sign, the company is registered in Vigo, the application goes to the county."""
    driver.submit(case_id, "onboarding.agreement_company", {
        "company_decision": "signed", "signer_name": "Mona Berg", "signed_on": DAY, "duties_accepted": True,
        "document_ref": "ARK-2026/77"})
    driver.submit(case_id, "onboarding.agreement_office", {
        "signer_name": "Leder OK stat", "signed_on": DAY, "document_ref": "ARK-2026/77"})
    driver.submit(case_id, "onboarding.vigo_registration", {"vigo_id": "VB-4411", "registered_on": DAY})
    driver.submit(case_id, "onboarding.county_application", {
        "county": "03", "trades": trades, "sent_on": DAY, "check_address_in_county": True,
        "check_instructor": True, "check_faglig_leder": True, "check_agreement_attached": True})


def _approvals(driver, orgnr: str) -> dict[str, tuple[str, str | None]]:
    with driver.session() as s:
        rows = s.execute(select(TradeApproval.trade_code, TradeApproval.status, TradeApproval.decision_ref)
                         .join(MemberCompany).where(MemberCompany.orgnr == orgnr))
        return {code: (status, ref) for code, status, ref in rows}


def _facts(driver, case_id: int) -> dict:
    return driver.engine.workflow(driver.engine.instances(case_id)[0].id).last_task.data["case_facts"]


def test_new_company_becomes_an_active_member(office):
    case_id, orgnr = _start(office, ["SOA03-01", "ITD03-01"])
    company = office.one(MemberCompany, orgnr=orgnr)
    assert (company.membership_status, company.postal_code, company.postal_place) == ("lead", "0155", "Oslo")
    assert office.open_titles(case_id) == ["Vurder opplæringskapasiteten i lærefaget"] * 2
    facts = _facts(office, case_id)
    assert (facts["company_name"], facts["county"], facts["trades"]) == (
        "Nordlys Regnskap AS", "03", ["SOA03-01", "ITD03-01"])
    _assess(office, case_id, {"SOA03-01": "continue", "ITD03-01": "continue"})
    leader = office.one(CompanyContact, company_id=company.id, role="faglig_leder")
    assert (leader.email, sorted(leader.trades)) == ("mona.berg@example.no", ["ITD03-01", "SOA03-01"])
    with office.session() as s:
        assert s.scalar(select(func.count()).select_from(CompanyContact).where(
            CompanyContact.company_id == company.id, CompanyContact.role == "instructor")) == 2
    task = office.task(case_id, "onboarding.agreement_company")
    assert (task.role, task.scope, task.lane) == ("faglig_leder", orgnr, "Lærebedrift")
    _to_county(office, case_id, ["SOA03-01", "ITD03-01"])
    company = office.one(MemberCompany, orgnr=orgnr)
    assert (company.membership_status, company.agreement_signed_on) == ("onboarding", TODAY)
    assert _approvals(office, orgnr) == {"SOA03-01": ("applied", None), "ITD03-01": ("applied", None)}
    assert office.engine.case(case_id).current_step == "⏳ Fylkeskommunens vedtak"
    office.record(case_id, "onboarding.county_decision", {
        "decision": "approved", "decided_on": DAY, "reference": "FK-2026/501",
        "approved_trades": ["SOA03-01", "ITD03-01"]})
    assert _approvals(office, orgnr) == {"SOA03-01": ("approved", "FK-2026/501"),
                                         "ITD03-01": ("approved", "FK-2026/501")}
    with office.session() as s:  # what contract signing's pre-check asks
        assert s.scalars(select(MemberCompany).where(MemberCompany.orgnr == orgnr)).one().is_approved_in("SOA03-01")
    assert office.open_titles(case_id) == ["Oppstartskurs og opplæringsplan"]
    office.submit(case_id, "onboarding.courses", {"faglig_leder_course_on": DAY, "training_plan_ready": True})
    assert office.one(CompanyContact, company_id=company.id, role="faglig_leder").course_completed_on == TODAY
    assert office.one(MemberCompany, orgnr=orgnr).membership_status == "active"
    case = office.engine.case(case_id)
    assert case.status == "closed"
    assert (case.summary["company_orgnr"], case.summary["status"], case.summary["outcome"]) == (
        orgnr, "active", "active")
    assert "process_completed" in office.history(case_id)


def test_company_declines_after_the_capacity_assessment(office):
    case_id, orgnr = _start(office, ["SOA03-01"])
    _assess(office, case_id, {"SOA03-01": "declines"})
    company = office.one(MemberCompany, orgnr=orgnr)
    assert company.membership_status == "declined"
    with office.session() as s:
        assert s.scalar(select(func.count()).select_from(CompanyContact)
                        .where(CompanyContact.company_id == company.id)) == 0
    case = office.engine.case(case_id)
    assert (case.status, case.summary["outcome"]) == ("closed", "declined")
    assert _approvals(office, orgnr) == {}


def test_a_declined_trade_is_dropped_and_the_rest_goes_on(office):
    case_id, orgnr = _start(office, ["SOA03-01", "ITD03-01"])
    _assess(office, case_id, {"SOA03-01": "continue", "ITD03-01": "declines"})
    facts = _facts(office, case_id)
    assert (facts["trades"], facts["declined_trades"]) == (["SOA03-01"], ["ITD03-01"])
    assert office.one(CompanyContact, role="faglig_leder", email="mona.berg@example.no").trades == ["SOA03-01"]
    assert office.open_titles(case_id) == ["Signer samarbeidsavtalen for bedriften"]


def test_company_withdraws_instead_of_signing(office):
    case_id, orgnr = _start(office, ["SOA03-01"])
    _assess(office, case_id, {"SOA03-01": "continue"})
    office.submit(case_id, "onboarding.agreement_company",
                  {"company_decision": "withdraws", "withdraw_reason": "Ny daglig leder vil vente"})
    company = office.one(MemberCompany, orgnr=orgnr)
    assert (company.membership_status, company.agreement_signed_on) == ("withdrawn", None)
    case = office.engine.case(case_id)
    assert (case.status, case.summary["outcome"]) == ("closed", "withdrawn")
    assert office.engine.ready_tasks(case_id=case_id) == []


def test_agreement_reminder_on_day_14_does_not_interrupt(office):
    case_id, orgnr = _start(office, ["SOA03-01"])
    _assess(office, case_id, {"SOA03-01": "continue"})
    assert office.advance(days=13, hours=23) == 0
    assert office.advance(hours=1, minutes=1) == 1  # just past day 14 (the engine's clock is 08:00)
    fired = [h.detail for h in office.engine.history(case_id) if h.action == "timer_fired"]
    assert fired == ["Påminnelse dag 14"]
    wf = office.engine.workflow(office.engine.instances(case_id)[0].id)
    reminder = next(t for t in wf.get_tasks() if t.task_spec.name == "mo_remind").data["agreement_reminder"]
    assert (reminder["subject"], reminder["case_id"]) == ("onboarding.agreement", case_id)
    assert office.open_titles(case_id) == ["Signer samarbeidsavtalen for bedriften"]
    assert office.advance(days=30) == 0  # one reminder only
    _to_county(office, case_id, ["SOA03-01"])
    assert office.one(MemberCompany, orgnr=orgnr).membership_status == "onboarding"


def test_county_rejects_the_company(office):
    case_id, orgnr = _start(office, ["SOA03-01", "ITD03-01"])
    _assess(office, case_id, {"SOA03-01": "continue", "ITD03-01": "continue"})
    _to_county(office, case_id, ["SOA03-01", "ITD03-01"])
    office.record(case_id, "onboarding.county_decision", {
        "decision": "rejected", "decided_on": DAY, "reference": "FK-2026/502",
        "reason": "Mangler adresse i fylket"})
    assert _approvals(office, orgnr) == {"SOA03-01": ("rejected", "FK-2026/502"),
                                         "ITD03-01": ("rejected", "FK-2026/502")}
    assert office.one(MemberCompany, orgnr=orgnr).membership_status == "rejected"
    case = office.engine.case(case_id)
    assert (case.status, case.summary["outcome"]) == ("closed", "rejected")


def test_county_approves_only_some_trades(office):
    case_id, orgnr = _start(office, ["SOA03-01", "ITD03-01"])
    _assess(office, case_id, {"SOA03-01": "continue", "ITD03-01": "continue"})
    _to_county(office, case_id, ["SOA03-01", "ITD03-01"])
    office.record(case_id, "onboarding.county_decision", {
        "decision": "approved", "decided_on": DAY, "reference": "FK-2026/503", "approved_trades": ["SOA03-01"]})
    assert _approvals(office, orgnr) == {"SOA03-01": ("approved", "FK-2026/503"),
                                         "ITD03-01": ("rejected", "FK-2026/503")}
    assert office.one(MemberCompany, orgnr=orgnr).membership_status == "active"


def test_a_lead_for_a_known_company_finds_it(office):
    orgnr = generated_orgnr(random.Random(99))
    first, _ = _start(office, ["SOA03-01"], orgnr)
    _assess(office, first, {"SOA03-01": "declines"})
    second, _ = _start(office, ["SOA03-01"], orgnr)
    company = office.one(MemberCompany, orgnr=orgnr)  # one row, not two
    assert company.membership_status == "lead"  # a declined company that comes back is a lead again
    assert _facts(office, second)["company_id"] == company.id
    _assess(office, second, {"SOA03-01": "continue"})
    assert office.one(Person, email="mona.berg@example.no").full_name == "Mona Berg"  # one person


def test_an_active_member_adding_a_trade_stays_active_when_rejected(office):
    with office.session() as s:
        member = s.scalars(select(MemberCompany).where(MemberCompany.membership_status == "active")
                           .order_by(MemberCompany.id)).first()
        before = {a.trade_code: a.status for a in member.trade_approvals}
        orgnr, county, name = member.orgnr, member.county_number, member.name
    new_trade = next(t for t in ("SIK03-01", "HEA03-01", "LAB03-01") if t not in before)
    case = office.start("membership_onboarding", actor="kari")
    office.submit(case.case_id, "onboarding.lead",
                  _lead(orgnr, [new_trade], company_name=name, county=county), actor="kari")
    with office.session() as s:
        assert s.scalar(select(func.count()).select_from(MemberCompany).where(MemberCompany.orgnr == orgnr)) == 1
    assert _facts(office, case.case_id)["existing_member"] is True
    _assess(office, case.case_id, {new_trade: "continue"})
    _to_county(office, case.case_id, [new_trade])
    office.record(case.case_id, "onboarding.county_decision", {
        "decision": "rejected", "decided_on": DAY, "reference": "FK-2026/504", "reason": "Ingen instruktør"})
    company = office.one(MemberCompany, orgnr=orgnr)
    assert company.membership_status == "active"
    after = _approvals(office, orgnr)
    assert after[new_trade] == ("rejected", "FK-2026/504")
    assert {code: status for code, (status, _) in after.items() if code != new_trade} == before
    assert office.engine.case(case.case_id).summary["outcome"] == "rejected"


def test_county_decision_is_validated_by_its_form(office):
    case_id, _ = _start(office, ["SOA03-01"])
    _assess(office, case_id, {"SOA03-01": "continue"})
    _to_county(office, case_id, ["SOA03-01"])
    with pytest.raises(AssertionError, match="reason"):
        office.record(case_id, "onboarding.county_decision",
                      {"decision": "rejected", "decided_on": DAY, "reference": "FK-2026/505"})
    with pytest.raises(AssertionError, match="approved_trades"):
        office.record(case_id, "onboarding.county_decision",
                      {"decision": "approved", "decided_on": DAY, "reference": "FK-2026/505"})
    assert office.engine.case(case_id).current_step == "⏳ Fylkeskommunens vedtak"
