"""Demo cases further into the apprenticeship: conflicts under way, and apprentices in their final months
whose trade-test registration has begun."""

from __future__ import annotations

import random
from dataclasses import replace
from datetime import date, timedelta
from typing import Any
from uuid import UUID

from .contract_cases import drive_contract
from .dataset import DemoData, add_months
from .identity import synthetic_fnr
from .steps import CASE_HANDLER, CONSULTANT, DemoActor

FINAL_YEAR = (("Jonas", "Eriksen", "prerequisites"), ("Ingrid", "Haugen", "readiness"),
              ("Mathias", "Lunde", "registered"))


def _case_facts(actor: DemoActor, case_id: int) -> dict[str, Any]:
    first = actor.engine.instances(case_id)[0]
    return actor.engine.workflow(first.id).last_task.data["case_facts"]


def _task_data(actor: DemoActor, case_id: int, form_key: str) -> dict[str, Any]:
    task = actor.open_task(case_id, form_key)
    return actor.engine.workflow(task.instance_id).get_task_from_id(UUID(task.id)).data


def load_conflict_cases(actor: DemoActor, data: DemoData, contract_cases: dict[str, int]) -> dict[str, int]:
    """Concerns raised for the heving and move personas: one at the workplace dialogue, one in mediation."""
    counts: dict[str, int] = {}
    for persona, step in (("heving_by_agreement", "mediation"), ("move_company", "dialogue")):
        placement = next(p for p in data.placements if p.persona == persona)
        case_id = contract_cases.get(placement.apprentice_national_id)
        if case_id is None:
            continue
        register = actor.clean("conflict.register", {
            "category": "cooperation" if persona == "move_company" else "apprentice_wants_to_stop",
            "description": "Lærlingen og bedriften er uenige om arbeidsoppgavene.", "raised_by": "company",
            "raised_on": actor.today.isoformat()})
        actor.engine.start_case("conflict_handling", CONSULTANT,
                                {"case_facts": _case_facts(actor, case_id), "conflict_register": register},
                                case_id=case_id, message="conflict.concern_raised")
        if step == "mediation":
            actor.submit(case_id, "conflict.dialogue", {
                "meeting_date": actor.today.isoformat(), "participants": ["faglig_leder", "apprentice"],
                "minutes": "Partene kom ikke til enighet.", "outcome": "not_resolved"}, actor="faglig.leder")
            actor.submit(case_id, "conflict.mediation", {
                "meeting_date": actor.today.isoformat(), "representative_present": "ombud",
                "action_plan": "Ukentlige samtaler med instruktøren i fire uker.", "warnings_documented": True,
                "follow_up_weeks": 4}, actor=CONSULTANT)
        counts[step] = counts.get(step, 0) + 1
    return counts


def load_trade_test_cases(actor: DemoActor, data: DemoData) -> dict[str, int]:
    """Apprentices in their last months: registration for the trade test at its first steps."""
    template = next(p for p in data.placements if p.cohort == "in_training" and p.trade_code == "SOA03-01"
                    and not p.persona)
    end = add_months(actor.today, 2) + timedelta(days=20)
    rng = random.Random(2027)
    counts: dict[str, int] = {}
    for first, last, step in FINAL_YEAR:
        born = date(actor.today.year - 20, rng.randint(1, 12), rng.randint(1, 28))
        placement = replace(template, apprentice_national_id=synthetic_fnr(born, rng), cohort="in_training",
                            start_date=add_months(end, -29), end_date=end)
        case_id = drive_contract(actor, data, placement, None, apprentice=(first, last, born))
        actor.engine.fire_due_timers(limit=10_000)
        _advance_trade_test(actor, case_id, step)
        counts[step] = counts.get(step, 0) + 1
    return counts


def _advance_trade_test(actor: DemoActor, case_id: int, step: str) -> None:
    if step == "prerequisites":
        return
    actor.submit(case_id, "tradetest.prerequisites", {
        "vg1_passed": True, "vg2_passed": True, "missing_common_subjects": 0, "evaluations_complete": True,
        "documentation_complete": True, "outcome": "ready"}, actor=CONSULTANT)
    schedule = _task_data(actor, case_id, "tradetest.readiness")["tradetest_schedule"]
    context = {"contract_end_date": date.fromisoformat(schedule["contract_end_date"])}
    if step == "readiness":
        return
    start = max(actor.today, date.fromisoformat(schedule["test_earliest"])) + timedelta(days=7)
    actor.submit(case_id, "tradetest.readiness", {
        "period_from": start.isoformat(), "period_to": (start + timedelta(days=4)).isoformat(),
        "test_site": "Lærebedriften", "ready": True}, actor="faglig.leder", context=context)
    actor.submit(case_id, "tradetest.register", {"registered_on": actor.today.isoformat(), "county": "03",
                                                 "receipt_ref": f"OPP-{case_id}"}, actor=CASE_HANDLER, context=context)


