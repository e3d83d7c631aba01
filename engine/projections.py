"""Keeping the projection tables in step with a workflow, in the same transaction as its state.

Writes only what changed: the ready and waiting sets are compared before and after a step in memory, so
a typical call inserts the new task rows and touches nothing else.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from typing import Any
from uuid import UUID

from SpiffWorkflow.bpmn import BpmnWorkflow
from SpiffWorkflow.bpmn.specs.event_definitions.message import MessageEventDefinition
from SpiffWorkflow.bpmn.specs.event_definitions.timer import TimerEventDefinition
from SpiffWorkflow.bpmn.specs.mixins.events.event_types import CatchingEvent
from SpiffWorkflow.task import Task
from SpiffWorkflow.util.task import TaskState
from sqlalchemy import delete, insert, select, update
from sqlalchemy.orm import Session

from . import statements
from .jobs import enqueue
from .models import Case, CaseField, MessageSubscription, ProcessInstance, TaskRow, TimerRow

RoleResolver = Callable[[str | None], str | None]
Evaluate = Callable[[Task, str], Any]


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


@dataclass(frozen=True)
class Snapshot:
    """What an instance shows the outside world: its ready human tasks and what it waits for."""

    ready: frozenset[str] = frozenset()
    waiting: tuple[tuple[Any, ...], ...] = ()

    def without(self, task_id: str) -> Snapshot:
        """The same snapshot without one ready task (one the caller closes itself)."""
        return Snapshot(self.ready - {task_id}, self.waiting)


EMPTY = Snapshot()


@dataclass
class InstanceRef:
    """The identity of the instance whose projections are written."""

    id: int
    case_id: int
    definition_id: int


class ProjectionWriter:
    """Writes the ready tasks, timers, subscriptions and case fields of one instance."""

    def __init__(self, role_of: RoleResolver = default_role,
                 summary_fields: Sequence[str] | Mapping[str, str] = (), *, task_jobs: bool = False) -> None:
        self.role_of = role_of
        self.task_jobs = task_jobs  # queue a "task.ready" job per new task (notifications)
        fields = summary_fields if isinstance(summary_fields, Mapping) else {n: n for n in summary_fields}
        self.summary_fields = {name: tuple(path.split(".")) for name, path in fields.items()}

    def snapshot(self, wf: BpmnWorkflow, evaluate: Evaluate) -> Snapshot:
        """Read the ready and waiting sets of a workflow."""
        ready = frozenset(str(t.id) for t in wf.get_tasks(state=TaskState.READY, manual=True))
        waiting = []
        for task in wf.get_tasks(state=TaskState.WAITING, spec_class=CatchingEvent):
            for event_def in _definitions(task.task_spec.event_definition):
                if isinstance(event_def, TimerEventDefinition):
                    due = _timer_due(task)
                    if due is not None:
                        name = event_def.name or task.task_spec.bpmn_name or "timer"
                        waiting.append((str(task.id), "timer", name, due))
                elif isinstance(event_def, MessageEventDefinition):
                    values = expected_correlation(task, event_def, evaluate)
                    waiting.append((str(task.id), "message", event_def.name, correlation_key(values)))
        return Snapshot(ready, tuple(sorted(waiting, key=lambda w: (w[0], w[1], w[2]))))

    def write(self, session: Session, ref: InstanceRef, wf: BpmnWorkflow, before: Snapshot, now: datetime,
              evaluate: Evaluate) -> Snapshot:
        """Write the difference between `before` and the workflow's current projections."""
        after = self.snapshot(wf, evaluate)
        new = after.ready - before.ready
        if new:
            rows = [self._task_row(ref, wf.get_task_from_id(UUID(i)), now, evaluate) for i in sorted(new)]
            session.connection().execute(statements.INSERT_TASKS, rows)
            if self.task_jobs:
                for row in rows:
                    enqueue(session, "task.ready", f"task.ready:{row['id']}", {"task_id": row["id"]}, now,
                            case_id=ref.case_id)
        gone = before.ready - after.ready
        if gone:
            session.connection().execute(statements.CANCEL_TASKS, {"task_ids": sorted(gone), "now": now})
        if after.waiting != before.waiting:
            self._write_waiting(session, ref, after)
        return after

    def _task_row(self, ref: InstanceRef, task: Task, now: datetime, evaluate: Evaluate) -> dict[str, Any]:
        props = task_properties(task)
        spec = task.task_spec
        due, scope, assignee = (_optional(evaluate, task, props.get(n)) for n in ("dueDate", "scope", "assignee"))
        return dict(id=str(task.id), instance_id=ref.id, case_id=ref.case_id, definition_id=ref.definition_id,
                    process_key=task.workflow.top_workflow.spec.name, spec_name=spec.bpmn_id or spec.name,
                    title=spec.bpmn_name or spec.bpmn_id or spec.name, lane=spec.lane,
                    role=props.get("role") or self.role_of(spec.lane), form_key=props.get("formKey"),
                    scope=str(scope) if scope not in (None, "") else None,
                    assignee=str(assignee) if assignee else None, due_at=_as_datetime(due, now),
                    priority=int(props.get("priority", 0) or 0), state="ready", created_at=now)

    def _write_waiting(self, session: Session, ref: InstanceRef, after: Snapshot) -> None:
        session.execute(delete(TimerRow).where(TimerRow.instance_id == ref.id))
        session.execute(delete(MessageSubscription).where(MessageSubscription.instance_id == ref.id))
        timers = [dict(instance_id=ref.id, case_id=ref.case_id, task_id=w[0], name=w[2], due_at=w[3])
                  for w in after.waiting if w[1] == "timer"]
        subs = [dict(instance_id=ref.id, case_id=ref.case_id, task_id=w[0], message_name=w[2],
                     correlation_key=w[3], correlation=json.loads(w[3])) for w in after.waiting if w[1] == "message"]
        if timers:
            session.execute(insert(TimerRow), timers)
        if subs:
            session.execute(insert(MessageSubscription), subs)

    def write_case(self, session: Session, case_id: int, previous: dict[str, Any], wf: BpmnWorkflow,
                   instance_status: str, now: datetime, case_status: str = "open") -> tuple[dict[str, Any], str | None]:
        """Update the case's current step, summary fields and status; return the summary and any new status."""
        values: dict[str, Any] = {"updated_at": now}
        data = _current_data(wf) if self.summary_fields else {}
        summary = dict(previous or {})
        for name, path in self.summary_fields.items():
            value = _lookup(data, path)
            if value not in (None, ""):
                summary[name] = _plain(value)
        if summary != (previous or {}):
            values["summary"] = summary
            session.execute(delete(CaseField).where(CaseField.case_id == case_id))
            session.execute(insert(CaseField), [dict(case_id=case_id, name=k, value=str(v)[:300])
                                                for k, v in summary.items()])
        if instance_status == "running":
            values["current_step"] = _current_step(wf)
            if case_status in ("closed", "cancelled"):
                values.update(status="open", closed_at=None)
            if len(values) == 2:
                session.connection().execute(statements.UPDATE_CASE_STEP, {"case_id": case_id, "now": now,
                                                                           "current_step": values["current_step"]})
                return summary, None
        else:
            still_open = session.scalar(select(ProcessInstance.id).where(
                ProcessInstance.case_id == case_id, ProcessInstance.status == "running").limit(1))
            if still_open is None:
                values.update(current_step="", closed_at=now,
                              status="closed" if instance_status == "completed" else "cancelled")
        session.execute(update(Case).where(Case.id == case_id).values(**values))
        return summary, values.get("status")


