"""Service handlers of the trade-test process (domain.md §2.5): dates, registrations, results and appeals.

Dates are planned from the contract's end date as exact instants in Norwegian time (ISO text with offset),
so timers and due dates mean the same day whatever the server's time zone.
"""

from __future__ import annotations

from calendar import monthrange
from datetime import date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlalchemy.orm import Session

from engine.expressions import ServiceCall
from workflows.records import Contract, TestRegistration

from .context import as_date, call_context, iso

OSLO = ZoneInfo("Europe/Oslo")
PASSED = ("bestatt", "bestatt_meget_godt")
APPEAL_DAYS = 21


def add_months(day: date, months: int) -> date:
    """`day` moved by whole months, kept inside the target month (31 May − 3 months = 28/29 Feb)."""
    index = day.year * 12 + day.month - 1 + months
    year, month = divmod(index, 12)
    return date(year, month + 1, min(day.day, monthrange(year, month + 1)[1]))


def start_of_day(day: date) -> str:
    """The first instant of `day` in Norway, as ISO text with its offset."""
    return datetime.combine(day, time(0, 0), tzinfo=OSLO).isoformat()


def end_of_day(day: date) -> str:
    """The last minute of `day` in Norway, as ISO text with its offset."""
    return datetime.combine(day, time(23, 59), tzinfo=OSLO).isoformat()


def start(call: ServiceCall) -> dict[str, Any]:
    """The case facts handed over by contract.approved, merged into the instance's own."""
    approved = call.params.get("approved") or {}
    return {**call.task_data.get("case_facts", {}), **(approved.get("case_facts") or {})}


def plan(call: ServiceCall) -> dict[str, Any]:
    """The schedule from the end date: work opens at −4 months, registration due by −2, test not before −3.

    For a re-test (`retest`) the registration deadline of the ordinary test no longer applies.
    """
    facts = call.params.get("facts") or {}
    end = as_date(facts.get("end_date"))
    if end is None:
        raise ValueError("the case has no contract end date to plan the trade test from")
    retest = bool(call.params.get("retest"))
    return {
        "contract_end_date": iso(end),
        "open_at": start_of_day(add_months(end, -4)),
        "register_by": None if retest else end_of_day(add_months(end, -2)),
        "deadline_applies": not retest,
        "test_earliest": iso(add_months(end, -3)),
        "test_normally_by": iso(add_months(end, 2)),
        "retest": retest,
    }


def check_prerequisites(call: ServiceCall) -> dict[str, Any]:
    """Whether the candidate may be registered: the consultant's answer checked against the rules."""
    form = call.params.get("prerequisites") or {}
    facts = call.params.get("facts") or {}
    candidate = bool(form.get("training_candidate")) or facts.get("contract_type") == "opplaeringskontrakt"
    missing: list[str] = []
    if not candidate:
        missing += [name for name in ("vg1_passed", "vg2_passed") if not form.get(name)]
        if int(form.get("missing_common_subjects") or 0) > 2:
            missing.append("too_many_common_subjects")
    missing += [name for name in ("evaluations_complete", "documentation_complete") if not form.get(name)]
    ready = form.get("outcome") == "ready" and not missing
    return {
        "ready": ready, "missing": missing, "training_candidate": candidate,
        "kind": "kompetanseprove" if candidate else "fagprove",
        "common_subjects_to_pass": 0 if candidate else int(form.get("missing_common_subjects") or 0),
    }


def register(call: ServiceCall) -> dict[str, Any]:
    """Create the registration of the next attempt (or complete the one still open) from the register form."""
    ctx = call_context(call)
    session: Session = ctx.session
    form = call.params.get("registration") or {}
    readiness = call.params.get("readiness") or {}
    check = call.params.get("check") or {}
    contract = contract_of(session, call.params.get("facts") or {}, ctx.case_id)
    latest = _latest(session, contract.id)
    row = latest
    if latest is None or latest.result is not None:
        row = TestRegistration(contract_id=contract.id, attempt=(latest.attempt + 1) if latest else 1)
        session.add(row)
    row.case_id = ctx.case_id
    row.kind = check.get("kind") or row.kind or "fagprove"
    row.county_number = form.get("county") or contract.county_number
    row.registered_on = as_date(form.get("registered_on"))
    row.receipt_ref = form.get("receipt_ref")
    row.test_site = readiness.get("test_site") or row.test_site
    session.flush()
    return {"id": row.id, "attempt": row.attempt, "kind": row.kind, "registered_on": iso(row.registered_on)}


def board_assigned(call: ServiceCall) -> dict[str, Any]:
    """Record the county's assignment letter: the board and the test period."""
    ctx = call_context(call)
    letter = call.params.get("assignment") or {}
    schedule = call.params.get("schedule") or {}
    row = _registration(ctx.session, call.params.get("registration") or {})
    row.board_name = letter.get("board_name")
    row.test_start_on, row.test_end_on = as_date(letter.get("test_from")), as_date(letter.get("test_to"))
    earliest = as_date(schedule.get("test_earliest"))
    return {
        "board_name": row.board_name, "test_from": iso(row.test_start_on), "test_to": iso(row.test_end_on),
        "before_test_window": bool(earliest and row.test_start_on and row.test_start_on < earliest),
    }


