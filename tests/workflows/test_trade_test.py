"""Every path of registration for the trade test (fagprøve / kompetanseprøve), with real forms and records."""

from __future__ import annotations

import random
from datetime import UTC, date, datetime, timedelta
from typing import Any
from uuid import UUID

import pytest
from SpiffWorkflow.bpmn.specs.defaults import EndEvent
from SpiffWorkflow.util.task import TaskState
from sqlalchemy import select

from engine import ProcessFailed
from engine.models import MessageSubscription, TimerRow
from tests.engine.conftest import assert_roundtrip
from tests.workflows.process_driver import TODAY
from tests.workflows.test_contract_signing import _approve, _draft, _placement, _sign_all
from workflows.demo.identity import synthetic_fnr
from workflows.records import Contract, MemberCompany, Person, TestRegistration, TrainingOffice

END = "2026-12-15"  # the work opens 2026-08-15 00:00 (Oslo), registration is due by 2026-10-15


def _start(office, *, end: str = END, contract_type: str = "laerekontrakt") -> int:
    """An approved contract and the trade-test process started by contract.approved."""
    orgnr, _ = _placement(office)
    with office.session() as s:
        company = s.scalars(select(MemberCompany).where(MemberCompany.orgnr == orgnr)).one()
        apprentice = Person(national_id=synthetic_fnr(date(2006, 5, 2), random.Random(7)), first_name="Kari",
                            last_name="Nordmann", birth_date=date(2006, 5, 2))
        s.add(apprentice)
        s.flush()
        contract = Contract(office_id=s.scalars(select(TrainingOffice.id)).first(), contract_type=contract_type,
                            trade_code="SOA03-01", apprentice_id=apprentice.id, company_id=company.id,
                            county_number=company.county_number, start_date=date(2024, 12, 16),
                            end_date=date.fromisoformat(end), status="approved")
        s.add(contract)
        s.commit()
        facts = {"contract_id": contract.id, "apprentice_name": "Kari Nordmann", "company_orgnr": orgnr,
                 "company_name": company.name, "trade": "SOA03-01", "county": company.county_number,
                 "contract_type": contract_type, "start_date": "2024-12-16", "end_date": end, "status": "approved"}
    result = office.engine.start_case("trade_test", "sara", {"case_facts": facts}, message="contract.approved")
    assert_roundtrip(office.engine, result.case_id)
    return result.case_id


def _today(office) -> str:
    return office.clock.now().date().isoformat()


def _forms(office, case_id: int) -> list[str]:
    return sorted(t.form_key for t in office.engine.ready_tasks(case_id=case_id) if t.process_key == "trade_test")


def _data(office, case_id: int, form_key: str) -> dict[str, Any]:
    """The task data behind an open task (what the screen reads its validation context from)."""
    task = office.task(case_id, form_key)
    return office.engine.workflow(task.instance_id).get_task_from_id(UUID(task.id)).data


def _open(office, case_id: int) -> None:
    """Let the 4-month timer fire."""
    office.advance(days=12)
    assert _forms(office, case_id) == ["tradetest.prerequisites"]


def _prerequisites(office, case_id: int, **changes: Any) -> None:
    data = {"vg1_passed": True, "vg2_passed": True, "missing_common_subjects": 1, "evaluations_complete": True,
            "documentation_complete": True, "outcome": "ready", **changes}
    office.submit(case_id, "tradetest.prerequisites", data)


def _window(office, schedule: dict[str, Any]) -> tuple[str, str]:
    """A five-day test period inside the window (not before end − 3 months), starting in five days at the earliest."""
    start = max(office.clock.now().date(), date.fromisoformat(schedule["test_earliest"])) + timedelta(days=5)
    return start.isoformat(), (start + timedelta(days=5)).isoformat()


def _readiness(office, case_id: int, ready: bool = True) -> None:
    schedule = _data(office, case_id, "tradetest.readiness")["tradetest_schedule"]
    start, end = _window(office, schedule)
    office.submit(case_id, "tradetest.readiness", {"period_from": start, "period_to": end, "test_site": "Bedriften",
                                                   "ready": ready},
                  context={"contract_end_date": date.fromisoformat(schedule["contract_end_date"])})


