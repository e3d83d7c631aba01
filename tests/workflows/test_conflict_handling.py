"""Every path and end state of conflict handling (tvist, mekling, bytte, heving), with real forms."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

import pytest
from SpiffWorkflow.bpmn.specs.defaults import EndEvent
from SpiffWorkflow.util.task import TaskState
from sqlalchemy import select

from engine.errors import ProcessFailed
from tests.engine.conftest import assert_roundtrip
from tests.workflows.process_driver import ProcessDriver
from tests.workflows.test_contract_signing import _approve, _draft, _sign_all
from workflows.records import CompanyContact, ConflictCase, Contract, MemberCompany, TradeApproval

PROCESS = "conflict_handling"


def _approved_case(driver: ProcessDriver) -> int:
    """A case whose contract the county approved, some weeks into the training period."""
    case = driver.start("contract_signing")
    driver.submit(case.case_id, "contract.draft", _draft(driver))
    _sign_all(driver, case.case_id)
    _approve(driver, case.case_id)
    driver.advance(days=60)  # 2 October 2026: the training started on 15 August
    return case.case_id


def _raise_concern(driver: ProcessDriver, case_id: int, facts: dict[str, Any] | None = None, **changes: Any):
    """Start conflict handling by hand from the case, as the case page does with form conflict.register."""
    register = driver.clean("conflict.register", {
        "category": "cooperation", "description": "Gjentatte konflikter med instruktøren.",
        "raised_by": "company", "raised_on": _today(driver).isoformat(), **changes})
    if facts is None:  # what contract_signing knew when the county approved the contract
        facts = driver.engine.workflow(driver.engine.instances(case_id)[0].id).last_task.data["case_facts"]
    result = driver.engine.start_case(PROCESS, "sara", {"case_facts": facts, "conflict_register": register},
                                      case_id=case_id, message="conflict.concern_raised")
    assert_roundtrip(driver.engine, case_id)
    return result


def _today(driver: ProcessDriver) -> date:
    return driver.clock.now().date()


def _mine(driver: ProcessDriver, case_id: int) -> list[str]:
    return sorted(t.title for t in driver.engine.ready_tasks(case_id=case_id) if t.process_key == PROCESS)


def _instance(driver: ProcessDriver, case_id: int):
    return [i for i in driver.engine.instances(case_id) if i.process_key == PROCESS][-1]


def _facts(driver: ProcessDriver, case_id: int) -> dict[str, Any]:
    return driver.engine.workflow(_instance(driver, case_id).id).last_task.data["case_facts"]


def _ended_at(driver: ProcessDriver, case_id: int) -> str | None:
    """The end event the conflict process completed at, if it has ended."""
    instance = _instance(driver, case_id)
    if instance.status != "completed":
        return None
    wf = driver.engine.workflow(instance.id)
    ends = [t.task_spec.bpmn_name for t in wf.get_tasks(state=TaskState.COMPLETED)
            if isinstance(t.task_spec, EndEvent)]
    assert len(ends) == 1, ends
    return ends[0]


def _contract_ended(driver: ProcessDriver, case_id: int) -> list[str]:
    """History of `contract.ended`: sent to a starter, received by a waiting process, or unrouted."""
    routed = ("message_sent", "message_received", "message_unrouted")
    return [h.action for h in driver.engine.history(case_id)
            if h.action in routed and (h.detail or "").startswith("contract.ended")]


def _dialogue(driver: ProcessDriver, case_id: int, outcome: str) -> None:
    driver.submit(case_id, "conflict.dialogue", {
        "meeting_date": _today(driver).isoformat(), "participants": ["faglig_leder", "apprentice"],
        "minutes": "Partene gikk gjennom situasjonen.", "outcome": outcome}, actor="marte")


def _to_choice(driver: ProcessDriver, case_id: int, weeks: int = 4) -> None:
    """Dialogue not resolved, mediation, and the follow-up timer: the consultant chooses a path."""
    _dialogue(driver, case_id, "not_resolved")
    assert _mine(driver, case_id) == ["Mekling ved opplæringskontoret"]
    assert driver.engine.case(case_id).status == "open"
    driver.submit(case_id, "conflict.mediation", {
        "meeting_date": _today(driver).isoformat(), "representative_present": "ombud",
        "action_plan": "Ukentlige samtaler med instruktøren.", "warnings_documented": True,
        "follow_up_weeks": weeks})
    driver.advance(weeks=weeks, days=-1)
    assert _mine(driver, case_id) == []  # the follow-up is `weeks` after the mediation
    assert driver.advance(days=1, minutes=1) >= 1
    assert _mine(driver, case_id) == ["Velg videre løsning"]


def _choose(driver: ProcessDriver, case_id: int, path: str, title: str = "Velg videre løsning") -> None:
    data = {"path": path, "reasoning": "Vurdert etter oppfølgingen.",
            "alternatives_considered": "Bytte av bedrift er vurdert."}
    task = [t for t in driver.engine.ready_tasks(case_id=case_id) if t.title == title]
    assert task, f"no open {title!r}; open: {_mine(driver, case_id)}"
    driver.submit(case_id, "conflict.choose_path", data)


def _conflict(driver: ProcessDriver, case_id: int) -> ConflictCase:
    return driver.one(ConflictCase, case_id=case_id)


def _other_company(driver: ProcessDriver, contract: Contract, *, approved: bool = True) -> tuple[str, str | None]:
    """Another active member (approved in the contract's trade or not) and its faglig leder's e-mail."""
    with driver.session() as s:
        approved_ids = select(TradeApproval.company_id).where(
            TradeApproval.trade_code == contract.trade_code, TradeApproval.status == "approved")
        ok = MemberCompany.id.in_(approved_ids) if approved else MemberCompany.id.not_in(approved_ids)
        row = s.execute(select(MemberCompany.orgnr, CompanyContact.email)
                        .join(CompanyContact, CompanyContact.company_id == MemberCompany.id)
                        .where(ok, MemberCompany.membership_status == "active", CompanyContact.role == "faglig_leder",
                               MemberCompany.id != contract.company_id).order_by(MemberCompany.id)).first()
    assert row is not None
    return row[0], row[1]


def _move(driver: ProcessDriver, case_id: int, orgnr: str, email: str | None) -> None:
    driver.submit(case_id, "conflict.move_company", {
        "new_company_orgnr": orgnr, "new_faglig_leder_name": "Ny Leder", "new_faglig_leder_email": email,
        "move_on": (_today(driver) + timedelta(days=14)).isoformat(), "evaluation_before_move_done": True,
        "employment_contract_ref": "AA-2026-99", "vigo_updated": True})


def test_concern_opens_a_conflict_case_and_the_dialogue_resolves_it(office):
    case_id = _approved_case(office)
    result = _raise_concern(office, case_id)
    assert result.instance_id == _instance(office, case_id).id
    conflict = _conflict(office, case_id)
    assert (conflict.category, conflict.registered_on, conflict.outcome) == ("cooperation", _today(office), None)
    task = office.task(case_id, "conflict.dialogue")
    facts = _facts(office, case_id)
    assert (task.role, task.scope, task.process_key) == ("faglig_leder", facts["company_orgnr"], PROCESS)
    assert facts["conflict_id"] == conflict.id and facts["conflict_raised_by"] == "company"
    _dialogue(office, case_id, "resolved")
    conflict = _conflict(office, case_id)
    assert (conflict.outcome, conflict.path, conflict.closed_on) == ("resolved", None, _today(office))
    assert office.one(Contract, case_id=case_id).status == "approved"
    assert _ended_at(office, case_id) == "Løst på arbeidsplassen" and _mine(office, case_id) == []
    assert office.engine.case(case_id).summary["outcome"] == "resolved"
    assert _contract_ended(office, case_id) == []


def test_started_by_hand_from_the_case_summary_finds_the_contract_of_the_case(office):
    case_id = _approved_case(office)
    summary = dict(office.engine.case(case_id).summary)
    assert "contract_id" not in summary
    _raise_concern(office, case_id, facts=summary, category="absence", raised_by="apprentice")
    conflict = _conflict(office, case_id)
    assert conflict.contract_id == office.one(Contract, case_id=case_id).id and conflict.category == "absence"
    assert _facts(office, case_id)["contract_id"] == conflict.contract_id
    assert _mine(office, case_id) == ["Dialogmøte på arbeidsplassen"]


def test_a_concern_needs_an_approved_contract(office):
    case = office.start("contract_signing")
    office.submit(case.case_id, "contract.draft", _draft(office))  # still being signed
    with pytest.raises(ProcessFailed):
        _raise_concern(office, case.case_id)
    assert office.scalar(select(ConflictCase.id)) is None


def test_mediation_waits_for_the_follow_up_then_the_matter_is_resolved(office):
    case_id = _approved_case(office)
    _raise_concern(office, case_id)
    mediated_on = _today(office)
    _to_choice(office, case_id, weeks=6)
    assert _conflict(office, case_id).mediation_started_on == mediated_on
    _choose(office, case_id, "resolved")
    conflict = _conflict(office, case_id)
    assert (conflict.path, conflict.outcome) == ("resolved", "resolved")
    assert office.one(Contract, case_id=case_id).status == "approved"
    assert _ended_at(office, case_id) == "Løst etter mekling"


def test_move_to_another_member_company(office):
    case_id = _approved_case(office)
    _raise_concern(office, case_id, category="company_cannot_continue")
    _to_choice(office, case_id)
    _choose(office, case_id, "move_company")
    assert office.task(case_id, "conflict.move_company").role == "saksbehandler"
    before = office.one(Contract, case_id=case_id)
    orgnr, email = _other_company(office, before)
    with pytest.raises(AssertionError, match="evaluation_before_move_done"):
        office.submit(case_id, "conflict.move_company", {
            "new_company_orgnr": orgnr, "new_faglig_leder_name": "X", "new_faglig_leder_email": email,
            "move_on": _today(office).isoformat(), "employment_contract_ref": "AA-1"})
    _move(office, case_id, orgnr, email)
    contract = office.one(Contract, case_id=case_id)
    company = office.one(MemberCompany, orgnr=orgnr)
    assert contract.id == before.id and contract.company_id == company.id != before.company_id
    assert (contract.status, contract.employment_contract_ref) == ("approved", "AA-2026-99")
    assert contract.faglig_leder_id == office.one(CompanyContact, email=email).person_id
    facts = _facts(office, case_id)
    assert (facts["company_orgnr"], facts["company_name"], facts["outcome"]) == (orgnr, company.name, "moved")
    conflict = _conflict(office, case_id)
    assert (conflict.path, conflict.outcome) == ("move_company", "moved")
    assert office.engine.case(case_id).summary["company_orgnr"] == orgnr
    assert _ended_at(office, case_id) == "Byttet lærebedrift"


@pytest.mark.parametrize("kind", ["not_approved_in_trade", "declined"])
def test_a_company_that_cannot_take_the_apprentice_sends_the_choice_back_to_the_consultant(office, kind):
    case_id = _approved_case(office)
    _raise_concern(office, case_id)
    _to_choice(office, case_id)
    _choose(office, case_id, "move_company")
    before = office.one(Contract, case_id=case_id)
    if kind == "declined":
        orgnr, email = office.scalar(select(MemberCompany.orgnr).where(
            MemberCompany.membership_status == "declined").order_by(MemberCompany.id)), "ukjent@example.no"
        problems = ["company_not_active_member", "company_not_approved_in_trade", "faglig_leder_not_registered"]
    else:
        orgnr, email = _other_company(office, before, approved=False)
        problems = ["company_not_approved_in_trade"]
    _move(office, case_id, orgnr, email)
    retry = "Ny bedrift kan ikke ta imot lærlingen – velg løsning på nytt"
    assert _mine(office, case_id) == [retry]
    check = office.engine.workflow(_instance(office, case_id).id).last_task.data["conflict_move_check"]
    assert (check["ok"], check["problems"]) == (False, problems)
    assert office.one(Contract, case_id=case_id).company_id == before.company_id
    assert _conflict(office, case_id).outcome is None
    _choose(office, case_id, "move_company", title=retry)
    _move(office, case_id, *_other_company(office, before))
    assert _conflict(office, case_id).outcome == "moved" and _ended_at(office, case_id) == "Byttet lærebedrift"


def test_change_of_contract_type_with_county_consent(office):
    case_id = _approved_case(office)
    _raise_concern(office, case_id, category="performance")
    _to_choice(office, case_id, weeks=8)
    _choose(office, case_id, "change_contract_type")
    office.submit(case_id, "conflict.change_type", {
        "new_contract_type": "opplaeringskontrakt", "county_consent_ref": "FK-2026/77",
        "changed_on": _today(office).isoformat()})
    contract = office.one(Contract, case_id=case_id)
    assert (contract.contract_type, contract.status) == ("opplaeringskontrakt", "approved")
    conflict = _conflict(office, case_id)
    assert (conflict.outcome, conflict.decision_ref) == ("converted", "FK-2026/77")
    assert _facts(office, case_id)["contract_type"] == "opplaeringskontrakt"
    assert office.engine.case(case_id).summary["contract_type"] == "opplaeringskontrakt"
    assert _ended_at(office, case_id) == "Kontrakttype endret"


def test_interruption_extends_the_training_period_and_the_contract_resumes(office):
    case_id = _approved_case(office)
    _raise_concern(office, case_id, category="apprentice_wants_to_stop", raised_by="apprentice")
    _to_choice(office, case_id)
    _choose(office, case_id, "interruption")
    end_before = office.one(Contract, case_id=case_id).end_date
    start = _today(office) + timedelta(days=7)
    office.submit(case_id, "conflict.interruption", {
        "interruption_from": start.isoformat(), "interruption_to": (start + timedelta(days=89)).isoformat(),
        "reason": "military_service", "county_consent_ref": "FK-2026/88"})
    contract = office.one(Contract, case_id=case_id)
    assert (contract.status, contract.end_date) == ("interrupted", end_before + timedelta(days=90))
    assert _conflict(office, case_id).outcome == "interrupted"
    facts = _facts(office, case_id)
    assert facts["end_date"] == contract.end_date.isoformat() and facts["interruption"]["days"] == 90
    assert _instance(office, case_id).status == "running" and _mine(office, case_id) == []
    office.advance(days=96)
    assert office.one(Contract, case_id=case_id).status == "interrupted"  # the last day is still off
    office.advance(days=2)
    contract = office.one(Contract, case_id=case_id)
    assert (contract.status, contract.end_date) == ("approved", end_before + timedelta(days=90))
    assert _ended_at(office, case_id) == "Avbrudd – læretiden forlenget"
    assert _facts(office, case_id)["status"] == "approved"


def test_heving_by_agreement_ends_the_contract_and_tells_the_other_processes(office):
    case_id = _approved_case(office)
    _raise_concern(office, case_id, category="apprentice_wants_to_stop", raised_by="apprentice")
    _to_choice(office, case_id)
    _choose(office, case_id, "cancel_by_agreement")
    agreement = {"apprentice_signed_on": _today(office).isoformat(), "company_signed_on": _today(office).isoformat(),
                 "reason": "Lærlingen vil begynne på studiespesialisering.", "agreement_voluntary": True,
                 "county_informed_on": _today(office).isoformat()}
    with pytest.raises(AssertionError, match="right_to_training_warning_given"):
        office.submit(case_id, "conflict.cancel_agreement", agreement)
    office.submit(case_id, "conflict.cancel_agreement", {**agreement, "right_to_training_warning_given": True})
    contract = office.one(Contract, case_id=case_id)
    assert (contract.status, contract.end_date) == ("cancelled_agreement", _today(office))
    conflict = _conflict(office, case_id)
    assert (conflict.outcome, conflict.training_ends_on) == ("cancelled_agreement", _today(office))
    assert _facts(office, case_id)["status"] == "cancelled_agreement"
    assert _contract_ended(office, case_id)
    assert _ended_at(office, case_id) == "Hevet etter enighet"


def _apply_to_county(driver: ProcessDriver, case_id: int) -> None:
    _raise_concern(driver, case_id, category="absence", raised_by="company")
    _to_choice(driver, case_id)
    _choose(driver, case_id, "cancel_by_decision")
    driver.submit(case_id, "conflict.cancel_application", {
        "applicant": "company", "grounds": "serious_breach", "documentation": "Fravær over tre måneder.",
        "other_party_heard_on": _today(driver).isoformat(), "oral_explanation_offered": True})
    assert _mine(driver, case_id) == []
    assert _instance(driver, case_id).status == "running"


@pytest.mark.parametrize("decision", ["cancelled", "rejected"])
def test_heving_without_agreement_is_decided_by_the_county(office, decision):
    case_id = _approved_case(office)
    _apply_to_county(office, case_id)
    end_before = office.one(Contract, case_id=case_id).end_date
    cancelled = decision == "cancelled"
    ends_on = _today(office) + timedelta(days=30) if cancelled else end_before
    office.record(case_id, "conflict.county_decision", {
        "decision": decision, "decided_on": _today(office).isoformat(), "reference": "FK-2026/101",
        **({"end_date": ends_on.isoformat(), "right_to_training_kept": True} if cancelled else {})})
    contract = office.one(Contract, case_id=case_id)
    status = "cancelled_decision" if cancelled else "approved"  # rejected: the contract continues
    assert (contract.status, contract.end_date) == (status, ends_on)
    conflict = _conflict(office, case_id)
    assert (conflict.outcome, conflict.decided_on, conflict.decision_ref) == (
        "cancelled_decision" if cancelled else "rejected", _today(office), "FK-2026/101")
    assert (conflict.training_ends_on, conflict.right_to_training_kept) == (
        (ends_on, True) if cancelled else (None, None))
    assert (_facts(office, case_id)["status"], _facts(office, case_id)["end_date"]) == (status, ends_on.isoformat())
    assert bool(_contract_ended(office, case_id)) is cancelled  # only heving tells the other processes
    assert _ended_at(office, case_id) == ("Hevet ved vedtak" if cancelled else "Avslått – kontrakten fortsetter")


def test_after_a_move_the_new_company_holds_the_follow_up_and_the_old_one_no_longer_sees_it(office):
    case_id = _approved_case(office)
    old_orgnr = office.engine.case(case_id).summary["company_orgnr"]
    office.advance(days=95)  # the three-month evaluation is open for the old company's faglig leder
    evaluation = office.task(case_id, "followup.evaluation")
    assert evaluation.scope == old_orgnr
    _raise_concern(office, case_id, category="company_cannot_continue")
    _to_choice(office, case_id)
    _choose(office, case_id, "move_company")
    new_orgnr, email = _other_company(office, office.one(Contract, case_id=case_id))
    _move(office, case_id, new_orgnr, email)
    assert office.engine.task(evaluation.id).scope == new_orgnr
    assert office.engine.ready_tasks(scope=old_orgnr, case_id=case_id) == []
    office.advance(days=200)  # the next half-year's evaluation opens: for the new company
    scopes = {t.scope for t in office.engine.ready_tasks(case_id=case_id) if t.form_key == "followup.evaluation"}
    assert scopes == {new_orgnr}
