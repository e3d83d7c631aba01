"""Plain values the facade returns, so callers never hold sessions or live workflow objects."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from .models import AuditEvent, TaskRow


@dataclass(frozen=True)
class TaskInfo:
    """A human task as a screen needs it."""

    id: str
    case_id: int
    instance_id: int
    title: str
    spec_name: str
    process_key: str
    role: str | None
    lane: str | None
    form_key: str | None
    scope: str | None
    assignee: str | None
    due_at: datetime | None
    state: str
    created_at: datetime
    completed_by: str | None = None
    completed_at: datetime | None = None

    @classmethod
    def of(cls, row: TaskRow) -> TaskInfo:
        """Copy a projection row into a detached value."""
        return cls(row.id, row.case_id, row.instance_id, row.title, row.spec_name, row.process_key, row.role,
                   row.lane, row.form_key, row.scope, row.assignee, row.due_at, row.state, row.created_at,
                   row.completed_by, row.completed_at)


@dataclass(frozen=True)
class StepResult:
    """What one call did to a case: its status afterwards and the tasks now open in it."""

    case_id: int
    case_number: str
    case_status: str
    instance_id: int | None
    open_tasks: list[TaskInfo] = field(default_factory=list)
    started_instances: list[int] = field(default_factory=list)


@dataclass(frozen=True)
class HistoryEntry:
    """One line of a case's history."""

    at: datetime
    actor: str
    action: str
    task_title: str | None
    form_key: str | None
    data: dict[str, Any] | None
    detail: str | None

    @classmethod
    def of(cls, row: AuditEvent) -> HistoryEntry:
        """Copy an audit row into a detached value."""
        return cls(row.at, row.actor, row.action, row.task_title, row.form_key, row.data, row.detail)


def json_safe(value: Any) -> Any:
    """Return `value` as JSON-compatible data (dates as ISO strings), for audit and API bodies."""
    if isinstance(value, (str, int, float, bool)) or value is None:
        return value
    if isinstance(value, dict):
        return {str(k): json_safe(v) for k, v in value.items()}
    if isinstance(value, (list, tuple, set)):
        return [json_safe(v) for v in value]
    return _default(value)


def _default(value: Any) -> Any:
    if isinstance(value, (date, datetime)):
        return value.isoformat()
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, (set, tuple)):
        return list(value)
    raise TypeError(f"cannot store a {type(value).__name__} in task data")


@dataclass(frozen=True)
class Diagram:
    """What the diagram view draws: the definition's XML and which elements are done and which active."""

    instance_id: int
    definition_key: str
    definition_version: int
    process_id: str
    xml: str
    completed: list[str]
    active: list[str]