def _register(office, case_id: int, on: str | None = None) -> None:
    schedule = _data(office, case_id, "tradetest.register")["tradetest_schedule"]
    context = {"contract_end_date": date.fromisoformat(schedule["contract_end_date"])} \
        if schedule["deadline_applies"] else {}
    office.submit(case_id, "tradetest.register", {"registered_on": on or _today(office), "county": "03",
                                                  "receipt_ref": "OPP-1"}, context=context)


def _test(office, case_id: int, result: str) -> None:
    """Register, receive the assignment letter and the board's result."""
    schedule = _data(office, case_id, "tradetest.register")["tradetest_schedule"]
    _register(office, case_id)
    test_from, test_to = _window(office, schedule)
    office.record(case_id, "tradetest.board_assignment", {"board_name": "Prøvenemnd SOA", "test_to": test_to,
                                                          "assignment_letter_on": _today(office),
                                                          "test_from": test_from})
    office.clock.advance(days=45)
    office.record(case_id, "tradetest.result", {"result": result, "tested_on": test_to, "protocol_ref": "P-1",
                                                "addendum": "Planleggingen var mangelfull."})


def _fail(office, case_id: int) -> None:
    _open(office, case_id)
    _prerequisites(office, case_id)
    _readiness(office, case_id)
    _test(office, case_id, "ikke_bestatt")
    assert _forms(office, case_id) == ["tradetest.appeal"]


def _appeal(office, case_id: int, appeal: bool) -> None:
    outcome = _data(office, case_id, "tradetest.appeal")["tradetest_outcome"]
    context = {"result_date": date.fromisoformat(outcome["result_date"]), "result": outcome["result"]}
    data = {"appeal": True, "appeal_on": _today(office), "grounds": "Feil vurdering"} if appeal else {}
    office.submit(case_id, "tradetest.appeal", data, context=context)


def _registrations(office) -> list[tuple[int, str | None, str | None]]:
    with office.session() as s:
        rows = s.scalars(select(TestRegistration).order_by(TestRegistration.attempt))
        return [(r.attempt, r.result, r.appeal_outcome) for r in rows]


def _end(office, case_id: int) -> str:
    """The named end event the trade-test process reached."""
    instance = next(i for i in office.engine.instances(case_id) if i.process_key == "trade_test")
    wf = office.engine.workflow(instance.id)
    assert wf.completed
    ends = [t.task_spec.bpmn_name for t in wf.get_tasks(state=TaskState.COMPLETED, spec_class=EndEvent)
            if t.workflow is wf]
    assert len(ends) == 1, ends
    return ends[0]


def test_the_work_opens_four_months_before_the_end_date(office):
    case_id = _start(office)
    assert _forms(office, case_id) == []
    with office.session() as s:
        timers = [(t.name, t.due_at) for t in s.scalars(select(TimerRow).where(TimerRow.case_id == case_id))]
    assert timers == [("Fire måneder før slutt", datetime(2026, 8, 14, 22, 0, tzinfo=UTC))]
    assert office.advance(days=11, hours=13) == 0
    assert office.advance(hours=2) == 1
    task = office.task(case_id, "tradetest.prerequisites")
    assert task.role == "konsulent" and task.due_at == office.clock.now() + timedelta(days=14)


def test_a_late_approval_opens_the_work_at_once(office):
    case_id = _start(office, end="2026-11-01")  # end − 4 months is already past
    assert _forms(office, case_id) == ["tradetest.prerequisites"]


def test_passed_completes_the_contract(office):
    case_id = _start(office)
    _open(office, case_id)
    _prerequisites(office, case_id)
    leader = office.task(case_id, "tradetest.readiness")
    assert (leader.role, leader.scope) == ("faglig_leder", _placement(office)[0])
    _readiness(office, case_id)
    register = office.task(case_id, "tradetest.register")
    assert register.role == "saksbehandler"
    assert register.due_at == datetime(2026, 10, 15, 21, 59, tzinfo=UTC)  # 23:59 Oslo, two months before the end
    _test(office, case_id, "bestatt_meget_godt")
    row = office.one(TestRegistration, attempt=1)
    assert (row.kind, row.result, row.board_name, row.receipt_ref) == ("fagprove", "bestatt_meget_godt",
                                                                        "Prøvenemnd SOA", "OPP-1")
    assert office.one(Contract, id=row.contract_id).status == "completed"
    assert office.engine.case(case_id).status == "closed"
    assert _end(office, case_id) == "Bestått – kontrakten fullført"
    assert office.engine.case(case_id).summary["status"] == "completed"
    assert any((h.detail or "").startswith("contract.completed") for h in office.engine.history(case_id))


