"""Every path of contract signing (lærekontrakt / opplæringskontrakt), through the engine, with real forms."""

from __future__ import annotations

import random
from datetime import date

import pytest
from sqlalchemy import select

from tests.workflows.process_driver import TODAY
from workflows.demo.identity import synthetic_fnr
from workflows.records import CompanyContact, Contract, Guardian, MemberCompany, Person, TradeApproval

DRAFT = "contract.draft"


def _placement(driver) -> tuple[str, str]:
    """A member company approved in SOA03-01 and its faglig leder's e-mail, from the demo data."""
    with driver.session() as s:
        row = s.execute(
            select(MemberCompany.orgnr, CompanyContact.email)
            .join(TradeApproval, TradeApproval.company_id == MemberCompany.id)
            .join(CompanyContact, CompanyContact.company_id == MemberCompany.id)
            .where(TradeApproval.trade_code == "SOA03-01", TradeApproval.status == "approved",
                   CompanyContact.role == "faglig_leder", MemberCompany.membership_status == "active")
            .order_by(MemberCompany.id)).first()
    assert row is not None, "the demo data has no approved SOA03-01 company with a faglig leder"
    return row[0], row[1]


def _draft(driver, *, age: int = 19, **changes) -> dict:
    orgnr, leader_email = _placement(driver)
    born = date(TODAY.year - age, 3, 14)
    data = {
        "contract_type": "laerekontrakt", "trade": "SOA03-01",
        "apprentice_fnr": synthetic_fnr(born, random.Random(age)), "apprentice_first_name": "Kari",
        "apprentice_last_name": "Nordmann", "apprentice_mobile": "91234567",
        "apprentice_email": "kari.nordmann@example.no", "apprentice_address": "Storgata 1, 0155 Oslo",
        "company_orgnr": orgnr, "faglig_leder_name": "Per Hansen", "faglig_leder_birth_date": "1975-03-14",
        "faglig_leder_email": leader_email, "start_date": "2026-08-15", "end_date": "2028-08-14",
        "training_model": "model_2_2", "probation_months": 6, "credit_months": 0,
        "employment_contract_ref": "AA-2026-17", "responsibilities": "Bedriften gir opplæringen; kontoret følger opp.",
    }
    if age < 18:
        data.update(guardian_name="Ola Nordmann", guardian_relation="parent", guardian_phone="98765432",
                    guardian_email="ola.nordmann@example.no")
    data.update(changes)
    return data


def _sign_all(driver, case_id: int) -> None:
    for key in ("contract.sign_apprentice", "contract.sign_faglig_leder", "contract.sign_office"):
        driver.submit(case_id, key, {"signer_name": "Signer", "signed_on": TODAY.isoformat(), "method": "bankid"})


def _approve(driver, case_id: int) -> None:
    driver.submit(case_id, "contract.submit_county", {"submitted_on": TODAY.isoformat(), "vigo_reference": "V-1"})
    driver.record(case_id, "contract.county_decision",
                  {"decision": "approved", "decided_on": TODAY.isoformat(), "reference": "FK-2026/123"})


def test_adult_contract_signed_and_approved(office):
    case = office.start("contract_signing")
    after = office.submit(case.case_id, DRAFT, _draft(office))
    assert sorted(t.form_key for t in after.open_tasks) == [
        "contract.sign_apprentice", "contract.sign_faglig_leder", "contract.sign_office"]
    leader_task = office.task(case.case_id, "contract.sign_faglig_leder")
    assert leader_task.role == "faglig_leder" and leader_task.scope == _placement(office)[0]
    contract = office.one(Contract, case_id=case.case_id)
    assert contract.status == "signing" and contract.trade_code == "SOA03-01"
    _sign_all(office, case.case_id)
    assert office.open_titles(case.case_id) == ["Send kontrakten til fylkeskommunen"]
    _approve(office, case.case_id)
    contract = office.one(Contract, case_id=case.case_id)
    assert (contract.status, contract.county_decision_ref) == ("approved", "FK-2026/123")
    summary = office.engine.case(case.case_id).summary
    assert summary["apprentice_name"] == "Kari Nordmann" and summary["status"] == "approved"
    assert "process_completed" in office.history(case.case_id)


def test_minor_apprentice_guardian_is_informed(office):
    case = office.start("contract_signing")
    office.submit(case.case_id, DRAFT, _draft(office, age=16))
    assert office.open_titles(case.case_id) == ["Informer foresatte"]
    apprentice = office.one(Person, first_name="Kari", last_name="Nordmann")
    with office.session() as s:
        assert s.scalar(select(Guardian.relation).where(Guardian.apprentice_id == apprentice.id)) == "parent"
    after = office.submit(case.case_id, "contract.guardian_informed",
                          {"informed_on": TODAY.isoformat(), "channel": "email"})
    assert len(after.open_tasks) == 3


