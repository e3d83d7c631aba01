"""`build_demo`: the demo office, its seed-004 members, their people and ~40 apprentices, as values."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

from workflows.records import (
    ApprovalStatus,
    CommonSubject,
    ContactRole,
    ContractType,
    GuardianRelation,
    MembershipStatus,
    Sector,
    TrainingModel,
)

from . import seed004 as seed
from .dataset import (
    DEFAULT_SEED,
    OFFICE_APPROVED_ON,
    ApprovalSpec,
    CompanySpec,
    ContactSpec,
    DemoData,
    DemoPlacement,
    GuardianSpec,
    OfficeSpec,
    PersonSpec,
    _Builder,
    add_months,
    birth_date_for_age,
)
from .names import LAST_NAMES, address_in

FAGLIG_LEDER_WITHOUT_COURSE_EVERY = 5  # every fifth faglig leder has not yet taken the course


def build_demo(today: date, seed_value: int = DEFAULT_SEED) -> DemoData:
    """The whole demo data set for the intake year of `today` (deterministic; see dataset.py)."""
    b = _Builder(seed_value, today)
    office = _office(b)
    companies = tuple(_company(b, c) for c in seed.SEED_COMPANIES)
    by_key = {c.key: c for c in companies}
    plan = _plan()
    per_company: dict[str, int] = {}
    for cohort_plan in plan.values():
        for planned in cohort_plan:
            for key in planned.sites or (planned.company,):
                per_company[key] = per_company.get(key, 0) + 1
    contacts: list[ContactSpec] = []
    leaders: dict[str, str] = {}
    for index, company in enumerate(companies):
        if company.membership_status == MembershipStatus.ACTIVE:
            leaders[company.key] = _contacts(b, company, index, per_company.get(company.key, 0), contacts)
    placements: list[DemoPlacement] = []
    for cohort, cohort_plan in plan.items():
        start = b.in_training_start if cohort == "in_training" else b.intake
        for n, planned in enumerate(cohort_plan):
            placements.append(_placement(b, cohort, n, planned, start, by_key, leaders))
    guardians: list[GuardianSpec] = []
    for placement in placements:
        apprentice = next(p for p in b.people if p.national_id == placement.apprentice_national_id)
        if apprentice.age_on(placement.start_date) < 18 or apprentice.age_on(today) < 18:
            guardians.extend(_guardians(b, apprentice))
    return DemoData(b.intake, office, companies, tuple(b.people), tuple(contacts), tuple(guardians),
                    tuple(placements))


def _office(b: _Builder) -> OfficeSpec:
    rng = b.rng("office")
    manager = b.person("office_manager", "ok_stat", birth_date_for_age(rng.randint(40, 60), b.intake, rng))
    b.people.remove(manager)  # the manager is named on the office row, not stored as a person
    pairs = [(c, t) for c in seed.OFFICE_COUNTIES for t in seed.OFFICE_TRADES] + list(seed.OFFICE_EXTRA_APPROVALS)
    approvals = [ApprovalSpec(county, trade, ApprovalStatus.APPROVED.value, None, OFFICE_APPROVED_ON,
                              f"DEMO-{county}-2022-{n + 1:04d}") for n, (county, trade) in enumerate(pairs)]
    return OfficeSpec(orgnr=b.orgnr(rng), name=seed.OFFICE_NAME,
                      manager_name=f"{manager.first_name} {manager.last_name}", manager_email=manager.email,
                      subsidy_share_percent=Decimal("40.00"), fte=Decimal("2.0"), approvals=tuple(approvals))


def _company(b: _Builder, company: seed.SeedCompany) -> CompanySpec:
    rng = b.rng("company", company.key)
    orgnr, subunit = b.orgnr(rng), b.orgnr(rng)
    address = address_in(company.place, rng)
    if company.group == seed.Group.DECLINED:
        return CompanySpec(company.key, company.group.value, orgnr, subunit, company.name, address,
                           Sector.STATE.value, seed.STATE_AGREEMENT, MembershipStatus.DECLINED.value, None, ())
    signed = b.in_training_start - timedelta(days=rng.randint(90, 700))
    approvals = []
    approved = (seed.GROUP_TRADE[company.group], *seed.EXTRA_APPROVED.get(company.key, ()))
    for trade in approved:
        applied = signed + timedelta(days=rng.randint(1, 10))
        decided = applied + timedelta(days=rng.randint(20, 50))
        approvals.append(ApprovalSpec(address.county_number, trade, ApprovalStatus.APPROVED.value, applied, decided,
                                      f"DEMO-{address.county_number}-{decided.year}-{rng.randint(1000, 9999)}"))
    for trade in seed.EXTRA_APPLIED.get(company.key, ()):
        # Some weeks after the cohort in training started: always in the past, whatever the day.
        applied = b.in_training_start + timedelta(days=rng.randint(20, 59))
        approvals.append(ApprovalSpec(address.county_number, trade, ApprovalStatus.APPLIED.value, applied, None, None))
    return CompanySpec(company.key, company.group.value, orgnr, subunit, company.name, address, Sector.STATE.value,
                       seed.STATE_AGREEMENT, MembershipStatus.ACTIVE.value, signed, tuple(approvals))


def _contacts(b: _Builder, company: CompanySpec, index: int, apprentices: int, out: list[ContactSpec]) -> str:
    """A faglig leder and one instructor (two where two or more apprentices train); returns the leader's id."""
    trades = tuple(a.trade_code for a in company.approvals if a.status == ApprovalStatus.APPROVED)
    rng = b.rng("contacts", company.key)
    leader = b.person("faglig_leder", company.key, birth_date_for_age(rng.randint(30, 58), b.intake, rng))
    first_approval = min(a.approved_on for a in company.approvals if a.approved_on)
    course = None
    if index % FAGLIG_LEDER_WITHOUT_COURSE_EVERY != FAGLIG_LEDER_WITHOUT_COURSE_EVERY - 1:
        course = min(first_approval + timedelta(days=rng.randint(10, 80)), b.in_training_start)
    out.append(ContactSpec(leader.national_id, company.key, ContactRole.FAGLIG_LEDER.value, trades,
                           leader.email, leader.mobile, course))
    for n in range(2 if apprentices >= 2 else 1):
        instructor = b.person("instructor", f"{company.key}/{n}",
                              birth_date_for_age(rng.randint(25, 60), b.intake, rng))
        course = min(first_approval + timedelta(days=rng.randint(10, 120)), b.in_training_start)
        course = course if rng.random() < 0.7 else None
        out.append(ContactSpec(instructor.national_id, company.key, ContactRole.INSTRUCTOR.value, trades,
                               instructor.email, instructor.mobile, course))
    return leader.national_id


