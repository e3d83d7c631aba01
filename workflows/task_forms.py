"""What a task's screen needs from its process: validation context, prefilled values, choices and key facts.

The forms are data and know nothing of processes; the screens know nothing of the process variables.
This module is the bridge, kept next to the BPMN files whose variables it reads.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from .conventions import form_variable
from .records import MemberCompany, MembershipStatus
from .reference_data import county_choices, trade_choices

# The case facts shown beside a task's form, in this order (names of `case_facts` keys).
KEY_FACTS = ("apprentice_name", "apprentice_fnr", "company_name", "company_orgnr", "trade", "county",
             "contract_type", "start_date", "end_date")


def _dig(data: Any, *path: str) -> Any:
    for name in path:
        if not isinstance(data, dict):
            return None
        data = data.get(name)
    return data


def _as_date(value: Any) -> date | None:
    if isinstance(value, date):
        return value
    if isinstance(value, str) and value:
        try:
            return date.fromisoformat(value[:10])
        except ValueError:
            return None
    return None


def form_context(form_key: str, task_data: dict[str, Any], today: date, *,
                 allow_synthetic_ids: bool) -> dict[str, Any]:
    """The facts a form's rules compare with (deadlines, earlier results), read from the task's data."""
    context: dict[str, Any] = {"today": today, "allow_synthetic_fnr": allow_synthetic_ids}
    schedule = task_data.get("tradetest_schedule")
    if form_key in ("tradetest.register", "tradetest.readiness") and _dig(schedule, "deadline_applies"):
        end = _as_date(_dig(schedule, "contract_end_date"))
        if end is not None:
            context["contract_end_date"] = end
    if form_key == "tradetest.appeal":
        outcome = task_data.get("tradetest_outcome") or {}
        result_date = _as_date(_dig(outcome, "result_date"))
        if result_date is not None:
            context["result_date"] = result_date
        if _dig(outcome, "result"):
            context["result"] = outcome["result"]
    return context


def form_prefill(form_key: str, task_data: dict[str, Any]) -> dict[str, Any]:
    """Values to show in a task's form when it opens: what was sent last time, and what the step implies."""
    previous = task_data.get(form_variable(form_key))
    values: dict[str, Any] = dict(previous) if isinstance(previous, dict) else {}
    if form_key == "onboarding.capacity" and task_data.get("capacity_trade"):
        values["trade"] = task_data["capacity_trade"]
    if form_key == "followup.evaluation":
        period = _dig(task_data, "half_year", "evaluation", "period")
        if period:
            values["period"] = period
    return values


def key_facts(task_data: dict[str, Any]) -> dict[str, Any]:
    """The case facts worth showing beside a task's form (only those the case has)."""
    facts = task_data.get("case_facts")
    if not isinstance(facts, dict):
        return {}
    return {name: facts[name] for name in KEY_FACTS if facts.get(name) not in (None, "")}


def choices_provider(session: Session, today: date) -> Callable[[str], list[tuple[str, str]]]:
    """Answers the forms' trade, county and company fields from the records (cached per provider)."""
    cache: dict[str, list[tuple[str, str]]] = {}

    def provide(source: str) -> list[tuple[str, str]]:
        if source not in cache:
            if source == "trade":
                cache[source] = trade_choices(session, today)
            elif source == "county":
                cache[source] = county_choices(session)
            elif source == "company":
                rows = session.execute(select(MemberCompany.orgnr, MemberCompany.name)
                                       .where(MemberCompany.membership_status == MembershipStatus.ACTIVE)
                                       .order_by(MemberCompany.name))
                cache[source] = [(orgnr, f"{name} ({orgnr})") for orgnr, name in rows]
            else:
                cache[source] = []
        return cache[source]

    return provide
