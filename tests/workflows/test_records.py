"""The domain records: schema, constraints and relationships on a real database."""

from __future__ import annotations

from datetime import UTC, date, datetime
from decimal import Decimal

import pytest
from sqlalchemy import inspect, select
from sqlalchemy.exc import IntegrityError

from engine.models import Case
from workflows.records import (
    RECORD_TABLES,
    CompanyContact,
    ConflictCase,
    Contract,
    County,
    Evaluation,
    Guardian,
    MemberCompany,
    OfficeApproval,
    Person,
    TestRegistration,
    Trade,
    TradeApproval,
    TrainingOffice,
)
from workflows.reference_data import load_reference_data

FNR_A = "31129956715"  # the worked example of domain.md §3
FNR_B = "15830699829"  # the synthetic example of domain.md §3


@pytest.fixture
def world(records_session):
    """Reference data, an office, a member company approved in SOA03-01 in Oslo, and three people."""
    s = records_session
    load_reference_data(s)
    office = TrainingOffice(orgnr="312345674", name="Testkontoret", manager_name="Mona Leder",
                            manager_email="mona@example.no", subsidy_share_percent=Decimal("40"))
    company = MemberCompany(office=office, orgnr="323456789", name="Testbedriften", county_number="03",
                            sector="state", membership_status="active")
    company.trade_approvals.append(TradeApproval(trade_code="SOA03-01", county_number="03", status="approved",
                                                 approved_on=date(2025, 1, 10)))
    apprentice = Person(national_id=FNR_B, first_name="Nora", last_name="Hansen", birth_date=date(2006, 3, 15))
    leader = Person(national_id=FNR_A, first_name="Per", last_name="Olsen", birth_date=date(1999, 12, 31))
    parent = Person(national_id="01817512345", first_name="Kari", last_name="Hansen", birth_date=date(1975, 1, 1))
    s.add_all([office, company, apprentice, leader, parent])
    s.flush()
    return {"office": office, "company": company, "apprentice": apprentice, "leader": leader, "parent": parent}


def make_contract(world, **overrides) -> Contract:
    values = {"office": world["office"], "contract_type": "laerekontrakt", "trade_code": "SOA03-01",
              "apprentice": world["apprentice"], "company": world["company"], "faglig_leder": world["leader"],
              "county_number": "03", "start_date": date(2025, 8, 1), "end_date": date(2027, 7, 31)}
    values.update(overrides)
    return Contract(**values)


def test_every_record_table_is_created_beside_the_engine_tables(records_engine):
    tables = set(inspect(records_engine).get_table_names())
    assert set(RECORD_TABLES) <= tables
    assert "engine_case" in tables


def test_indexes_cover_what_queues_and_search_filter_by(records_engine):
    insp = inspect(records_engine)

    def indexed(table: str) -> set[str]:
        cols = {c for ix in insp.get_indexes(table) for c in ix["column_names"]}
        cols |= {c for uq in insp.get_unique_constraints(table) for c in uq["column_names"]}
        return cols

    assert {"national_id", "last_name", "first_name", "email"} <= indexed("person")
    assert {"orgnr", "subunit_orgnr", "name", "county_number", "membership_status"} <= indexed("member_company")
    assert {"status", "county_number", "trade_code", "case_id", "apprentice_id", "company_id"} <= indexed("contract")
    assert {"trade_code", "county_number", "status"} <= indexed("trade_approval")
    assert {"due_on", "completed_on"} <= indexed("evaluation")


def test_national_id_is_unique(world, records_session):
    records_session.add(Person(national_id=FNR_A, first_name="Andre", last_name="Olsen", birth_date=date(1999, 12, 31)))
    with pytest.raises(IntegrityError):
        records_session.flush()


def test_people_without_a_national_id_do_not_collide(world, records_session):
    records_session.add_all([Person(first_name="Mor", last_name="Hansen"),
                             Person(first_name="Far", last_name="Hansen")])
    records_session.flush()
    unnumbered = records_session.scalars(select(Person).where(Person.national_id.is_(None))).all()
    assert len(unnumbered) == 2 and unnumbered[0].age_on(date(2026, 8, 1)) is None


