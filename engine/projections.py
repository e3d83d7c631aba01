"""Keeping the projection tables in step with a workflow, in the same transaction as its state."""

from __future__ import annotations

import json
from collections.abc import Callable, Sequence
from datetime import UTC, date, datetime, timedelta
from typing import Any

from sqlalchemy import delete, select
from sqlalchemy.orm import Session
from SpiffWorkflow.bpmn import BpmnWorkflow
from SpiffWorkflow.bpmn.specs.event_definitions.message import MessageEventDefinition
from SpiffWorkflow.bpmn.specs.event_definitions.timer import TimerEventDefinition
from SpiffWorkflow.bpmn.specs.mixins.events.event_types import CatchingEvent
from SpiffWorkflow.task import Task
from SpiffWorkflow.util.task import TaskState

from .models import Case, CaseField, MessageSubscription, ProcessInstance, TaskRow, TimerRow

RoleResolver = Callable[[str | None], str | None]


def default_role(lane: str | None) -> str | None:
    """Map a lane name to a role key: lower case, words joined by underscores."""
    if not lane:
        return None
    return "_".join(lane.strip().lower().replace("-", " ").split())


def task_properties(task: Task) -> dict[str, str]:
    """Return the `spiffworkflow:properties` of a task's spec."""
    return dict(getattr(task.task_spec, "extensions", {}).get("properties", {}) or {})


def correlation_key(values: dict[str, Any]) -> str:
    """A canonical string for a full correlation (every property), so routing matches all keys."""
    return json.dumps(values, sort_keys=True, default=str, separators=(",", ":"))


def _as_datetime(value: Any, start: datetime) -> datetime | None:
    if value is None or value == "":
        return None
    if isinstance(value, datetime):
        return value if value.tzinfo else value.replace(tzinfo=UTC)
    if isinstance(value, date):
        return datetime(value.year, value.month, value.day, 23, 59, tzinfo=UTC)
    if isinstance(value, timedelta):
        return start + value
    text = str(value).strip()
    if text.upper().startswith("P"):
        parsed = TimerEventDefinition.parse_iso_duration(text)
        return start + TimerEventDefinition.get_timedelta_from_start(parsed, start)
    return TimerEventDefinition.get_datetime(text)


