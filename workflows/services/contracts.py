"""Service handlers of the contract-signing process: keep the Contract record and the case facts."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from engine.expressions import ServiceCall
from forms.validators import birth_date_from_fnr
from workflows.records import (
    CompanyContact,
    Contract,
    Guardian,
    MemberCompany,
    Person,
    TradeApproval,
    TrainingOffice,
)

from .context import as_date, call_context, iso

ACTIVE_CONTRACT = ("draft", "signing", "awaiting_county", "rejected", "expired")


def save_draft(call: ServiceCall) -> dict[str, Any]:
    """Create or update the contract from the draft form; run the pre-check; return the case facts."""
    ctx = call_context(call)
    session: Session = ctx.session
    draft = call.params["draft"]
    missing: list[str] = []
    office = session.scalars(select(TrainingOffice).order_by(TrainingOffice.id)).first()
    if office is None or not office.manager_email:
        missing.append("office_manager_email")
    company = session.scalars(select(MemberCompany).where(MemberCompany.orgnr == draft["company_orgnr"])).first()
    if company is None:
        missing.append("company_not_member")
    elif not _approved(session, company, draft["trade"]):
        missing.append("company_not_approved_in_trade")
    if not draft.get("apprentice_mobile"):
        missing.append("apprentice_mobile")
    leader = _faglig_leder(session, company, draft.get("faglig_leder_email")) if company else None
    if leader is None:
        missing.append("faglig_leder_not_registered")
    apprentice = _apprentice(session, draft)
    start, end = as_date(draft.get("start_date")), as_date(draft.get("end_date"))
    minor = start is not None and apprentice.age_on(start) < 18
    if minor:
        _guardian(session, apprentice, draft)
    facts = {
        "apprentice_name": apprentice.full_name, "apprentice_fnr": apprentice.national_id,
        "company_orgnr": draft["company_orgnr"], "company_name": company.name if company else None,
        "trade": draft["trade"], "county": company.county_number if company else None,
        "contract_type": draft["contract_type"], "start_date": iso(start), "end_date": iso(end),
        "minor": minor, "missing": missing,
    }
    if company is None or office is None:
        return {**call.task_data.get("case_facts", {}), **facts, "contract_id": None}
    contract = _contract_of_case(session, ctx.case_id) or Contract(case_id=ctx.case_id, office_id=office.id)
    contract.contract_type, contract.trade_code = draft["contract_type"], draft["trade"]
    contract.apprentice_id, contract.company_id = apprentice.id, company.id
    contract.faglig_leder_id = leader.id if leader else None
    contract.county_number = company.county_number
    contract.start_date, contract.end_date = start, end
    contract.training_model = draft.get("training_model") or contract.training_model
    contract.probation_months = draft.get("probation_months") or 0
    contract.credit_months = draft.get("credit_months") or 0
    contract.missing_common_subjects = list(draft.get("missing_common_subjects") or [])
    contract.extra_terms = draft.get("extra_terms")
    contract.employment_contract_ref = draft.get("employment_contract_ref")
    contract.status = "draft"
    session.add(contract)
    session.flush()
    return {**facts, "contract_id": contract.id}


def set_status(call: ServiceCall) -> str:
    """Move the case's contract to a new status (signing, awaiting_county, rejected, expired, withdrawn …)."""
    ctx = call_context(call)
    contract = _contract_of_case(ctx.session, ctx.case_id)
    status = str(call.params["status"])
    if contract is not None:
        contract.status = status
    return status


def approve(call: ServiceCall) -> dict[str, Any]:
    """Record the county's approval: the contract is valid from now on."""
    ctx = call_context(call)
    decision = call.params["decision"]
    contract = _contract_of_case(ctx.session, ctx.case_id)
    if contract is not None:
        contract.status = "approved"
        contract.county_approved_on = as_date(decision.get("decided_on"))
        contract.county_decision_ref = decision.get("reference")
    facts = dict(call.task_data.get("case_facts", {}))
    facts.update(status="approved", approved_on=iso(as_date(decision.get("decided_on"))))
    return facts


def _approved(session: Session, company: MemberCompany, trade: str) -> bool:
    return session.scalars(select(TradeApproval.id).where(
        TradeApproval.company_id == company.id, TradeApproval.trade_code == trade,
        TradeApproval.status == "approved")).first() is not None


def _faglig_leder(session: Session, company: MemberCompany, email: str | None) -> Person | None:
    if not email:
        return None
    contact = session.scalars(select(CompanyContact).where(
        CompanyContact.company_id == company.id, CompanyContact.role == "faglig_leder",
        CompanyContact.email == email.strip().lower())).first()
    return contact.person if contact else None


def _apprentice(session: Session, draft: dict[str, Any]) -> Person:
    fnr = draft["apprentice_fnr"]
    person = session.scalars(select(Person).where(Person.national_id == fnr)).first()
    if person is None:
        person = Person(national_id=fnr, birth_date=birth_date_from_fnr(fnr))
        session.add(person)
    person.first_name = draft["apprentice_first_name"]
    person.middle_name = draft.get("apprentice_middle_name") or None
    person.last_name = draft["apprentice_last_name"]
    # Contact details fill gaps in the register; they never overwrite what the register already holds.
    person.mobile = person.mobile or draft.get("apprentice_mobile")
    person.email = person.email or draft.get("apprentice_email")
    person.street_address = person.street_address or draft.get("apprentice_address")
    session.flush()
    return person


def _guardian(session: Session, apprentice: Person, draft: dict[str, Any]) -> None:
    if not draft.get("guardian_name") or apprentice.guardians:
        return
    first, _, last = draft["guardian_name"].rpartition(" ")
    guardian = Person(national_id=None, first_name=first or last, last_name=last, birth_date=None,
                      mobile=draft.get("guardian_phone"), email=draft.get("guardian_email"))
    session.add(guardian)
    session.flush()
    session.add(Guardian(apprentice_id=apprentice.id, guardian_id=guardian.id,
                         relation=draft.get("guardian_relation") or "parent"))


def _contract_of_case(session: Session, case_id: int | None) -> Contract | None:
    if case_id is None:
        return None
    return session.scalars(select(Contract).where(Contract.case_id == case_id)
                           .order_by(Contract.id.desc())).first()


HANDLERS = {
    "contract.save_draft": save_draft,
    "contract.set_status": set_status,
    "contract.approve": approve,
}