def test_national_id_must_have_eleven_digits(world, records_session):
    records_session.add(Person(national_id="3112995671", first_name="Kort", last_name="Nummer",
                               birth_date=date(1999, 12, 31)))
    with pytest.raises(IntegrityError):
        records_session.flush()


def test_orgnr_is_unique_per_office_but_not_across_offices(world, records_session):
    other_office = TrainingOffice(orgnr="334567891", name="Annet kontor", manager_name="A",
                                  manager_email="a@example.no")
    records_session.add(MemberCompany(office=other_office, orgnr="323456789", name="Samme bedrift", county_number="03"))
    records_session.flush()  # the same company may be a member of two offices
    records_session.add(MemberCompany(office=world["office"], orgnr="323456789", name="Dublett", county_number="03"))
    with pytest.raises(IntegrityError):
        records_session.flush()


def test_training_office_orgnr_is_unique(world, records_session):
    records_session.add(TrainingOffice(orgnr="312345674", name="Kopi", manager_name="B", manager_email="b@example.no"))
    with pytest.raises(IntegrityError):
        records_session.flush()


def test_faglig_leder_needs_an_email_but_an_instructor_does_not(world, records_session):
    records_session.add(CompanyContact(person=world["parent"], company=world["company"], role="instructor"))
    records_session.flush()
    records_session.add(CompanyContact(person=world["leader"], company=world["company"], role="faglig_leder"))
    with pytest.raises(IntegrityError):
        records_session.flush()


@pytest.mark.parametrize("field, value", [
    ("status", "signed"), ("contract_type", "trainee"), ("probation_months", 7), ("credit_months", -1),
    ("end_date", date(2025, 7, 31)), ("training_model", "3+1"),
])
def test_contract_constraints_refuse_bad_values(world, records_session, field, value):
    records_session.add(make_contract(world, **{field: value}))
    with pytest.raises(IntegrityError):
        records_session.flush()


def test_contract_defaults_and_relationships(world, records_session):
    contract = make_contract(world, missing_common_subjects=["mathematics"])
    records_session.add(contract)
    records_session.flush()
    records_session.expire_all()
    loaded = records_session.get(Contract, contract.id)
    assert loaded.status == "draft" and loaded.case_id is None
    assert loaded.legal_basis == "opplæringslova § 7-2"
    assert loaded.training_model == "model_2_2" and loaded.probation_months == 0
    assert loaded.missing_common_subjects == ["mathematics"]
    assert loaded.apprentice.first_name == "Nora" and loaded.faglig_leder.first_name == "Per"
    assert loaded.company.is_approved_in("SOA03-01") and not loaded.company.is_approved_in("ITD03-01")
    assert loaded.trade.curriculum == "LK20" and loaded.county.name == "Oslo"
    assert loaded.created_at.tzinfo is not None and loaded.created_at.utcoffset().total_seconds() == 0


def test_contract_points_at_a_real_engine_case(world, records_session):
    now = datetime(2026, 8, 1, 8, tzinfo=UTC)
    case = Case(process_key="contract", created_by="sara", created_at=now, updated_at=now)
    records_session.add(case)
    records_session.flush()
    records_session.add(make_contract(world, case_id=case.id))
    records_session.flush()
    records_session.add(make_contract(world, case_id=case.id + 1000))
    with pytest.raises(IntegrityError):
        records_session.flush()


def test_a_moved_contract_is_continued_by_a_new_one(world, records_session):
    first = make_contract(world, status="moved")
    records_session.add(first)
    records_session.flush()
    second = make_contract(world, replaces=first, start_date=date(2026, 2, 1))
    records_session.add(second)
    records_session.flush()
    records_session.expire_all()
    assert records_session.get(Contract, second.id).replaces.id == first.id


def test_evaluations_follow_their_contract_in_due_order_and_go_with_it(world, records_session):
    contract = make_contract(world)
    contract.evaluations.extend([
        Evaluation(period="m09", due_on=date(2026, 5, 1)),
        Evaluation(period="m03", due_on=date(2025, 11, 1), completed_on=date(2025, 10, 30), absence_days=2,
                   summary={"wellbeing": "good"}),
    ])
    records_session.add(contract)
    records_session.flush()
    records_session.expire_all()
    loaded = records_session.get(Contract, contract.id)
    assert [e.period for e in loaded.evaluations] == ["m03", "m09"]
    assert loaded.evaluations[0].summary == {"wellbeing": "good"} and loaded.evaluations[1].concern is False
    records_session.delete(loaded)
    records_session.flush()
    assert records_session.scalars(select(Evaluation)).all() == []


