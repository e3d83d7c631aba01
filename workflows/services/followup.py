"""Service handlers of the follow-up process (halvårsvurdering, domain.md §2.3): plan the half-years, keep the
Evaluation and FollowUpMeeting records, and build the concern that starts conflict handling."""

from __future__ import annotations

from calendar import monthrange
from datetime import date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlalchemy.orm import Session

from engine.expressions import ServiceCall
from workflows.records import Contract, Evaluation, FollowUpMeeting, upsert

from .context import as_date, call_context, iso

OFFICE_TZ = ZoneInfo("Europe/Oslo")
WORKDAY_STARTS = time(8, 0)          # timers fire at 08:00 office time
EVALUATION_MONTHS = {"m03": 3, "m09": 9, "m15": 15, "m21": 21}
OPEN_BEFORE = timedelta(days=14)     # the evaluation task opens 14 days before its due date
REMIND_BEFORE = timedelta(days=3)    # a reminder shortly before the due date
ESCALATE_AFTER = timedelta(days=14)  # not done 14 days after the due date: escalate to the konsulent
MEETING_WINDOW_MONTHS = 1            # a meeting task opens each half-year and is due a month later


def add_months(day: date, months: int) -> date:
    """The date `months` calendar months after `day` (the 31st may become the 30th)."""
    index = day.month - 1 + months
    year, month = day.year + index // 12, index % 12 + 1
    return day.replace(year=year, month=month, day=min(day.day, monthrange(year, month)[1]))


def at_office_morning(day: date) -> str:
    """The exact instant (ISO with UTC offset) of 08:00 office time on `day`, for timeDate timers."""
    return datetime.combine(day, WORKDAY_STARTS, OFFICE_TZ).isoformat()


def plan_half_years(start: date, end: date | None) -> list[dict[str, Any]]:
    """The half-years of the training period: each with its evaluation (3, 9, 15, 21 months) and meeting.

    A half-year that would begin on or after the contract's end date is left out (a shortened læretid).
    """
    plan = []
    for number, (period, months) in enumerate(EVALUATION_MONTHS.items(), start=1):
        begins = add_months(start, months - 3)
        if end is not None and begins >= end:
            break
        due = add_months(start, months)
        plan.append({
            "number": number,
            "evaluation": {"period": period, "due_on": due.isoformat(),
                           "open_at": at_office_morning(due - OPEN_BEFORE),
                           "remind_at": at_office_morning(due - REMIND_BEFORE),
                           "escalate_at": at_office_morning(due + ESCALATE_AFTER)},
            "meeting": {"open_at": at_office_morning(begins),
                        "due_on": add_months(begins, MEETING_WINDOW_MONTHS).isoformat()},
        })
    return plan


def open_follow_up(call: ServiceCall) -> dict[str, Any]:
    """Take the approved contract's case facts from the message and check the contract is on record."""
    ctx = call_context(call)
    facts = dict(call.params["facts"] or {})
    contract = _contract(ctx.session, ctx.case_id, facts)
    return {**facts, "contract_id": contract.id, "follow_up": "running"}


def schedule(call: ServiceCall) -> list[dict[str, Any]]:
    """Create the case's Evaluation and FollowUpMeeting rows (idempotently) and return the half-year plan."""
    ctx = call_context(call)
    facts = dict(call.params["facts"] or {})
    contract = _contract(ctx.session, ctx.case_id, facts)
    start = as_date(facts.get("start_date")) or contract.start_date
    if start is None:
        raise ValueError("the contract has no start date, so no evaluations can be planned")
    plan = plan_half_years(start, as_date(facts.get("end_date")) or contract.end_date)
    for half_year in plan:
        evaluation, meeting = half_year["evaluation"], half_year["meeting"]
        row, _ = upsert(ctx.session, Evaluation, {"contract_id": contract.id, "period": evaluation["period"]},
                        {"case_id": ctx.case_id, "due_on": as_date(evaluation["due_on"])})
        evaluation["id"] = row.id
        planned, _ = upsert(ctx.session, FollowUpMeeting,
                            {"contract_id": contract.id, "planned_on": as_date(meeting["due_on"])},
                            {"case_id": ctx.case_id})
        meeting["id"] = planned.id
    return plan


def next_half_year(call: ServiceCall) -> dict[str, Any]:
    """The half-year that begins next: the first one, or the one after the branch's current `half_year`."""
    plan = list(call.params["half_years"] or [])
    current = call.task_data.get("half_year")
    index = int(current["number"]) if current else 0
    if index >= len(plan):
        raise ValueError(f"there is no half-year after number {index}")
    return plan[index]