def test_precheck_finds_a_missing_faglig_leder_and_the_fix_rechecks(office):
    case = office.start("contract_signing")
    office.submit(case.case_id, DRAFT, _draft(office, faglig_leder_email="ukjent@example.no"))
    assert office.open_titles(case.case_id) == ["Rett opp mangler fra forhåndskontrollen"]
    facts = office.engine.workflow(office.engine.instances(case.case_id)[0].id).last_task.data["case_facts"]
    assert facts["missing"] == ["faglig_leder_not_registered"]
    with pytest.raises(AssertionError):  # the form refuses an unconfirmed fix
        office.submit(case.case_id, "contract.precheck_fix", {"fixes_made": "Registrert i Vigo"})
    office.submit(case.case_id, "contract.precheck_fix", {"fixes_made": "Registrert", "confirmed": True})
    assert office.open_titles(case.case_id) == ["Rett opp mangler fra forhåndskontrollen"]  # still missing


def test_reminder_on_day_7_and_expiry_on_day_14_then_restart(office):
    case = office.start("contract_signing")
    office.submit(case.case_id, DRAFT, _draft(office))
    assert office.advance(days=7, minutes=1) == 1
    assert len(office.engine.ready_tasks(case_id=case.case_id)) == 3  # the reminder does not interrupt
    office.submit(case.case_id, "contract.sign_office", {"signer_name": "Leder", "signed_on": "2026-08-05",
                                                         "method": "bankid"})
    assert office.advance(days=7) == 1
    assert office.open_titles(case.case_id) == ["Håndter utløpt signeringsfrist"]
    assert office.one(Contract, case_id=case.case_id).status == "expired"
    office.submit(case.case_id, "contract.expired", {"action": "restart", "note": "Ny runde"})
    assert office.open_titles(case.case_id) == ["Sett opp kontrakten"]
    fired = [h.detail for h in office.engine.history(case.case_id) if h.action == "timer_fired"]
    assert fired == ["Påminnelse dag 7", "Signeringsfrist 14 dager"]


def test_expired_contract_withdrawn(office):
    case = office.start("contract_signing")
    office.submit(case.case_id, DRAFT, _draft(office))
    office.advance(days=15)
    office.submit(case.case_id, "contract.expired", {"action": "withdraw", "note": "Lærlingen takket nei"})
    assert office.one(Contract, case_id=case.case_id).status == "withdrawn"
    assert office.engine.case(case.case_id).status == "closed"


def test_rejected_by_the_county_corrected_and_resubmitted(office):
    case = office.start("contract_signing")
    office.submit(case.case_id, DRAFT, _draft(office))
    _sign_all(office, case.case_id)
    office.submit(case.case_id, "contract.submit_county", {"submitted_on": TODAY.isoformat(), "vigo_reference": "V"})
    office.record(case.case_id, "contract.county_decision", {"decision": "rejected", "decided_on": TODAY.isoformat(),
                                                            "reference": "FK-1", "reason": "Feil opplæringsmodell"})
    assert office.one(Contract, case_id=case.case_id).status == "rejected"
    office.submit(case.case_id, "contract.correct", {"action": "resubmit", "corrections": "Modell 2+2"})
    assert office.open_titles(case.case_id) == ["Sett opp kontrakten"]
    office.submit(case.case_id, DRAFT, _draft(office))
    _sign_all(office, case.case_id)
    _approve(office, case.case_id)
    assert office.one(Contract, case_id=case.case_id).status == "approved"


def test_rejected_and_withdrawn(office):
    case = office.start("contract_signing")
    office.submit(case.case_id, DRAFT, _draft(office))
    _sign_all(office, case.case_id)
    office.submit(case.case_id, "contract.submit_county", {"submitted_on": TODAY.isoformat(), "vigo_reference": "V"})
    office.record(case.case_id, "contract.county_decision", {"decision": "rejected", "decided_on": TODAY.isoformat(),
                                                            "reference": "FK-2", "reason": "Mangler"})
    office.submit(case.case_id, "contract.correct", {"action": "withdraw", "corrections": "",
                                                     "withdraw_reason": "Bedriften trakk seg"})
    assert office.one(Contract, case_id=case.case_id).status == "withdrawn"
    assert office.engine.case(case.case_id).status == "closed"


def test_county_decision_is_validated_by_its_form(office):
    case = office.start("contract_signing")
    office.submit(case.case_id, DRAFT, _draft(office))
    _sign_all(office, case.case_id)
    office.submit(case.case_id, "contract.submit_county", {"submitted_on": TODAY.isoformat(), "vigo_reference": "V"})
    with pytest.raises(AssertionError, match="reason"):
        office.record(case.case_id, "contract.county_decision",
                      {"decision": "rejected", "decided_on": TODAY.isoformat(), "reference": "FK-3"})