def test_evaluation_period_and_absence_are_checked(world, records_session):
    contract = make_contract(world)
    contract.evaluations.append(Evaluation(period="m04", due_on=date(2025, 12, 1)))
    records_session.add(contract)
    with pytest.raises(IntegrityError):
        records_session.flush()


def test_bestatt_cannot_be_appealed_but_ikke_bestatt_can(world, records_session):
    contract = make_contract(world)
    contract.test_registrations.append(TestRegistration(county_number="03", result="ikke_bestatt",
                                                        appeal_lodged_on=date(2027, 6, 20)))
    records_session.add(contract)
    records_session.flush()
    contract.test_registrations.append(TestRegistration(attempt=2, county_number="03", result="bestatt",
                                                        appeal_lodged_on=date(2027, 9, 20)))
    with pytest.raises(IntegrityError):
        records_session.flush()


def test_one_registration_per_attempt(world, records_session):
    contract = make_contract(world)
    contract.test_registrations.extend([TestRegistration(county_number="03"), TestRegistration(county_number="03")])
    records_session.add(contract)
    with pytest.raises(IntegrityError):
        records_session.flush()


def test_conflict_case_values_are_checked(world, records_session):
    contract = make_contract(world)
    contract.conflicts.append(ConflictCase(category="absence", path="cancel_by_agreement",
                                           outcome="cancelled_agreement", registered_on=date(2026, 3, 1),
                                           closed_on=date(2026, 4, 1)))
    records_session.add(contract)
    records_session.flush()
    contract.conflicts.append(ConflictCase(category="boredom", registered_on=date(2026, 3, 1)))
    with pytest.raises(IntegrityError):
        records_session.flush()


def test_guardians_link_two_people_both_ways(world, records_session):
    records_session.add(Guardian(apprentice=world["apprentice"], guardian=world["parent"], relation="parent"))
    records_session.flush()
    records_session.expire_all()
    apprentice = records_session.get(Person, world["apprentice"].id)
    assert [g.guardian.first_name for g in apprentice.guardians] == ["Kari"]
    assert [w.apprentice.first_name for w in records_session.get(Person, world["parent"].id).wards] == ["Nora"]


def test_nobody_is_their_own_guardian(world, records_session):
    records_session.add(Guardian(apprentice=world["apprentice"], guardian=world["apprentice"]))
    with pytest.raises(IntegrityError):
        records_session.flush()


def test_approval_status_and_date_are_checked(world, records_session):
    records_session.add(TradeApproval(company=world["company"], trade_code="ITD03-01", county_number="03",
                                      status="approved"))  # approved without a date
    with pytest.raises(IntegrityError):
        records_session.flush()
    records_session.rollback()
    records_session.add(OfficeApproval(office_id=world["office"].id, county_number="03", trade_code="SOA03-01",
                                       status="maybe"))
    with pytest.raises(IntegrityError):
        records_session.flush()


def test_trade_replaced_by_must_name_a_known_trade(world, records_session):
    records_session.add(Trade(code="XXX3-01", name_nb="Ukjent", curriculum="LK06", replaced_by="NOPE03-01"))
    with pytest.raises(IntegrityError):
        records_session.flush()


def test_office_knows_its_approved_trades_per_county(world, records_session):
    office = world["office"]
    office.approvals.extend([
        OfficeApproval(county_number="03", trade_code="SOA03-01", approved_on=date(2022, 6, 20)),
        OfficeApproval(county_number="32", trade_code="ITD03-01", approved_on=date(2022, 6, 20)),
        OfficeApproval(county_number="03", trade_code="SIK03-01", status="applied"),
    ])
    records_session.flush()
    assert office.approved_trades("03") == {"SOA03-01"}
    assert office.approved_trades("32") == {"ITD03-01"}
    assert records_session.get(County, "32").name == "Akershus"
