"""Demo data: synthetic identities that validate, the seed-004 office and members, personas, idempotency."""

from __future__ import annotations

import random
import subprocess
import sys
from collections import Counter
from datetime import date, timedelta
from pathlib import Path

import pytest
from sqlalchemy import func, select
from stdnum.no import fodselsnummer, orgnr

from engine.models import Case, EngineBase
from forms.errors import FieldError
from forms.validators import birth_date_from_fnr, validate_fnr, validate_orgnr
from workflows.demo import build_demo, generated_orgnr, intake_date, load_demo_people_and_companies, synthetic_fnr
from workflows.demo.identity import orgnr_check_digit
from workflows.demo.seed004 import PERSONAS, SEED_COMPANIES, Group
from workflows.records import CompanyContact, Contract, County, Guardian, MemberCompany, Person, TrainingOffice

TODAY = date(2026, 8, 1)  # the engine tests' clock
ROOT = Path(__file__).resolve().parents[2]


def domain_check_digits(nine: str) -> str | None:
    """The check digits of domain.md §3, written out independently of the code under test."""
    k1 = 11 - sum(w * int(d) for w, d in zip((3, 7, 6, 1, 8, 9, 4, 5, 2), nine, strict=True)) % 11
    k1 = 0 if k1 == 11 else k1
    if k1 == 10:
        return None
    ten = nine + str(k1)
    k2 = 11 - sum(w * int(d) for w, d in zip((5, 4, 3, 2, 7, 6, 5, 4, 3, 2), ten, strict=True)) % 11
    k2 = 0 if k2 == 11 else k2
    return None if k2 == 10 else f"{k1}{k2}"


@pytest.fixture(scope="module")
def demo():
    return build_demo(TODAY)


@pytest.fixture
def loaded(session_factory):
    with session_factory() as s, s.begin():
        summary = load_demo_people_and_companies(s, TODAY)
    return summary


# --- identities ----------------------------------------------------------------------------------

def test_the_domain_worked_example_and_our_reference_agree():
    assert domain_check_digits("311299567") == "15"


@pytest.mark.parametrize("female", [True, False, None])
def test_synthetic_fnr_has_valid_check_digits_and_is_refused_as_real(female):
    rng = random.Random(f"fnr-test-{female}")
    for _ in range(300):
        born = date(1940, 1, 1) + timedelta(days=rng.randint(0, 365 * 86))
        number = synthetic_fnr(born, rng, female=female)
        assert len(number) == 11 and number.isdigit()
        assert int(number[2:4]) == born.month + 80
        assert number[9:] == domain_check_digits(number[:9])
        assert number[9] == fodselsnummer.calc_check_digit1(number)
        assert number[10] == fodselsnummer.calc_check_digit2(number)
        assert validate_fnr(number, allow_synthetic=True, today=TODAY) == number
        with pytest.raises(FieldError) as refused:
            validate_fnr(number, allow_synthetic=False, today=TODAY)
        assert refused.value.code == "fnr_synthetic"
        assert birth_date_from_fnr(number) == born
        if female is not None:
            assert int(number[8]) % 2 == (0 if female else 1)


def test_synthetic_fnr_refuses_centuries_it_cannot_encode():
    with pytest.raises(ValueError):
        synthetic_fnr(date(1899, 12, 31), random.Random(1))


def test_generated_orgnr_is_valid_and_never_a_real_unit():
    rng = random.Random("orgnr-test")
    numbers = [generated_orgnr(rng) for _ in range(1000)]
    for number in numbers:
        assert validate_orgnr(number) == number and orgnr.is_valid(number)
        assert number[0] not in "89"  # Enhetsregisteret's numbers start with 8 or 9
    assert len(set(numbers)) > 990


def test_orgnr_check_digit_follows_the_domain_examples():
    assert orgnr_check_digit("12345678") == 5
    assert orgnr_check_digit("91234567") is None  # gives 10: no valid number has this prefix


# --- the data set ----------------------------------------------------------------------------------

def test_same_seed_same_data_other_seed_other_numbers(demo):
    assert build_demo(TODAY) == demo
    assert build_demo(TODAY + timedelta(days=30)) == demo  # same intake year
    other = build_demo(TODAY, seed_value=5)
    assert {p.national_id for p in other.people}.isdisjoint({p.national_id for p in demo.people})


def test_the_data_set_does_not_depend_on_the_hash_seed(demo):
    code = ("from datetime import date; from workflows.demo import build_demo; "
            "d = build_demo(date(2026, 8, 1)); print(d.office.orgnr, *sorted(p.national_id for p in d.people))")
    outputs = {tuple(subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True,
                                    check=True, env={"PYTHONHASHSEED": str(h)}).stdout.split()) for h in (1, 2)}
    assert outputs == {(demo.office.orgnr, *sorted(p.national_id for p in demo.people))}


