"""Demo onboarding cases: new leads standing at each step of membership onboarding, and a decliner."""

from __future__ import annotations

import random
from typing import Any
from uuid import UUID

from .dataset import DemoData
from .identity import generated_orgnr
from .steps import CONSULTANT, DemoActor

LEADS = (  # (company name, step the case is left at)
    ("Nordlys Regnskap AS", "capacity"),
    ("Fjordvakt Sikkerhet AS", "agreement_company"),
    ("Bygdøy Eiendomsdrift AS", "county"),
    ("Kvadrat IT-drift AS", "courses"),
)


def _lead_form(name: str, orgnr: str) -> dict[str, Any]:
    return {"orgnr": orgnr, "company_name": name, "address": "Storgata 10, 0155 Oslo", "municipality": "Oslo",
            "county": "03", "sector": "private", "contact_name": "Eva Li", "contact_email": "eva.li@example.no",
            "contact_phone": "91234567", "trades": ["SOA03-01"], "places": 2}


def _capacity(actor: DemoActor, case_id: int, decision: str) -> None:
    for task in [t for t in actor.engine.ready_tasks(case_id=case_id) if t.form_key == "onboarding.capacity"]:
        trade = actor.engine.workflow(task.instance_id).get_task_from_id(UUID(task.id)).data["capacity_trade"]
        form = ({"trade": trade, "company_decision": "declines", "decline_reason": "Har ikke kapasitet i år"}
                if decision == "declines" else
                {"trade": trade, "company_decision": "continue", "covers_curriculum": True,
                 "faglig_leder_name": "Mona Berg", "faglig_leder_email": f"mona.berg.{case_id}@example.no",
                 "faglig_leder_phone": "92345678", "instructor_names": "Ali Khan", "instructor_count": 1})
        actor.engine.complete_task(task.id, {"onboarding_capacity": actor.clean("onboarding.capacity", form)},
                                   CONSULTANT)


def drive_onboarding(actor: DemoActor, name: str, orgnr: str, stop_at: str, decision: str = "continue") -> int:
    """Start onboarding for a company and take it up to `stop_at`."""
    day = actor.today.isoformat()
    case_id = actor.engine.start_case("membership_onboarding", CONSULTANT, {}).case_id
    actor.submit(case_id, "onboarding.lead", _lead_form(name, orgnr), actor=CONSULTANT)
    if stop_at == "capacity":
        return case_id
    _capacity(actor, case_id, decision)
    if stop_at in ("agreement_company", "declined"):
        return case_id
    actor.submit(case_id, "onboarding.agreement_company", {
        "company_decision": "signed", "signer_name": "Mona Berg", "signed_on": day, "duties_accepted": True})
    actor.submit(case_id, "onboarding.agreement_office", {"signer_name": "Daglig leder", "signed_on": day,
                                                           "document_ref": f"ARK-{case_id}"})
    actor.submit(case_id, "onboarding.vigo_registration", {"vigo_id": f"VB-{case_id:04d}", "registered_on": day})
    actor.submit(case_id, "onboarding.county_application", {
        "county": "03", "trades": ["SOA03-01"], "sent_on": day, "check_address_in_county": True,
        "check_instructor": True, "check_faglig_leder": True, "check_agreement_attached": True})
    if stop_at == "county":
        return case_id
    actor.record(case_id, "onboarding.county_decision", {
        "decision": "approved", "decided_on": day, "reference": f"FK-GODK-{case_id}",
        "approved_trades": ["SOA03-01"]})
    return case_id


def load_onboarding_cases(actor: DemoActor, data: DemoData) -> dict[str, int]:
    """Onboarding cases at each step, plus one whose company declined after the capacity assessment."""
    rng = random.Random(2014)
    counts: dict[str, int] = {}
    for name, step in LEADS:
        drive_onboarding(actor, name, generated_orgnr(rng), step)
        counts[step] = counts.get(step, 0) + 1
    drive_onboarding(actor, "Havbris Catering AS", generated_orgnr(rng), "declined", decision="declines")
    counts["declined"] = 1
    return counts