def rescope_open_tasks(session: Session, case_id: int, old_scope: str, new_scope: str) -> int:
    """Move a case's open tasks from one company scope to another (e.g. an apprentice changes company), in
    the caller's transaction; return how many tasks moved. Handlers call it when the business moves a case."""
    done = session.execute(update(TaskRow).where(TaskRow.case_id == case_id, TaskRow.state == "ready",
                                                 TaskRow.scope == old_scope).values(scope=new_scope))
    return done.rowcount


def _lookup(data: Mapping[str, Any], path: tuple[str, ...]) -> Any:
    value: Any = data
    for part in path:
        if not isinstance(value, Mapping):
            return None
        value = value.get(part)
    return value


def _current_step(wf: BpmnWorkflow) -> str:
    steps = [t.task_spec.bpmn_name or t.task_spec.name for t in wf.get_tasks(state=TaskState.READY, manual=True)]
    if not steps:
        steps = [f"⏳ {t.task_spec.bpmn_name or t.task_spec.name}" for t in
                 wf.get_tasks(state=TaskState.WAITING, spec_class=CatchingEvent)]
    return ", ".join(dict.fromkeys(s for s in steps if s))[:300]


def _optional(evaluate: Evaluate, task: Task, expression: str | None) -> Any:
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


def expected_correlation(task: Task, event_def: MessageEventDefinition, evaluate: Evaluate) -> dict[str, Any]:
    """The correlation values this waiting catch expects, computed from its own task data."""
    values: dict[str, Any] = {}
    for prop in event_def.correlation_properties:
        try:
            values[prop.name] = _plain(evaluate(task, prop.retrieval_expression))
        except Exception:  # noqa: BLE001, S112 - data not there yet: this key cannot be routed on
            continue
    return values


def _current_data(wf: BpmnWorkflow) -> dict[str, Any]:
    data: dict[str, Any] = {}
    if wf.last_task is not None:
        data.update(wf.last_task.data)
    open_tasks = wf.get_tasks(state=TaskState.READY | TaskState.WAITING)
    # The parent's tasks first, then those inside call activities: the innermost work is the newest.
    for task in sorted(open_tasks, key=lambda t: t.workflow is not wf):
        data.update(task.data)
    data.update(wf.data)
    return data


def _plain(value: Any) -> Any:
    if isinstance(value, (date, datetime)):
        return value.isoformat()
    if isinstance(value, (str, int, float, bool)) or value is None:
        return value
    return str(value)