def _plan() -> dict[str, list[seed.PlannedApprentice]]:
    """The apprentices per cohort: seed-004 numbers in training (with personas), then the new intake."""
    in_training: list[seed.PlannedApprentice] = []
    for company in seed.SEED_COMPANIES:
        for n in range(company.in_training):
            default = seed.PlannedApprentice(company.key, seed.GROUP_TRADE[company.group])
            in_training.append(seed.IN_TRAINING_PERSONAS.get((company.key, n), default))
    for sites in seed.SHARED_SITES:
        in_training.append(seed.PlannedApprentice(sites[0], seed.SOA, "shared", sites=sites))
    return {"in_training": in_training, "new_intake": list(seed.NEW_INTAKE)}


def _placement(b: _Builder, cohort: str, n: int, planned: seed.PlannedApprentice, start: date,
               companies: dict[str, CompanySpec], leaders: dict[str, str]) -> DemoPlacement:
    rng = b.rng("apprentice", cohort, n)
    if planned.age_at_start is not None:
        age = planned.age_at_start
    elif cohort == "in_training":
        age = rng.choices((17, 18, 19, 20), weights=(2, 5, 3, 1))[0]
    else:
        age = rng.choices((17, 18, 19), weights=(3, 5, 2))[0]
    apprentice = b.person("apprentice", f"{cohort}/{n}", birth_date_for_age(age, start, rng))
    company = companies[planned.company]
    model = TrainingModel.MODEL_1_3 if planned.persona == "minor_with_guardian" else TrainingModel.MODEL_2_2
    months = 36 if model == TrainingModel.MODEL_1_3 else 24
    candidate = planned.persona == "training_candidate"
    missing: tuple[str, ...] = ()
    extra_terms = None
    if planned.persona == "missing_common_subject":
        missing = (CommonSubject.MATHEMATICS.value,)
        extra_terms = "Matematikk tas som privatist og må være bestått innen to år, før fagbrevet utstedes."
    sites = tuple(companies[k].orgnr for k in planned.sites) or (company.orgnr,)
    return DemoPlacement(
        apprentice_national_id=apprentice.national_id, company_key=company.key, company_orgnr=company.orgnr,
        county_number=company.address.county_number, trade_code=planned.trade,
        contract_type=(ContractType.OPPLAERINGSKONTRAKT if candidate else ContractType.LAEREKONTRAKT).value,
        faglig_leder_national_id=leaders[company.key], start_date=start,
        end_date=add_months(start, months) - timedelta(days=1), training_model=model.value,
        probation_months=6 if age >= 21 else 0, credit_months=0, missing_common_subjects=missing,
        extra_terms=extra_terms, cohort=cohort, persona=planned.persona, site_orgnrs=sites,
        move_to_orgnr=companies[planned.move_to].orgnr if planned.move_to else None)


def _guardians(b: _Builder, apprentice: PersonSpec) -> list[GuardianSpec]:
    """One or two parents for an apprentice under 18, living at the apprentice's address."""
    rng = b.rng("guardians", apprentice.national_id)
    count = 2 if rng.random() < 0.5 else 1
    links = []
    for n in range(count):
        female = n == 0 if count == 2 else rng.random() < 0.5
        last = apprentice.last_name if n == 0 or rng.random() < 0.6 else rng.choice(LAST_NAMES)
        born = birth_date_for_age(rng.randint(22, 40), apprentice.birth_date, rng)
        parent = b.person("guardian", f"{apprentice.national_id}/{n}", born, female=female, last_name=last,
                          address=apprentice.address)
        links.append(GuardianSpec(apprentice.national_id, parent.national_id, GuardianRelation.PARENT.value))
    return links


