"""The kinds of case a case handler can start from the screens, and the data each start needs."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from engine import CaseEngine

from .conventions import task_payload


@dataclass(frozen=True)
class StartKind:
    """A way to start work: the process, and for a start from a case, its form and start message."""

    process_key: str
    form_key: str | None = None
    message: str | None = None
    from_case: bool = False


START_KINDS: dict[str, StartKind] = {
    "lead": StartKind("membership_onboarding"),
    "contract": StartKind("contract_signing"),
    "concern": StartKind("conflict_handling", form_key="conflict.register", message="conflict.concern_raised",
                         from_case=True),
}


def case_facts(engine: CaseEngine, case_id: int) -> dict[str, Any] | None:
    """The case facts the case's processes know (from the newest process that has them), or None."""
    for instance in reversed(engine.instances(case_id)):
        data = engine.workflow(instance.id).last_task.data
        if isinstance(data.get("case_facts"), dict):
            return dict(data["case_facts"])
    return None


def start(engine: CaseEngine, kind: StartKind, actor: str, *, case_id: int | None = None,
          cleaned: dict[str, Any] | None = None):  # type: ignore[no-untyped-def]
    """Start the case (or the process within `case_id`) with what its start form gave."""
    if not kind.from_case:
        return engine.start_case(kind.process_key, actor)
    if case_id is None or kind.form_key is None:
        raise ValueError(f"{kind.process_key} starts from an existing case")
    facts = case_facts(engine, case_id)
    if facts is None:
        raise ValueError("the case has no apprenticeship facts to raise a concern about")
    data = {"case_facts": facts, **task_payload(kind.form_key, cleaned or {})}
    return engine.start_case(kind.process_key, actor, data, case_id=case_id, message=kind.message)