def record_evaluation(call: ServiceCall) -> dict[str, Any]:
    """Record a completed half-year evaluation on its Evaluation row; say whether it raised a concern."""
    ctx = call_context(call)
    planned, form = call.params["evaluation"], dict(call.params["form"])
    row = ctx.session.get(Evaluation, planned["id"])
    if row is None:
        raise ValueError(f"evaluation {planned['id']} is not on record")
    row.completed_on = _office_today(ctx.now)
    row.meeting_on = as_date(form.get("meeting_date"))
    row.absence_days = int(form.get("absence_days") or 0)
    row.concern = bool(form.get("concern"))
    row.summary = _plain(form)
    return {"evaluation_id": row.id, "period": row.period, "completed_on": iso(row.completed_on),
            "concern": row.concern, "conflict_register": _concern(form, "company") if row.concern else None}


def record_meeting(call: ServiceCall) -> dict[str, Any]:
    """Record a follow-up meeting the konsulent held on its FollowUpMeeting row."""
    ctx = call_context(call)
    planned, form = call.params["meeting"], dict(call.params["form"])
    row = ctx.session.get(FollowUpMeeting, planned["id"])
    if row is None:
        raise ValueError(f"follow-up meeting {planned['id']} is not on record")
    row.held_on = as_date(form.get("meeting_date"))
    row.held_by = ctx.actor
    row.participants = list(form.get("participants") or [])
    row.concern = bool(form.get("concern"))
    row.notes = form.get("notes")
    return {"meeting_id": row.id, "held_on": iso(row.held_on), "wellbeing": form.get("wellbeing"),
            "concern": row.concern, "conflict_register": _concern(form, "office") if row.concern else None}


def close(call: ServiceCall) -> dict[str, Any]:
    """End the follow-up: drop the evaluations and meetings that will now never be due; return the case facts.

    `outcome` is "completed" (all half-years followed up), "contract_ended" or "contract_completed"; `facts`
    are the newer case facts the stopping message brought, if any.
    """
    ctx = call_context(call)
    outcome = str(call.params["outcome"])
    facts = {**call.task_data.get("case_facts", {}), **(call.params.get("facts") or {})}
    dropped = 0
    if outcome != "completed":
        for half_year in call.task_data.get("half_years") or []:
            evaluation = ctx.session.get(Evaluation, half_year["evaluation"].get("id"))
            if evaluation is not None and evaluation.completed_on is None:
                ctx.session.delete(evaluation)
                dropped += 1
            meeting = ctx.session.get(FollowUpMeeting, half_year["meeting"].get("id"))
            if meeting is not None and meeting.held_on is None:
                ctx.session.delete(meeting)
                dropped += 1
    contract = ctx.session.get(Contract, facts.get("contract_id")) if facts.get("contract_id") else None
    if contract is not None:
        facts["status"] = contract.status
    return {**facts, "follow_up": outcome, "follow_up_dropped": dropped}


def _concern(form: dict[str, Any], raised_by: str) -> dict[str, Any]:
    """The data of form conflict.register for a concern recorded in an evaluation or a meeting."""
    raised_on = as_date(form.get("meeting_date"))
    return {"category": form.get("concern_category"), "description": form.get("concern_description"),
            "raised_by": raised_by, "raised_on": iso(raised_on)}


def _contract(session: Session, case_id: int | None, facts: dict[str, Any]) -> Contract:
    contract = session.get(Contract, facts["contract_id"]) if facts.get("contract_id") else None
    if contract is None and case_id is not None:
        contract = session.scalars(select(Contract).where(Contract.case_id == case_id)
                                   .order_by(Contract.id.desc())).first()
    if contract is None:
        raise ValueError("no contract is on record for this case; follow-up starts from an approved contract")
    return contract


def _office_today(now: datetime) -> date:
    return now.astimezone(OFFICE_TZ).date()


def _plain(value: Any) -> Any:
    if isinstance(value, dict):
        return {k: _plain(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_plain(v) for v in value]
    if isinstance(value, (date, datetime)):
        return value.isoformat()
    return value


HANDLERS = {
    "followup.open": open_follow_up,
    "followup.schedule": schedule,
    "followup.next_half_year": next_half_year,
    "followup.record_evaluation": record_evaluation,
    "followup.record_meeting": record_meeting,
    "followup.close": close,
}