def record_result(call: ServiceCall) -> dict[str, Any]:
    """Record the board's grade; a failed test may be appealed within three weeks of the result."""
    ctx = call_context(call)
    result = call.params.get("result") or {}
    row = _registration(ctx.session, call.params.get("registration") or {})
    row.result = result["result"]
    row.result_on = as_date(result.get("tested_on"))
    row.protocol_ref = result.get("protocol_ref")
    known_on = ctx.now.astimezone(OSLO).date()
    passed = row.result in PASSED
    return {
        "registration_id": row.id, "attempt": row.attempt, "result": row.result, "passed": passed,
        "tested_on": iso(row.result_on), "result_date": iso(known_on),
        "appeal_until": None if passed else end_of_day(known_on + timedelta(days=APPEAL_DAYS)),
        "addendum": result.get("addendum"),
    }


def record_appeal(call: ServiceCall) -> dict[str, Any]:
    """Record that the candidate appealed (only a failed test can be)."""
    ctx = call_context(call)
    appeal = call.params.get("appeal") or {}
    row = _registration(ctx.session, call.params.get("registration") or {})
    row.appeal_lodged_on = as_date(appeal.get("appeal_on"))
    return {"registration_id": row.id, "appeal_on": iso(row.appeal_lodged_on)}


def record_appeal_decision(call: ServiceCall) -> dict[str, Any]:
    """Record the appeal board's decision; a changed result becomes the result the process goes on with.

    The registration keeps the board's original grade: its CHECK constraint allows an appeal only on
    "ikke_bestatt", so the changed grade is `appeal_outcome = "changed"` there and the result here.
    """
    ctx = call_context(call)
    decision = call.params.get("decision") or {}
    outcome = dict(call.params.get("outcome") or {})
    row = _registration(ctx.session, {"id": outcome.get("registration_id")})
    row.appeal_outcome = decision["outcome"]
    row.appeal_decided_on = as_date(decision.get("decided_on"))
    result = outcome.get("result")
    if decision["outcome"] == "changed" and decision.get("new_result"):
        result = decision["new_result"]
    outcome.update(result=result, passed=result in PASSED, appeal_outcome=row.appeal_outcome,
                   appeal_decided_on=iso(row.appeal_decided_on), original_result=row.result)
    return outcome


def extend(call: ServiceCall) -> dict[str, Any]:
    """Extend the training period by voluntary agreement, without subsidy: the contract's end date moves."""
    ctx = call_context(call)
    facts = dict(call.params.get("facts") or call.task_data.get("case_facts", {}))
    new_end = as_date((call.params.get("retest") or {}).get("extended_end_date"))
    contract = contract_of(ctx.session, facts, ctx.case_id)
    current = as_date(facts.get("end_date")) or contract.end_date
    if new_end is None or (current is not None and new_end <= current):
        raise ValueError("the extended end date must be later than the contract's end date")
    contract.end_date = new_end
    facts.update(end_date=iso(new_end), extended_without_subsidy=True)
    return facts


def complete(call: ServiceCall) -> dict[str, Any]:
    """The candidate passed: the contract is fulfilled."""
    ctx = call_context(call)
    facts = dict(call.task_data.get("case_facts", {}))
    contract_of(ctx.session, facts, ctx.case_id).status = "completed"
    result = (call.params.get("outcome") or {}).get("result")
    facts.update(status="completed", outcome="passed", test_result=result)
    return facts


def close(call: ServiceCall) -> dict[str, Any]:
    """The case closes without a passed test (the contract keeps its status)."""
    facts = dict(call.task_data.get("case_facts", {}))
    facts.update(outcome="not_passed", test_result=(call.params.get("outcome") or {}).get("result"))
    return facts


def stop(call: ServiceCall) -> dict[str, Any]:
    """The contract ended early (contract.ended): the trade-test work stops."""
    ended = call.params.get("ended") or {}
    facts = dict(call.task_data.get("case_facts", {}))
    status = (ended.get("case_facts") or {}).get("status")
    facts.update(outcome="stopped", stopped_reason=ended.get("reason"))
    if status:
        facts["status"] = status
    return facts


def contract_of(session: Session, facts: dict[str, Any], case_id: int | None) -> Contract:
    """The contract the case is about: by the case facts' contract id, else the newest of the case."""
    contract = session.get(Contract, facts["contract_id"]) if facts.get("contract_id") else None
    if contract is None and case_id is not None:
        contract = session.scalars(select(Contract).where(Contract.case_id == case_id)
                                   .order_by(Contract.id.desc())).first()
    if contract is None:
        raise LookupError("the case has no contract")
    return contract


def _latest(session: Session, contract_id: int) -> TestRegistration | None:
    return session.scalars(select(TestRegistration).where(TestRegistration.contract_id == contract_id)
                           .order_by(TestRegistration.attempt.desc())).first()


def _registration(session: Session, ref: dict[str, Any]) -> TestRegistration:
    row = session.get(TestRegistration, ref.get("id") or ref.get("registration_id"))
    if row is None:
        raise LookupError("the trade-test registration does not exist")
    return row


HANDLERS = {
    "tradetest.start": start,
    "tradetest.plan": plan,
    "tradetest.check_prerequisites": check_prerequisites,
    "tradetest.register": register,
    "tradetest.board_assigned": board_assigned,
    "tradetest.record_result": record_result,
    "tradetest.record_appeal": record_appeal,
    "tradetest.record_appeal_decision": record_appeal_decision,
    "tradetest.extend": extend,
    "tradetest.complete": complete,
    "tradetest.close": close,
    "tradetest.stop": stop,
}
