"""Demo contract cases: the new intake stands at every step of contract signing; those in training are
approved, which starts their follow-up and trade-test processes."""

from __future__ import annotations

from datetime import date
from typing import Any

from .dataset import DemoData, DemoPlacement
from .steps import CASE_HANDLER, DemoActor

# Where the n-th new-intake contract is left standing (cycled).
INTAKE_STEPS = ("draft", "signing", "faglig_leder_to_sign", "submit", "awaiting_county", "rejected")


def draft_form(data: DemoData, placement: DemoPlacement,
               apprentice_names: tuple[str, str, date] | None = None) -> dict[str, Any]:
    """The contract draft a case handler would type for this placement (optionally for a new apprentice)."""
    apprentice = data.person(placement.apprentice_national_id) if apprentice_names is None else None
    leader = next(c for c in data.contacts if c.national_id == placement.faglig_leder_national_id
                  and c.company_key == placement.company_key and c.role == "faglig_leder")
    leader_person = data.person(leader.national_id)
    if apprentice is not None:
        person = {"apprentice_first_name": apprentice.first_name,
                  "apprentice_middle_name": apprentice.middle_name or "", "apprentice_last_name": apprentice.last_name,
                  "apprentice_mobile": apprentice.mobile, "apprentice_email": apprentice.email,
                  "apprentice_address": f"{apprentice.address.street}, {apprentice.address.postal_code} "
                                        f"{apprentice.address.postal_place}"}
    else:
        first, last, _ = apprentice_names
        person = {"apprentice_first_name": first, "apprentice_last_name": last, "apprentice_mobile": "91234567",
                  "apprentice_email": f"{first}.{last}@example.no".lower(),
                  "apprentice_address": "Storgata 20, 0184 Oslo"}
    form: dict[str, Any] = {
        "contract_type": placement.contract_type, "trade": placement.trade_code,
        "apprentice_fnr": placement.apprentice_national_id, **person,
        "company_orgnr": placement.company_orgnr, "faglig_leder_name": leader_person.first_name + " "
        + leader_person.last_name, "faglig_leder_birth_date": leader_person.birth_date.isoformat(),
        "faglig_leder_email": leader.email, "start_date": placement.start_date.isoformat(),
        "end_date": placement.end_date.isoformat(), "training_model": placement.training_model,
        "probation_months": placement.probation_months, "credit_months": placement.credit_months,
        "missing_common_subjects": list(placement.missing_common_subjects),
        "employment_contract_ref": f"AA-{placement.start_date.year}-{placement.apprentice_national_id[-4:]}",
        "responsibilities": "Opplæringskontoret har det formelle ansvaret; bedriften gir opplæringen etter "
                            "læreplanen og den interne planen.",
    }
    if placement.credit_months:
        form["credit_documentation"] = "Dokumentert praksis fra tidligere arbeid."
    if placement.missing_common_subjects:
        form["extra_terms"] = placement.extra_terms or "Fellesfaget tas opp i løpet av læretiden."
    if placement.training_model == "other":
        form["training_model_description"] = "Avtalt med fylkeskommunen."
    guardian = next((g for g in data.guardians if g.apprentice_national_id == placement.apprentice_national_id), None)
    if guardian is not None:
        person = data.person(guardian.guardian_national_id)
        form.update(guardian_name=f"{person.first_name} {person.last_name}", guardian_relation=guardian.relation,
                    guardian_phone=person.mobile, guardian_email=person.email)
    return form


def drive_contract(actor: DemoActor, data: DemoData, placement: DemoPlacement, stop_at: str | None,
                   apprentice: tuple[str, str, date] | None = None) -> int:
    """Start a contract case for the placement and take it up to `stop_at` (None: to approval)."""
    case_id = actor.engine.start_case("contract_signing", CASE_HANDLER, {}).case_id
    if stop_at == "draft":
        return case_id
    decided = min(placement.start_date, actor.today) if placement.cohort == "in_training" else actor.today
    actor.submit(case_id, "contract.draft", draft_form(data, placement, apprentice))
    actor.submit(case_id, "contract.guardian_informed", {"informed_on": decided.isoformat(), "channel": "email"})
    if stop_at == "signing":
        return case_id
    signed = {"signed_on": decided.isoformat(), "method": "bankid"}
    actor.submit(case_id, "contract.sign_apprentice", {"signer_name": "Lærlingen", **signed})
    actor.submit(case_id, "contract.sign_office", {"signer_name": "Daglig leder", **signed})
    if stop_at == "faglig_leder_to_sign":
        return case_id
    actor.submit(case_id, "contract.sign_faglig_leder", {"signer_name": "Faglig leder", **signed})
    if stop_at == "submit":
        return case_id
    actor.submit(case_id, "contract.submit_county", {"submitted_on": decided.isoformat(),
                                                      "vigo_reference": f"VIGO-{case_id:05d}"})
    if stop_at == "awaiting_county":
        return case_id
    if stop_at == "rejected":
        actor.record(case_id, "contract.county_decision", {
            "decision": "rejected", "decided_on": decided.isoformat(), "reference": f"FK-{case_id:05d}",
            "reason": "Opplæringsmodellen må beskrives nærmere."})
        return case_id
    actor.record(case_id, "contract.county_decision", {"decision": "approved", "decided_on": decided.isoformat(),
                                                        "reference": f"FK-{case_id:05d}"})
    return case_id


def load_contract_cases(actor: DemoActor, data: DemoData,
                        approved: dict[str, int] | None = None) -> dict[str, int]:
    """Contract cases for every placement; returns how many stand at each step. The cases of approved
    contracts are collected in `approved` (apprentice national id -> case id)."""
    counts: dict[str, int] = {}
    intake = [p for p in data.placements if p.cohort == "new_intake"]
    for index, placement in enumerate(intake):
        step = INTAKE_STEPS[index % len(INTAKE_STEPS)]
        drive_contract(actor, data, placement, step)
        counts[step] = counts.get(step, 0) + 1
    for placement in (p for p in data.placements if p.cohort == "in_training"):
        case_id = drive_contract(actor, data, placement, None)
        if approved is not None:
            approved[placement.apprentice_national_id] = case_id
        counts["approved"] = counts.get("approved", 0) + 1
    return counts


