"""`load_demo_people_and_companies`: store the demo office, members, approvals and people (idempotent)."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from sqlalchemy.orm import Session

from workflows.records import (
    CompanyContact,
    County,
    Guardian,
    MemberCompany,
    OfficeApproval,
    Person,
    TradeApproval,
    TrainingOffice,
    upsert,
)
from workflows.reference_data import LoadSummary, load_reference_data

from .dataset import DEFAULT_SEED, EMAIL_DOMAIN, DemoData, PersonSpec
from .plan import build_demo


@dataclass
class DemoSummary:
    """What the demo holds, and how many rows this run created or changed (0 on a second run)."""

    intake: date
    companies_by_status: dict[str, int]
    trade_approvals_by_status: dict[str, int]
    office_approvals: int
    people: int
    apprentices: int
    faglig_ledere: int
    instructors: int
    guardians: int
    placements_by_cohort: dict[str, int]
    personas: dict[str, int]
    rows: LoadSummary = field(default_factory=LoadSummary)

    @property
    def changed(self) -> int:
        """Rows created or updated by this run."""
        return self.rows.changed

    def as_dict(self) -> dict[str, Any]:
        """The counts as plain data (for a CLI or a log line)."""
        return {
            "intake": self.intake.isoformat(), "companies_by_status": self.companies_by_status,
            "trade_approvals_by_status": self.trade_approvals_by_status, "office_approvals": self.office_approvals,
            "people": self.people, "apprentices": self.apprentices, "faglig_ledere": self.faglig_ledere,
            "instructors": self.instructors, "guardians": self.guardians,
            "placements_by_cohort": self.placements_by_cohort, "personas": self.personas,
            "created": sum(self.rows.created.values()), "updated": sum(self.rows.updated.values()),
        }


def load_demo_people_and_companies(session: Session, today: date, *, seed: int = DEFAULT_SEED) -> DemoSummary:
    """Load the reference data and the demo office, companies, approvals, people and roles; no cases.

    Idempotent: rows are upserted by key (orgnr, national id, and the natural keys of the link tables),
    so running it again with a day in the same intake year changes nothing. It never deletes. The caller
    commits.
    """
    rows = load_reference_data(session)
    data = build_demo(today, seed)
    office = _store_office(session, data, rows)
    for number in ("03", "32"):  # demo contact addresses, only where the installation has none
        county = session.get(County, number)
        if county is not None and county.contact_email is None:
            county.contact_email = f"fagopplaering.{county.name.lower()}@{EMAIL_DOMAIN}"
            rows.count("county", "updated")
    companies = _store_companies(session, data, office, rows)
    people = {spec.national_id: _store_person(session, spec, rows) for spec in data.people}
    for contact in data.contacts:
        _, outcome = upsert(
            session, CompanyContact,
            {"person_id": people[contact.national_id].id, "company_id": companies[contact.company_key].id,
             "role": contact.role},
            {"trades": list(contact.trades), "email": contact.email, "phone": contact.phone,
             "course_completed_on": contact.course_completed_on, "active": True})
        rows.count("company_contact", outcome)
    for link in data.guardians:
        _, outcome = upsert(
            session, Guardian,
            {"apprentice_id": people[link.apprentice_national_id].id,
             "guardian_id": people[link.guardian_national_id].id},
            {"relation": link.relation})
        rows.count("guardian", outcome)
    session.flush()
    return _summary(data, rows)


def _store_office(session: Session, data: DemoData, rows: LoadSummary) -> TrainingOffice:
    spec = data.office
    office, outcome = upsert(session, TrainingOffice, {"orgnr": spec.orgnr}, {
        "name": spec.name, "manager_name": spec.manager_name, "manager_email": spec.manager_email,
        "subsidy_share_percent": spec.subsidy_share_percent, "fte": spec.fte})
    rows.count("training_office", outcome)
    for approval in spec.approvals:
        _, outcome = upsert(
            session, OfficeApproval,
            {"office_id": office.id, "county_number": approval.county_number, "trade_code": approval.trade_code},
            {"status": approval.status, "approved_on": approval.approved_on, "decision_ref": approval.decision_ref})
        rows.count("office_approval", outcome)
    return office


def _store_companies(session: Session, data: DemoData, office: TrainingOffice,
                     rows: LoadSummary) -> dict[str, MemberCompany]:
    stored = {}
    for spec in data.companies:
        company, outcome = upsert(session, MemberCompany, {"office_id": office.id, "orgnr": spec.orgnr}, {
            "subunit_orgnr": spec.subunit_orgnr, "name": spec.name, "street_address": spec.address.street,
            "postal_code": spec.address.postal_code, "postal_place": spec.address.postal_place,
            "municipality": spec.address.municipality, "county_number": spec.address.county_number,
            "sector": spec.sector, "collective_agreement": spec.collective_agreement,
            "membership_status": spec.membership_status, "agreement_signed_on": spec.agreement_signed_on})
        rows.count("member_company", outcome)
        for approval in spec.approvals:
            _, outcome = upsert(
                session, TradeApproval,
                {"company_id": company.id, "trade_code": approval.trade_code, "county_number": approval.county_number},
                {"status": approval.status, "applied_on": approval.applied_on, "approved_on": approval.approved_on,
                 "decision_ref": approval.decision_ref})
            rows.count("trade_approval", outcome)
        stored[spec.key] = company
    return stored


def _store_person(session: Session, spec: PersonSpec, rows: LoadSummary) -> Person:
    person, outcome = upsert(session, Person, {"national_id": spec.national_id}, {
        "first_name": spec.first_name, "middle_name": spec.middle_name, "last_name": spec.last_name,
        "birth_date": spec.birth_date, "mobile": spec.mobile, "email": spec.email,
        "street_address": spec.address.street, "postal_code": spec.address.postal_code,
        "postal_place": spec.address.postal_place})
    rows.count("person", outcome)
    return person


def _summary(data: DemoData, rows: LoadSummary) -> DemoSummary:
    kinds = Counter(p.kind for p in data.people)
    return DemoSummary(
        intake=data.intake,
        companies_by_status=dict(Counter(c.membership_status for c in data.companies)),
        trade_approvals_by_status=dict(Counter(a.status for c in data.companies for a in c.approvals)),
        office_approvals=len(data.office.approvals),
        people=len(data.people), apprentices=kinds["apprentice"], faglig_ledere=kinds["faglig_leder"],
        instructors=kinds["instructor"], guardians=kinds["guardian"],
        placements_by_cohort=dict(Counter(p.cohort for p in data.placements)),
        personas=dict(Counter(p.persona for p in data.placements if p.persona)),
        rows=rows)