def test_registration_after_the_deadline_is_refused_by_the_form(office):
    case_id = _start(office)
    _open(office, case_id)
    _prerequisites(office, case_id)
    _readiness(office, case_id)
    office.clock.advance(days=70)  # 2026-10-23: past end − 2 months
    with pytest.raises(AssertionError, match="registered_on"):
        _register(office, case_id)
    _register(office, case_id, on="2026-10-15")
    assert office.one(TestRegistration, attempt=1).registered_on == date(2026, 10, 15)


def test_not_ready_is_checked_again_after_14_days(office):
    case_id = _start(office)
    _open(office, case_id)
    _prerequisites(office, case_id, vg2_passed=False, outcome="not_ready", note="Mangler naturfag Vg2")
    assert _forms(office, case_id) == []
    assert office.advance(days=13) == 0
    assert office.advance(days=1, hours=1) == 1
    assert _forms(office, case_id) == ["tradetest.prerequisites"]


def test_faglig_leder_not_ready_is_checked_again(office):
    case_id = _start(office)
    _open(office, case_id)
    _prerequisites(office, case_id)
    _readiness(office, case_id, ready=False)
    assert _forms(office, case_id) == []
    office.advance(days=15)
    assert _forms(office, case_id) == ["tradetest.prerequisites"]


def test_training_candidate_has_no_subject_requirement(office):
    case_id = _start(office, contract_type="opplaeringskontrakt")
    _open(office, case_id)
    _prerequisites(office, case_id, training_candidate=True, vg1_passed=False, vg2_passed=False,
                   missing_common_subjects=0)
    _readiness(office, case_id)
    _register(office, case_id)
    assert office.one(TestRegistration, attempt=1).kind == "kompetanseprove"


def test_appeal_window_expires_then_the_case_closes(office):
    case_id = _start(office)
    _fail(office, case_id)
    appeal = office.task(case_id, "tradetest.appeal")
    assert appeal.due_at == datetime(2026, 10, 20, 21, 59, tzinfo=UTC)  # result known 29 Sep + 21 days
    assert office.advance(days=20) == 0
    assert office.advance(days=1, hours=16) == 1
    assert _forms(office, case_id) == ["tradetest.retest"]
    assert "Klagefristen på tre uker er ute" in [h.detail for h in office.engine.history(case_id)]
    office.submit(case_id, "tradetest.retest", {"action": "close", "note": "Kandidaten avslutter"})
    assert _end(office, case_id) == "Avsluttet uten bestått prøve"
    assert office.engine.case(case_id).summary["outcome"] == "not_passed"
    assert office.one(Contract, id=office.one(TestRegistration, attempt=1).contract_id).status == "approved"
    assert _registrations(office) == [(1, "ikke_bestatt", None)]


def test_retest_is_registered_as_attempt_2_and_passes(office):
    case_id = _start(office)
    _fail(office, case_id)
    _appeal(office, case_id, appeal=False)
    office.submit(case_id, "tradetest.retest", {"action": "register_retest"})
    assert _forms(office, case_id) == ["tradetest.readiness"]
    office.clock.advance(days=20)  # 2026-10-19: past end − 2 months, which binds the first registration only
    _readiness(office, case_id)
    assert office.task(case_id, "tradetest.register").due_at == office.clock.now() + timedelta(days=14)
    _test(office, case_id, "bestatt")
    assert _registrations(office) == [(1, "ikke_bestatt", None), (2, "bestatt", None)]
    assert _end(office, case_id) == "Bestått – kontrakten fullført"


def test_appeal_upheld_leads_to_the_retest_decision(office):
    case_id = _start(office)
    _fail(office, case_id)
    _appeal(office, case_id, appeal=True)
    assert _forms(office, case_id) == []
    office.record(case_id, "tradetest.appeal_decision", {"outcome": "upheld", "decided_on": _today(office)})
    assert _forms(office, case_id) == ["tradetest.retest"]
    row = office.one(TestRegistration, attempt=1)
    assert (row.appeal_lodged_on, row.appeal_outcome) == (office.clock.now().date(), "upheld")