def test_intake_is_this_august_until_september_then_next():
    assert intake_date(date(2026, 3, 1)) == date(2026, 8, 1)
    assert intake_date(date(2026, 9, 30)) == date(2026, 8, 1)
    assert intake_date(date(2026, 10, 1)) == date(2027, 8, 1)


def test_companies_and_statuses_match_domain_table(demo):
    status = Counter(c.membership_status for c in demo.companies)
    assert status == {"active": 19, "declined": 4}
    declined = {c.name for c in demo.companies if c.membership_status == "declined"}
    assert declined == {"Utdanningsdirektoratet", "Økokrim", "Statens pensjonskasse", "Fylkesmannen i Oslo og Akershus"}
    assert all(c.agreement_signed_on is None and not c.approvals for c in demo.companies if c.key in
               {s.key for s in SEED_COMPANIES if s.group == Group.DECLINED})
    assert {c.address.county_number for c in demo.companies} == {"03", "32"}
    assert {c.sector for c in demo.companies} == {"state"}


def test_apprentices_in_training_match_the_seed_numbers(demo):
    in_training = Counter(p.company_key for p in demo.placements if p.cohort == "in_training")
    expected = {s.key: s.in_training for s in SEED_COMPANIES if s.in_training}
    expected.update({"lanekassen": 1, "nupi": 1})  # the two shared apprentices' contract holders
    assert in_training == expected
    assert sum(in_training.values()) == 23
    trades = {(p.company_key, p.trade_code) for p in demo.placements if p.cohort == "in_training"}
    groups = {s.key: s.group for s in SEED_COMPANIES}
    assert all(trade == ("ITD03-01" if groups[key] == Group.IKT else "SOA03-01") for key, trade in trades)


def test_about_forty_apprentices_and_nobody_at_the_member_without_apprentices(demo):
    assert len(demo.placements) == 40
    assert Counter(p.cohort for p in demo.placements) == {"in_training": 23, "new_intake": 17}
    assert not [p for p in demo.placements if p.company_key == "lmd" or "lmd" in p.site_orgnrs]
    assert len({p.apprentice_national_id for p in demo.placements}) == 40


def test_every_persona_is_there_as_described(demo):
    by_persona = {}
    for p in demo.placements:
        by_persona.setdefault(p.persona, []).append(p)
    assert set(by_persona) - {None} == set(PERSONAS)
    [minor] = by_persona["minor_with_guardian"]
    assert demo.person(minor.apprentice_national_id).age_on(minor.start_date) == 16 and minor.trade_code == "SOA03-01"
    assert minor.training_model == "model_1_3" and minor.end_date == date(2029, 7, 31)
    assert any(g.apprentice_national_id == minor.apprentice_national_id for g in demo.guardians)
    [adult] = by_persona["adult_with_probation"]
    assert demo.person(adult.apprentice_national_id).age_on(adult.start_date) == 22
    assert adult.trade_code == "ITD03-01" and 0 < adult.probation_months <= 6
    [candidate] = by_persona["training_candidate"]
    assert (candidate.trade_code, candidate.contract_type) == ("HEA03-01", "opplaeringskontrakt")
    [missing] = by_persona["missing_common_subject"]
    assert missing.missing_common_subjects == ("mathematics",) and missing.extra_terms
    [heving] = by_persona["heving_by_agreement"]
    assert heving.cohort == "in_training"
    [mover] = by_persona["move_company"]
    target = next(c for c in demo.companies if c.orgnr == mover.move_to_orgnr)
    assert target.key != mover.company_key and mover.trade_code in {a.trade_code for a in target.approvals}
    shared = by_persona["shared"]
    assert len(shared) == 2 and all(len(p.site_orgnrs) == 2 for p in shared)
    shared_keys = {c.key for c in demo.companies if c.orgnr in {o for p in shared for o in p.site_orgnrs}}
    assert shared_keys == {"lanekassen", "met", "nupi", "vox"}


def test_every_placement_passes_the_contract_precheck(demo):
    office_approved = {(a.county_number, a.trade_code) for a in demo.office.approvals}
    for p in demo.placements:
        company = demo.company(p.company_key)
        assert (p.county_number, p.trade_code) in {(a.county_number, a.trade_code) for a in company.approvals
                                                   if a.status == "approved"}, p
        assert (p.county_number, p.trade_code) in office_approved
        leader = demo.person(p.faglig_leder_national_id)
        assert leader.kind == "faglig_leder" and leader.email.endswith("@example.no")
        assert p.end_date > p.start_date and p.start_date in (demo.intake, date(demo.intake.year - 1, 8, 1))
        assert demo.person(p.apprentice_national_id).mobile.startswith("+47")


