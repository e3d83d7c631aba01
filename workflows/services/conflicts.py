"""Service handlers of conflict handling (tvist, mekling, bytte, heving): the ConflictCase and the Contract.

Every handler returning case facts merges its changes into the incoming `case_facts`. The contract is the
one the conflict case was opened under (`case_facts["contract_id"]`); it is changed in place, so the other
processes of the case keep pointing at the same contract id.
"""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlalchemy.orm import Session

from engine.context import CallContext
from engine.expressions import ServiceCall
from engine.projections import rescope_open_tasks
from workflows.records import CompanyContact, ConflictCase, Contract, MemberCompany, TradeApproval

from .context import as_date, call_context, iso

OSLO = ZoneInfo("Europe/Oslo")
# A conflict can only be handled under a contract that is running.
RUNNING = ("approved", "interrupted")


def open_case(call: ServiceCall) -> dict[str, Any]:
    """Open the conflict case for a raised concern (or find it again on a repeat); return the case facts."""
    ctx = call_context(call)
    concern = call.params["concern"]
    facts = dict(concern.get("case_facts") or {})
    register = concern["conflict_register"]
    contract = _find_contract(ctx.session, ctx.case_id, facts.get("contract_id"))
    if contract is None or contract.status not in RUNNING:
        state = "no contract" if contract is None else f"the contract is {contract.status}"
        raise ValueError(f"a conflict needs a running (approved) contract in the case; {state}")
    raised_on = as_date(register["raised_on"]) or _today(ctx)
    conflict = ctx.session.scalars(select(ConflictCase).where(
        ConflictCase.contract_id == contract.id, ConflictCase.case_id == ctx.case_id,
        ConflictCase.category == register["category"], ConflictCase.registered_on == raised_on,
        ConflictCase.outcome.is_(None))).first()
    if conflict is None:
        conflict = ConflictCase(contract_id=contract.id, case_id=ctx.case_id, category=register["category"],
                                registered_on=raised_on)
        ctx.session.add(conflict)
        ctx.session.flush()
    return {**facts, **_contract_facts(contract), "conflict_id": conflict.id,
            "conflict_category": conflict.category, "conflict_raised_by": register.get("raised_by"),
            "conflict_raised_on": iso(raised_on)}


def start_mediation(call: ServiceCall) -> dict[str, Any]:
    """Record that the office mediated; return the case facts with the follow-up date."""
    ctx = call_context(call)
    mediation = call.params["mediation"]
    conflict = _conflict(ctx, call)
    conflict.mediation_started_on = as_date(mediation["meeting_date"])
    follow_up = _today(ctx) + timedelta(weeks=int(mediation["follow_up_weeks"]))
    return {**call.task_data.get("case_facts", {}), "conflict_follow_up_on": iso(follow_up)}


def record_path(call: ServiceCall) -> str:
    """Record the way forward chosen after mediation (conflict.choose_path)."""
    ctx = call_context(call)
    path = str(call.params["choice"]["path"])
    _conflict(ctx, call).path = path
    return path


def check_move(call: ServiceCall) -> dict[str, Any]:
    """Check the new company: an active member, approved in the trade, with the faglig leder registered."""
    ctx = call_context(call)
    move = call.params["move"]
    contract = _contract(ctx, call)
    company = _company(ctx.session, move["new_company_orgnr"])
    problems: list[str] = []
    if company is None:
        problems.append("company_not_member")
    elif company.id == contract.company_id:
        problems.append("same_company")
    else:
        if company.membership_status != "active":
            problems.append("company_not_active_member")
        if not _approved_in_trade(ctx.session, company, contract.trade_code):
            problems.append("company_not_approved_in_trade")
        if _faglig_leder(ctx.session, company, move.get("new_faglig_leder_email")) is None:
            problems.append("faglig_leder_not_registered")
    return {"ok": not problems, "problems": problems, "company_name": company.name if company else None}


