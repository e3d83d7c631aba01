"""Service handlers of membership onboarding (domain.md §2.1): keep the MemberCompany, its contacts and its
trade approvals, and the case facts.

A company that is already an active member (a new trade in an approved company, "nytt lærefag i godkjent
bedrift") keeps its membership status whatever this case ends with; only its new trades are affected.
"""

from __future__ import annotations

import re
from datetime import date
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from engine.expressions import ServiceCall
from workflows.records import (
    ApprovalStatus,
    CompanyContact,
    ContactRole,
    MemberCompany,
    MembershipStatus,
    Person,
    TradeApproval,
    TrainingOffice,
)

from .context import as_date, call_context, iso

# A company in one of these states starts over as a lead when a new lead names it.
_REOPENED = (MembershipStatus.DECLINED, MembershipStatus.WITHDRAWN, MembershipStatus.REJECTED)
_ADDRESS = re.compile(r"^(?P<street>.+?),?\s+(?P<code>\d{4})\s+(?P<place>\S.*)$")


def register_lead(call: ServiceCall) -> dict[str, Any]:
    """Register the lead's company as a member company with status lead, or find it by orgnr (idempotent)."""
    session = call_context(call).session
    lead = call.params["lead"]
    office = session.scalars(select(TrainingOffice).order_by(TrainingOffice.id)).first()
    if office is None:
        raise LookupError("no training office is registered")
    company = session.scalars(select(MemberCompany).where(
        MemberCompany.office_id == office.id, MemberCompany.orgnr == lead["orgnr"])).first()
    facts = dict(call.task_data.get("case_facts", {}))
    if company is None:
        company = MemberCompany(office_id=office.id, orgnr=lead["orgnr"],
                                membership_status=MembershipStatus.LEAD.value)
        session.add(company)
        existing_member = False
    else:
        existing_member = company.membership_status == MembershipStatus.ACTIVE
        if company.membership_status in _REOPENED:
            company.membership_status = MembershipStatus.LEAD.value
    company.name = lead["company_name"]
    company.subunit_orgnr = lead.get("subunit_orgnr") or company.subunit_orgnr
    company.street_address, company.postal_code, company.postal_place = _address(lead["address"])
    company.municipality = lead["municipality"]
    company.county_number = lead["county"]
    company.sector = lead["sector"]
    company.collective_agreement = lead.get("collective_agreement") or company.collective_agreement
    session.flush()
    facts.update(
        company_id=company.id, company_orgnr=company.orgnr, company_name=company.name,
        county=company.county_number, trades=list(dict.fromkeys(lead["trades"])), places=lead["places"],
        contact_name=lead["contact_name"], contact_email=lead["contact_email"],
        existing_member=existing_member, status=company.membership_status)
    return facts


def record_capacity(call: ServiceCall) -> dict[str, Any]:
    """Record the capacity assessments: proposed faglig leder and instructors of each trade the company goes on with."""
    session = call_context(call).session
    facts = dict(call.task_data.get("case_facts", {}))
    company = _company(session, facts)
    by_trade: dict[str, dict[str, Any]] = {}
    for assessment in call.params["assessments"]:
        by_trade[assessment["trade"]] = assessment
    going_on = [t for t, a in by_trade.items() if a["company_decision"] == "continue"]
    contact_ids: list[int] = list(facts.get("contact_ids", []))
    for trade in going_on:
        for contact in _contacts(session, company, trade, by_trade[trade]):
            if contact.id not in contact_ids:
                contact_ids.append(contact.id)
    facts.update(trades=going_on, declined_trades=[t for t in by_trade if t not in going_on],
                 contact_ids=contact_ids)
    return facts


def set_status(call: ServiceCall) -> dict[str, Any]:
    """Move the company to a membership status; an end state (declined, withdrawn) is also the case's outcome."""
    session = call_context(call).session
    facts = dict(call.task_data.get("case_facts", {}))
    status = MembershipStatus(str(call.params["status"]))
    _set_membership(_company(session, facts), facts, status)
    if status in _REOPENED:
        facts["outcome"] = status.value
    return facts