def test_ages_are_those_of_apprentices(demo):
    ages = [demo.person(p.apprentice_national_id).age_on(p.start_date) for p in demo.placements]
    assert min(ages) == 16 and max(ages) == 22
    assert sum(1 for a in ages if a < 18) >= 3


def test_office_is_ok_stat_approved_in_oslo_and_akershus(demo):
    approvals = {(a.county_number, a.trade_code) for a in demo.office.approvals}
    for county in ("03", "32"):
        assert {(county, t) for t in ("SOA03-01", "ITD03-01", "SIK03-01")} <= approvals
    assert demo.office.name.startswith("OK stat")


# --- the loader ------------------------------------------------------------------------------------

def test_loader_stores_the_demo_and_reports_counts(loaded, session_factory):
    assert loaded.companies_by_status == {"active": 19, "declined": 4}
    assert loaded.apprentices == 40 and loaded.faglig_ledere == 19
    assert 19 <= loaded.instructors <= 38 and loaded.guardians > 0
    assert loaded.placements_by_cohort == {"in_training": 23, "new_intake": 17}
    assert set(loaded.personas) == set(PERSONAS)
    assert loaded.changed > 0 and loaded.as_dict()["updated"] >= 0
    with session_factory() as s:
        assert s.scalar(select(func.count()).select_from(Person)) == loaded.people
        assert s.scalar(select(func.count()).select_from(MemberCompany)) == 23
        assert s.scalar(select(func.count()).select_from(TrainingOffice)) == 1
        assert s.scalar(select(func.count()).select_from(Contract)) == 0  # contracts come through the engine
        assert s.scalar(select(func.count()).select_from(Case)) == 0
        assert s.get(County, "03").contact_email == "fagopplaering.oslo@example.no"


def test_loading_twice_changes_nothing(loaded, session_factory):
    def snapshot(s):
        out = {}
        for table in EngineBase.metadata.sorted_tables:
            rows = s.execute(table.select()).all()
            out[table.name] = sorted(tuple(str(v) for v in r) for r in rows)
        return out

    with session_factory() as s:
        before = snapshot(s)
    with session_factory() as s, s.begin():
        again = load_demo_people_and_companies(s, TODAY + timedelta(days=20))
    assert again.changed == 0 and again.as_dict()["created"] == 0
    with session_factory() as s:
        assert snapshot(s) == before


def test_every_stored_number_validates(loaded, session_factory):
    with session_factory() as s:
        for fnr in s.scalars(select(Person.national_id)):
            assert validate_fnr(fnr, allow_synthetic=True, today=TODAY) == fnr
            with pytest.raises(FieldError):
                validate_fnr(fnr, allow_synthetic=False, today=TODAY)
        numbers = [*s.scalars(select(TrainingOffice.orgnr)), *s.scalars(select(MemberCompany.orgnr)),
                   *s.scalars(select(MemberCompany.subunit_orgnr))]
        assert len(numbers) == len(set(numbers)) == 1 + 2 * 23
        for number in numbers:
            assert validate_orgnr(number) == number


def test_every_under_18_apprentice_has_a_guardian(loaded, session_factory, demo):
    with session_factory() as s:
        for placement in demo.placements:
            person = s.scalars(select(Person).where(Person.national_id == placement.apprentice_national_id)).one()
            if person.age_on(placement.start_date) < 18 or person.age_on(TODAY) < 18:
                assert person.guardians, person.full_name
                assert all(g.guardian.age_on(TODAY) >= 30 and g.relation == "parent" for g in person.guardians)
                assert all(g.guardian.email.endswith("@example.no") for g in person.guardians)
        assert s.scalar(select(func.count()).select_from(Guardian)) == len(demo.guardians) > 0


def test_each_active_member_has_a_faglig_leder_and_instructors(loaded, session_factory):
    with session_factory() as s:
        for company in s.scalars(select(MemberCompany)):
            contacts = s.scalars(select(CompanyContact).where(CompanyContact.company_id == company.id)).all()
            roles = Counter(c.role for c in contacts)
            if company.membership_status == "active":
                assert roles["faglig_leder"] == 1 and 1 <= roles["instructor"] <= 2, company.name
                leader = next(c for c in contacts if c.role == "faglig_leder")
                assert leader.email == leader.person.email and leader.email.endswith("@example.no")
                approved = {a.trade_code for a in company.trade_approvals if a.status == "approved"}
                assert set(leader.trades) == approved and approved
            else:
                assert not contacts and company.membership_status == "declined"
        emails = list(s.scalars(select(Person.email)))
        assert len(emails) == len(set(emails)) and all(e.endswith("@example.no") for e in emails)