class ProjectionWriter:
    """Writes the ready tasks, timers, subscriptions and case fields of one instance."""

    def __init__(self, role_of: RoleResolver = default_role, summary_fields: Sequence[str] = ()) -> None:
        self.role_of = role_of
        self.summary_fields = tuple(summary_fields)

    def sync(self, session: Session, row: ProcessInstance, wf: BpmnWorkflow, now: datetime,
             evaluate: Callable[[Task, str], Any]) -> list[TaskRow]:
        """Bring every projection of `row` in line with `wf`; return the task rows that became ready."""
        ready = {str(t.id): t for t in wf.get_tasks(state=TaskState.READY, manual=True)}
        existing = {t.id: t for t in session.scalars(
            select(TaskRow).where(TaskRow.instance_id == row.id, TaskRow.state == "ready"))}
        created = []
        for task_id, task in ready.items():
            if task_id not in existing:
                created.append(self._new_task(row, task, now, evaluate))
                session.add(created[-1])
        for task_id, old in existing.items():
            if task_id not in ready:
                old.state, old.completed_at = "cancelled", now
        self._sync_waiting(session, row, wf, now, evaluate)
        return created

    def _new_task(self, row: ProcessInstance, task: Task, now: datetime,
                  evaluate: Callable[[Task, str], Any]) -> TaskRow:
        props = task_properties(task)
        spec = task.task_spec
        due, scope, assignee = (_optional(evaluate, task, props.get(name)) for name in ("dueDate", "scope", "assignee"))
        return TaskRow(
            id=str(task.id), instance_id=row.id, case_id=row.case_id, definition_id=row.definition_id,
            process_key=task.workflow.spec.name, spec_name=spec.bpmn_id or spec.name,
            title=spec.bpmn_name or spec.bpmn_id or spec.name, lane=spec.lane,
            role=props.get("role") or self.role_of(spec.lane), form_key=props.get("formKey"),
            scope=str(scope) if scope not in (None, "") else None,
            assignee=str(assignee) if assignee else None, due_at=_as_datetime(due, now),
            priority=int(props.get("priority", 0) or 0), state="ready", created_at=now)

    def _sync_waiting(self, session: Session, row: ProcessInstance, wf: BpmnWorkflow, now: datetime,
                      evaluate: Callable[[Task, str], Any]) -> None:
        session.execute(delete(TimerRow).where(TimerRow.instance_id == row.id))
        session.execute(delete(MessageSubscription).where(MessageSubscription.instance_id == row.id))
        for task in wf.get_tasks(state=TaskState.WAITING, spec_class=CatchingEvent):
            for event_def in _definitions(task.task_spec.event_definition):
                if isinstance(event_def, TimerEventDefinition):
                    due = _timer_due(task)
                    if due is not None:
                        session.add(TimerRow(instance_id=row.id, case_id=row.case_id, task_id=str(task.id),
                                             name=event_def.name or task.task_spec.bpmn_name or "timer",
                                             due_at=due))
                elif isinstance(event_def, MessageEventDefinition):
                    values = expected_correlation(task, event_def, evaluate)
                    session.add(MessageSubscription(
                        instance_id=row.id, case_id=row.case_id, task_id=str(task.id),
                        message_name=event_def.name, correlation=values, correlation_key=correlation_key(values)))

    def sync_case(self, session: Session, case: Case, wf: BpmnWorkflow, status: str, now: datetime) -> None:
        """Update the case's status, current step and summary fields from a workflow."""
        steps = [t.task_spec.bpmn_name or t.task_spec.name for t in wf.get_tasks(state=TaskState.READY, manual=True)]
        if not steps:
            steps = [f"⏳ {t.task_spec.bpmn_name or t.task_spec.name}" for t in
                     wf.get_tasks(state=TaskState.WAITING, spec_class=CatchingEvent)]
        case.current_step = ", ".join(dict.fromkeys(s for s in steps if s))[:300]
        data = _current_data(wf)
        summary = dict(case.summary or {})
        for name in self.summary_fields:
            if name in data and data[name] not in (None, ""):
                summary[name] = _plain(data[name])
        if summary != case.summary:
            case.summary = summary
            _write_fields(session, case, summary)
        case.updated_at = now
        if status in ("completed", "cancelled"):
            open_left = session.scalar(select(ProcessInstance.id).where(
                ProcessInstance.case_id == case.id, ProcessInstance.status.in_(("running", "waiting")),
                ProcessInstance.id != getattr(wf, "_fagflyt_row_id", -1)).limit(1))
            if open_left is None:
                case.status, case.closed_at = ("closed" if status == "completed" else "cancelled"), now
        elif case.status != "open":
            case.status, case.closed_at = "open", None


def _optional(evaluate: Callable[[Task, str], Any], task: Task, expression: str | None) -> Any:
    """Evaluate a task property; a value the data does not have yet (e.g. no company chosen) is None."""
    if not expression:
        return None
    try:
        return evaluate(task, expression)
    except Exception:  # noqa: BLE001 - unsafe expressions are refused at deploy; here only data is missing
        return None


def _definitions(event_def: Any) -> list[Any]:
    return list(getattr(event_def, "event_definitions", None) or [event_def])


def _timer_due(task: Task) -> datetime | None:
    value = task._get_internal_data("event_value")
    if isinstance(value, dict):
        value = value.get("next")
    if not value:
        return None
    return TimerEventDefinition.get_datetime(str(value))


def expected_correlation(task: Task, event_def: MessageEventDefinition,
                         evaluate: Callable[[Task, str], Any]) -> dict[str, Any]:
    """The correlation values this waiting catch expects, computed from its own task data."""
    values: dict[str, Any] = {}
    for prop in event_def.correlation_properties:
        try:
            values[prop.name] = _plain(evaluate(task, prop.retrieval_expression))
        except Exception:  # noqa: BLE001 - data not there yet: this key cannot be routed on
            continue
    return values


def _current_data(wf: BpmnWorkflow) -> dict[str, Any]:
    data: dict[str, Any] = {}
    if wf.last_task is not None:
        data.update(wf.last_task.data)
    for task in wf.get_tasks(state=TaskState.READY | TaskState.WAITING):
        data.update(task.data)
    data.update(wf.data)
    return data


def _plain(value: Any) -> Any:
    if isinstance(value, (date, datetime)):
        return value.isoformat()
    if isinstance(value, (str, int, float, bool)) or value is None:
        return value
    return str(value)


def _write_fields(session: Session, case: Case, summary: dict[str, Any]) -> None:
    session.execute(delete(CaseField).where(CaseField.case_id == case.id))
    for name, value in summary.items():
        session.add(CaseField(case_id=case.id, name=name, value=str(value)[:300]))