def test_appeal_changes_the_result_to_passed(office):
    case_id = _start(office)
    _fail(office, case_id)
    _appeal(office, case_id, appeal=True)
    office.record(case_id, "tradetest.appeal_decision", {"outcome": "changed", "new_result": "bestatt",
                                                         "decided_on": _today(office), "reference": "KN-1"})
    assert _registrations(office) == [(1, "ikke_bestatt", "changed")]  # the board's grade, changed on appeal
    assert _end(office, case_id) == "Bestått – kontrakten fullført"
    assert office.engine.case(case_id).summary["outcome"] == "passed"
    assert office.one(Contract, id=office.one(TestRegistration, attempt=1).contract_id).status == "completed"


def test_appeal_orders_a_new_test_registered_again(office):
    case_id = _start(office)
    _fail(office, case_id)
    _appeal(office, case_id, appeal=True)
    office.record(case_id, "tradetest.appeal_decision", {"outcome": "new_test", "decided_on": _today(office)})
    assert _forms(office, case_id) == ["tradetest.register"]
    _register(office, case_id)
    assert _registrations(office) == [(1, "ikke_bestatt", "new_test"), (2, None, None)]


def test_extension_moves_the_end_date_and_plans_again(office):
    case_id = _start(office)
    _fail(office, case_id)
    _appeal(office, case_id, appeal=False)
    with pytest.raises(ProcessFailed, match="later than"):
        office.submit(case_id, "tradetest.retest", {"action": "extend_training", "extended_end_date": "2026-12-01"})
    office.submit(case_id, "tradetest.retest", {"action": "extend_training", "extended_end_date": "2027-06-15"})
    assert office.one(Contract, id=office.one(TestRegistration, attempt=1).contract_id).end_date == date(2027, 6, 15)
    assert _forms(office, case_id) == []
    with office.session() as s:
        due = s.scalar(select(TimerRow.due_at).where(TimerRow.case_id == case_id))
    assert due == datetime(2027, 2, 14, 23, 0, tzinfo=UTC)  # 15 Feb 00:00 Oslo (winter time)
    office.advance(days=140)
    assert _forms(office, case_id) == ["tradetest.prerequisites"]
    assert office.engine.case(case_id).summary["end_date"] == "2027-06-15"


def test_contract_ended_stops_the_work(office):
    case_id = _start(office)
    _open(office, case_id)
    _prerequisites(office, case_id)
    assert _forms(office, case_id) == ["tradetest.readiness"]
    office.engine.deliver_message("contract.ended", {"case_facts": {"status": "cancelled_agreement"},
                                                     "reason": "Heving etter avtale"}, "test", case_id=case_id)
    assert_roundtrip(office.engine, case_id)
    assert _forms(office, case_id) == [] and office.engine.case(case_id).status == "closed"
    assert _end(office, case_id) == "Stoppet – kontrakten er avsluttet"
    assert office.engine.case(case_id).summary["outcome"] == "stopped"
    with office.session() as s:
        assert s.scalar(select(MessageSubscription.id).where(MessageSubscription.case_id == case_id)) is None


def test_real_contract_approval_starts_the_trade_test(office):
    case = office.start("contract_signing")
    office.submit(case.case_id, "contract.draft", _draft(office))
    _sign_all(office, case.case_id)
    _approve(office, case.case_id)
    assert "trade_test" in [i.process_key for i in office.engine.instances(case.case_id)]
    with office.session() as s:
        due = s.scalar(select(TimerRow.due_at).where(TimerRow.name == "Fire måneder før slutt"))
    assert due == datetime(2028, 4, 13, 22, 0, tzinfo=UTC)  # 14 Apr 2028 00:00 Oslo: end 14 Aug − 4 months
    office.clock.advance(days=(date(2028, 4, 14) - TODAY).days)
    office.engine.fire_due_timers()
    _prerequisites(office, case.case_id)
    _readiness(office, case.case_id)
    _test(office, case.case_id, "bestatt")
    contract = office.one(Contract, case_id=case.case_id)
    assert contract.status == "completed" and office.one(TestRegistration, contract_id=contract.id).attempt == 1
    statuses = {i.process_key: i.status for i in office.engine.instances(case.case_id)}
    assert statuses["trade_test"] == "completed"