def move_company(call: ServiceCall) -> dict[str, Any]:
    """Move the contract to the new member company (checked by check_move); the conflict ends as moved."""
    ctx = call_context(call)
    move = call.params["move"]
    contract = _contract(ctx, call)
    company = _company(ctx.session, move["new_company_orgnr"])
    if company is None:
        raise ValueError(f"no member company with orgnr {move['new_company_orgnr']}")
    leader = _faglig_leder(ctx.session, company, move.get("new_faglig_leder_email"))
    old_orgnr = ctx.session.scalar(select(MemberCompany.orgnr).where(MemberCompany.id == contract.company_id))
    if old_orgnr and ctx.case_id is not None and old_orgnr != company.orgnr:
        # the old company's supervisors lose the case's open tasks; the new company's get them
        rescope_open_tasks(ctx.session, ctx.case_id, old_orgnr, company.orgnr)
    contract.company_id, contract.county_number = company.id, company.county_number
    contract.faglig_leder_id = leader.person_id if leader else None
    contract.employment_contract_ref = move["employment_contract_ref"]
    conflict = _close(ctx, call, "moved")
    conflict.decided_on = as_date(move["move_on"])
    ctx.session.flush()
    return {**call.task_data.get("case_facts", {}), **_contract_facts(contract), "outcome": "moved",
            "moved_on": iso(as_date(move["move_on"]))}


def change_type(call: ServiceCall) -> dict[str, Any]:
    """Change the contract type with the county's consent; the conflict ends as converted."""
    ctx = call_context(call)
    change = call.params["change"]
    contract = _contract(ctx, call)
    contract.contract_type = change["new_contract_type"]
    conflict = _close(ctx, call, "converted")
    conflict.decision_ref, conflict.decided_on = change["county_consent_ref"], as_date(change["changed_on"])
    return {**call.task_data.get("case_facts", {}), **_contract_facts(contract), "outcome": "converted"}


def interrupt(call: ServiceCall) -> dict[str, Any]:
    """Interrupt the training with the county's consent and extend the end date by the interruption.

    The interruption runs from `interruption_from` to `interruption_to`, both days included; training
    resumes the day after (`interruption.resume_at`, midnight in Oslo, read by the process's timer).
    """
    ctx = call_context(call)
    data = call.params["interruption"]
    start, until = as_date(data["interruption_from"]), as_date(data["interruption_to"])
    if start is None or until is None:
        raise ValueError("an interruption needs both its first and its last day")
    days = (until - start).days + 1
    contract = _contract(ctx, call)
    conflict = _conflict(ctx, call)
    if conflict.outcome != "interrupted":  # extend once, even if the step is repeated
        if contract.end_date is not None:
            contract.end_date = contract.end_date + timedelta(days=days)
        contract.status = "interrupted"
        _close(ctx, call, "interrupted")
        conflict.decision_ref, conflict.decided_on = data["county_consent_ref"], _today(ctx)
    resume_at = datetime.combine(until + timedelta(days=1), time(0, 0), tzinfo=OSLO)
    interruption = {"from": iso(start), "until": iso(until), "days": days, "resume_at": resume_at.isoformat()}
    return {**call.task_data.get("case_facts", {}), **_contract_facts(contract), "outcome": "interrupted",
            "interruption": interruption}


def resume(call: ServiceCall) -> dict[str, Any]:
    """The interruption is over: the contract runs again (unless it ended meanwhile)."""
    ctx = call_context(call)
    contract = _contract(ctx, call)
    if contract.status == "interrupted":
        contract.status = "approved"
    return {**call.task_data.get("case_facts", {}), **_contract_facts(contract)}


def cancel_by_agreement(call: ServiceCall) -> dict[str, Any]:
    """Heving by agreement: the contract ends on the day the last party signed the declaration."""
    ctx = call_context(call)
    agreement = call.params["agreement"]
    signed = [as_date(agreement["apprentice_signed_on"]), as_date(agreement["company_signed_on"])]
    ends_on = max(d for d in signed if d is not None)
    contract = _contract(ctx, call)
    _end_contract(contract, "cancelled_agreement", ends_on)
    conflict = _close(ctx, call, "cancelled_agreement")
    conflict.decided_on, conflict.training_ends_on = ends_on, ends_on
    return {**call.task_data.get("case_facts", {}), **_contract_facts(contract), "outcome": "cancelled_agreement",
            "ended_on": iso(ends_on)}