def record_agreement(call: ServiceCall) -> dict[str, Any]:
    """Both parties have signed the member agreement: record the date, and the company is now onboarding."""
    session = call_context(call).session
    facts = dict(call.task_data.get("case_facts", {}))
    company_sig, office_sig = call.params["company"], call.params["office"]
    signed = [d for d in (as_date(company_sig.get("signed_on")), as_date(office_sig.get("signed_on"))) if d]
    company = _company(session, facts)
    company.agreement_signed_on = max(signed)
    _set_membership(company, facts, MembershipStatus.ONBOARDING)
    facts.update(agreement_signed_on=iso(company.agreement_signed_on),
                 agreement_ref=office_sig.get("document_ref") or company_sig.get("document_ref"))
    return facts


def apply_to_county(call: ServiceCall) -> dict[str, Any]:
    """The application has gone to the county: one TradeApproval row per trade, status applied."""
    session = call_context(call).session
    facts = dict(call.task_data.get("case_facts", {}))
    application, vigo = call.params["application"], call.params["vigo"]
    company = _company(session, facts)
    county, sent_on = application["county"], as_date(application["sent_on"])
    applied: list[str] = []
    for trade in dict.fromkeys(application["trades"]):
        row = _approval(session, company, trade, county)
        if row.status == ApprovalStatus.APPROVED:
            continue  # already approved there: nothing to apply for
        row.status, row.applied_on, row.approved_on, row.decision_ref = \
            ApprovalStatus.APPLIED.value, sent_on, None, None
        applied.append(trade)
    session.flush()
    facts.update(applied_trades=applied, application_county=county, applied_on=iso(sent_on),
                 vigo_id=vigo.get("vigo_id"))
    return facts


def _county_decision(call: ServiceCall) -> tuple[Any, dict[str, Any], dict[str, Any], Any, str, Any, str]:
    """What both county-decision handlers start from: session, facts, decision, company, county, date, ref."""
    session = call_context(call).session
    facts = dict(call.task_data.get("case_facts", {}))
    decision = call.params["decision"]
    company = _company(session, facts)
    county = facts.get("application_county") or company.county_number
    return session, facts, decision, company, county, as_date(decision["decided_on"]), decision["reference"]


def approve(call: ServiceCall) -> dict[str, Any]:
    """The county approved: the approved trades' rows are approved, the others rejected; the membership is active."""
    session, facts, decision, company, county, decided_on, reference = _county_decision(call)
    approved = list(dict.fromkeys(decision.get("approved_trades") or []))
    for trade in approved:
        row = _approval(session, company, trade, county)
        if row.status != ApprovalStatus.APPROVED or trade in facts.get("applied_trades", []):
            _decide(row, ApprovalStatus.APPROVED, decided_on, reference)  # an earlier approval keeps its date
    for trade in facts.get("applied_trades", []):
        if trade not in approved:
            _decide(_approval(session, company, trade, county), ApprovalStatus.REJECTED, decided_on, reference)
    _set_membership(company, facts, MembershipStatus.ACTIVE)
    session.flush()
    facts.update(approved_trades=approved, decided_on=iso(decided_on), decision_ref=reference)
    return facts


def reject(call: ServiceCall) -> dict[str, Any]:
    """The county rejected: the applied trades are rejected and so is the membership."""
    session, facts, decision, company, county, decided_on, reference = _county_decision(call)
    for trade in facts.get("applied_trades", []):
        _decide(_approval(session, company, trade, county), ApprovalStatus.REJECTED, decided_on, reference)
    _set_membership(company, facts, MembershipStatus.REJECTED)
    session.flush()
    facts.update(outcome=MembershipStatus.REJECTED.value, decided_on=iso(decided_on), decision_ref=reference,
                 rejection_reason=decision.get("reason"))
    return facts


def record_courses(call: ServiceCall) -> dict[str, Any]:
    """Record the course dates on the faglig leder and instructors proposed in this case; the member is active."""
    session = call_context(call).session
    facts = dict(call.task_data.get("case_facts", {}))
    courses = call.params["courses"]
    dates = {ContactRole.FAGLIG_LEDER.value: as_date(courses.get("faglig_leder_course_on")),
             ContactRole.INSTRUCTOR.value: as_date(courses.get("instructor_course_on"))}
    for contact in session.scalars(select(CompanyContact).where(CompanyContact.id.in_(facts.get("contact_ids", [])))):
        if dates.get(contact.role):
            contact.course_completed_on = dates[contact.role]
    facts.update(outcome=MembershipStatus.ACTIVE.value, training_plan_ready=bool(courses.get("training_plan_ready")))
    return facts


