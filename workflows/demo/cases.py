"""Demo cases for every process, created through the engine the way users would create them."""

from __future__ import annotations

from datetime import date

from sqlalchemy import func, select

from engine import CaseEngine
from engine.models import Case

from .contract_cases import load_contract_cases
from .dataset import DEFAULT_SEED
from .followup_cases import catch_up_follow_up
from .later_cases import load_conflict_cases, load_trade_test_cases
from .onboarding_cases import load_onboarding_cases
from .plan import build_demo
from .steps import DemoActor


def load_demo_cases(engine: CaseEngine, today: date, *, seed: int = DEFAULT_SEED) -> dict[str, dict[str, int]]:
    """Create the demo cases once (nothing when cases exist); return how many stand at each step, per process."""
    with engine.db.read() as session:
        if session.scalar(select(func.count()).select_from(Case)):
            return {}
    actor = DemoActor(engine, today)
    data = build_demo(today, seed)
    approved: dict[str, int] = {}
    made = {"contract_signing": load_contract_cases(actor, data, approved),
            "membership_onboarding": load_onboarding_cases(actor, data)}
    engine.fire_due_timers(limit=10_000)
    made["trade_test"] = load_trade_test_cases(actor, data)
    made["follow_up"] = {"caught_up_tasks": catch_up_follow_up(actor)}
    made["conflict_handling"] = load_conflict_cases(actor, data, approved)
    return made