def record_decision(call: ServiceCall) -> dict[str, Any]:
    """The county's decision on heving: cancelled (the contract ends on the date set) or rejected."""
    ctx = call_context(call)
    decision = call.params["decision"]
    contract = _contract(ctx, call)
    cancelled = decision["decision"] == "cancelled"
    outcome = "cancelled_decision" if cancelled else "rejected"
    conflict = _close(ctx, call, outcome)
    conflict.decided_on, conflict.decision_ref = as_date(decision["decided_on"]), decision["reference"]
    facts = {**call.task_data.get("case_facts", {}), "outcome": outcome}
    if cancelled:
        ends_on = as_date(decision["end_date"])
        _end_contract(contract, "cancelled_decision", ends_on)
        conflict.training_ends_on = ends_on
        conflict.right_to_training_kept = bool(decision.get("right_to_training_kept"))
        facts["ended_on"] = iso(ends_on)
    return {**facts, **_contract_facts(contract)}


def close(call: ServiceCall) -> dict[str, Any]:
    """End the conflict case with `outcome` (resolved); the contract continues unchanged."""
    ctx = call_context(call)
    outcome = str(call.params["outcome"])
    _close(ctx, call, outcome)
    return {**call.task_data.get("case_facts", {}), "outcome": outcome}


def _today(ctx: CallContext) -> date:
    return ctx.now.astimezone(OSLO).date()


def _close(ctx: CallContext, call: ServiceCall, outcome: str) -> ConflictCase:
    conflict = _conflict(ctx, call)
    conflict.outcome = outcome
    conflict.closed_on = max(_today(ctx), conflict.registered_on)
    return conflict


def _end_contract(contract: Contract, status: str, ends_on: date | None) -> None:
    """End the contract early; the end date moves only if it stays after the start (the DB requires it)."""
    contract.status = status
    if ends_on is not None and (contract.start_date is None or ends_on > contract.start_date):
        contract.end_date = ends_on


def _conflict(ctx: CallContext, call: ServiceCall) -> ConflictCase:
    conflict_id = call.task_data.get("case_facts", {}).get("conflict_id")
    conflict = ctx.session.get(ConflictCase, conflict_id) if conflict_id else None
    if conflict is None:
        raise ValueError("the case facts name no conflict case")
    return conflict


def _contract(ctx: CallContext, call: ServiceCall) -> Contract:
    return _conflict(ctx, call).contract


def _find_contract(session: Session, case_id: int | None, contract_id: Any) -> Contract | None:
    if contract_id:
        return session.get(Contract, int(contract_id))
    if case_id is None:
        return None
    return session.scalars(select(Contract).where(Contract.case_id == case_id).order_by(Contract.id.desc())).first()


def _contract_facts(contract: Contract) -> dict[str, Any]:
    return {"contract_id": contract.id, "company_orgnr": contract.company.orgnr,
            "company_name": contract.company.name, "county": contract.county_number,
            "contract_type": contract.contract_type, "trade": contract.trade_code,
            "start_date": iso(contract.start_date), "end_date": iso(contract.end_date), "status": contract.status}


def _company(session: Session, orgnr: str) -> MemberCompany | None:
    return session.scalars(select(MemberCompany).where(MemberCompany.orgnr == orgnr)
                           .order_by(MemberCompany.id)).first()


def _approved_in_trade(session: Session, company: MemberCompany, trade: str) -> bool:
    return session.scalars(select(TradeApproval.id).where(
        TradeApproval.company_id == company.id, TradeApproval.trade_code == trade,
        TradeApproval.status == "approved")).first() is not None


def _faglig_leder(session: Session, company: MemberCompany, email: str | None) -> CompanyContact | None:
    if not email:
        return None
    return session.scalars(select(CompanyContact).where(
        CompanyContact.company_id == company.id, CompanyContact.role == "faglig_leder",
        CompanyContact.email == email.strip().lower())).first()


HANDLERS = {
    "conflict.open_case": open_case,
    "conflict.start_mediation": start_mediation,
    "conflict.record_path": record_path,
    "conflict.check_move": check_move,
    "conflict.move_company": move_company,
    "conflict.change_type": change_type,
    "conflict.interrupt": interrupt,
    "conflict.resume": resume,
    "conflict.cancel_by_agreement": cancel_by_agreement,
    "conflict.record_decision": record_decision,
    "conflict.close": close,
}