def _company(session: Session, facts: dict[str, Any]) -> MemberCompany:
    company = session.get(MemberCompany, facts["company_id"])
    if company is None:
        raise LookupError(f"member company {facts.get('company_orgnr')} is gone")
    return company


def _set_membership(company: MemberCompany, facts: dict[str, Any], status: MembershipStatus) -> None:
    """Set the status, except on a company that was already an active member when the case began."""
    if not facts.get("existing_member"):
        company.membership_status = status.value
    facts["status"] = company.membership_status


def _address(text: str) -> tuple[str, str, str]:
    """Street, postcode and town from "Storgata 1, 0155 Oslo"; all in the street when the text has no postcode."""
    match = _ADDRESS.match(text.strip())
    if match is None:
        return text.strip(), "", ""
    return match["street"].strip(), match["code"], match["place"].strip()


def _contacts(session: Session, company: MemberCompany, trade: str, assessment: dict[str, Any]) -> list[CompanyContact]:
    """The faglig leder (when an e-mail is given) and the named instructors of one trade, found or created."""
    found: list[CompanyContact] = []
    email = (assessment.get("faglig_leder_email") or "").strip().lower()
    if assessment.get("faglig_leder_name") and email:
        person = session.scalars(select(Person).where(Person.email == email).order_by(Person.id)).first() \
            or _new_person(session, assessment["faglig_leder_name"], email=email,
                           mobile=assessment.get("faglig_leder_phone"))
        found.append(_link(session, person, company, ContactRole.FAGLIG_LEDER, trade, email=email,
                           phone=assessment.get("faglig_leder_phone")))
    names = [n.strip() for n in (assessment.get("instructor_names") or "").splitlines() if n.strip()]
    for name in dict.fromkeys(names):
        contact = next((c for c in _roles(session, company, ContactRole.INSTRUCTOR) if c.person.full_name == name),
                       None)
        person = contact.person if contact else _new_person(session, name)
        found.append(_link(session, person, company, ContactRole.INSTRUCTOR, trade))
    return found


def _roles(session: Session, company: MemberCompany, role: ContactRole) -> list[CompanyContact]:
    return list(session.scalars(select(CompanyContact).where(
        CompanyContact.company_id == company.id, CompanyContact.role == role.value)))


def _new_person(session: Session, name: str, *, email: str | None = None, mobile: str | None = None) -> Person:
    first, _, last = name.strip().rpartition(" ")
    person = Person(national_id=None, first_name=first or last, last_name=last, birth_date=None,
                    email=email, mobile=mobile or None)
    session.add(person)
    session.flush()
    return person


def _link(session: Session, person: Person, company: MemberCompany, role: ContactRole, trade: str, *,
          email: str | None = None, phone: str | None = None) -> CompanyContact:
    contact = session.scalars(select(CompanyContact).where(
        CompanyContact.person_id == person.id, CompanyContact.company_id == company.id,
        CompanyContact.role == role.value)).first()
    if contact is None:
        contact = CompanyContact(person_id=person.id, company_id=company.id, role=role.value, trades=[])
        session.add(contact)
    if trade not in (contact.trades or []):
        contact.trades = [*(contact.trades or []), trade]
    contact.email = email or contact.email
    contact.phone = phone or contact.phone
    contact.active = True
    session.flush()
    return contact


def _approval(session: Session, company: MemberCompany, trade: str, county: str) -> TradeApproval:
    row = session.scalars(select(TradeApproval).where(
        TradeApproval.company_id == company.id, TradeApproval.trade_code == trade,
        TradeApproval.county_number == county)).first()
    if row is None:
        row = TradeApproval(company_id=company.id, trade_code=trade, county_number=county,
                            status=ApprovalStatus.APPLIED.value)
        session.add(row)
    return row


def _decide(row: TradeApproval, status: ApprovalStatus, decided_on: date | None, reference: str) -> None:
    row.status = status.value
    row.approved_on = decided_on if status == ApprovalStatus.APPROVED else None
    row.decision_ref = reference


HANDLERS = {
    "onboarding.register_lead": register_lead,
    "onboarding.record_capacity": record_capacity,
    "onboarding.set_status": set_status,
    "onboarding.record_agreement": record_agreement,
    "onboarding.apply_to_county": apply_to_county,
    "onboarding.approve": approve,
    "onboarding.reject": reject,
    "onboarding.record_courses": record_courses,
}
