"""Inside one engine call: lock, restore, step and save an instance, route thrown messages, write projections.

The hot path uses SQLAlchemy Core statements (a handful per call); optimistic locking is a version check in
the UPDATE, on top of the row lock PostgreSQL takes and the write lock SQLite takes at BEGIN.
"""

from __future__ import annotations

import threading
from collections.abc import Iterable
from copy import deepcopy
from dataclasses import dataclass
from datetime import datetime
from typing import Any
from uuid import UUID

from SpiffWorkflow.bpmn import BpmnEvent, BpmnWorkflow
from SpiffWorkflow.bpmn.script_engine import PythonScriptEngine
from SpiffWorkflow.bpmn.specs.event_definitions.message import MessageEventDefinition
from SpiffWorkflow.task import Task
from SpiffWorkflow.util.task import TaskState
from sqlalchemy import insert, select, update
from sqlalchemy.orm import Session

from . import statements
from .context import current_call
from .deployment import Deployer, latest_definitions
from .errors import InvalidState, NotFound, TaskConflict
from .models import Definition, MessageSubscription, ProcessInstance
from .projections import EMPTY, InstanceRef, ProjectionWriter, Snapshot
from .results import json_safe
from .serialization import InstanceSerializer

MAX_ROUTING_DEPTH = 5


@dataclass
class Loaded:
    """An instance row and its case, read (and locked) for one call."""

    id: int
    case_id: int
    definition_id: int
    process_key: str
    status: str
    suspended: bool
    state: str
    lock_version: int
    case_summary: dict[str, Any]
    case_number: str | None = None
    case_status: str = "open"

    @property
    def ref(self) -> InstanceRef:
        """The ids projections are written under."""
        return InstanceRef(self.id, self.case_id, self.definition_id)


class Stepper:
    """The mechanics shared by every facade call that changes a process instance."""

    def __init__(self, deployer: Deployer, serializer: InstanceSerializer, script_engine: PythonScriptEngine,
                 projections: ProjectionWriter, locks_rows: bool) -> None:
        self.deployer = deployer
        self.serializer = serializer
        self.script_engine = script_engine
        self.projections = projections
        self.locks_rows = locks_rows
        self._definitions: dict[int, Definition] = {}
        self._lock = threading.Lock()

    def definition(self, session: Session, definition_id: int) -> Definition:
        """A definition version; rows never change once deployed, so they are kept in memory."""
        found = self._definitions.get(definition_id)
        if found is None:
            found = session.get(Definition, definition_id)
            if found is None:
                raise NotFound(f"definition {definition_id} does not exist")
            session.expunge(found)
            with self._lock:
                self._definitions[definition_id] = found
        return found

    def lock(self, session: Session, instance_id: int) -> Loaded:
        """Read an instance with its case summary, locking it against concurrent writers."""
        query = statements.LOCK_INSTANCE if self.locks_rows else statements.LOAD_INSTANCE
        row = session.connection().execute(query, {"instance_id": instance_id}).first()
        if row is None:
            raise NotFound(f"process instance {instance_id} does not exist")
        return self.loaded(row)

    def loaded(self, row: Any) -> Loaded:
        """An instance read by one of the statements that select its columns, entered as the running call's."""
        loaded = Loaded(*row)
        _enter(loaded.case_id, loaded.id)
        return loaded

    def restore(self, session: Session, loaded: Loaded | ProcessInstance) -> BpmnWorkflow:
        """Rebuild the live workflow of an instance from its state and cached spec."""
        spec, subs = self.deployer.specs_for(session, self.definition(session, loaded.definition_id))
        wf = self.serializer.loads(loaded.state, spec, subs)
        wf.script_engine = self.script_engine
        return wf

    def snapshot(self, wf: BpmnWorkflow) -> Snapshot:
        """The projections of a workflow before it is stepped."""
        return self.projections.snapshot(wf, self.evaluate)

    def evaluate(self, task: Task, expression: str) -> Any:
        """Evaluate a task-property expression with the safe script engine."""
        return self.script_engine.evaluate(task, expression)

    def start(self, session: Session, case_id: int, summary: dict[str, Any], definition: Definition,
              data: dict[str, Any] | None, actor: str, now: datetime, depth: int = 0,
              message: str | None = None, case_status: str = "open") -> Loaded:
        """Start an instance of `definition` in a case, run it to its first wait and save it.

        With `message`, the instance begins at its message start event for that message, with `data` as
        the message's payload.
        """
        spec, subs = self.deployer.specs_for(session, definition)
        _enter(case_id, None)
        wf = BpmnWorkflow(spec, subs, script_engine=self.script_engine)
        if data and message is None:
            for task in wf.get_tasks(state=TaskState.READY):
                task.set_data(**deepcopy(data))
        wf.do_engine_steps()
        if message is not None:
            starter = next((t for t in wf.get_tasks(state=TaskState.WAITING)
                            if getattr(t.task_spec, "event_definition", None) is not None
                            and getattr(t.task_spec.event_definition, "name", None) == message), None)
            if starter is None:
                raise NotFound(f"{definition.key} does not start with the message {message!r}")
            wf.send_event(BpmnEvent(starter.task_spec.event_definition, deepcopy(data or {}), {}))
            wf.do_engine_steps()
        instance_id = session.execute(insert(ProcessInstance).values(
            case_id=case_id, definition_id=definition.id, process_key=definition.key, status="running",
            suspended=False, state="", serializer_version=self.serializer.version, lock_version=0,
            started_by=actor, started_at=now, updated_at=now).returning(ProcessInstance.id)).scalar_one()
        audit(session, case_id, instance_id, actor, "process_started", now,
              detail=f"{definition.key} v{definition.version}")
        loaded = Loaded(instance_id, case_id, definition.id, definition.key, "running", False, "", 0, summary, None,
                        case_status)
        self.save(session, loaded, wf, EMPTY, actor, now, depth)
        return loaded

    def save(self, session: Session, loaded: Loaded, wf: BpmnWorkflow, before: Snapshot, actor: str,
             now: datetime, depth: int = 0, *, status: str | None = None) -> None:
        """Persist state and projections of a stepped workflow, then route the messages it threw."""
        state = self.serializer.dumps(wf)
        values: dict[str, Any] = {}
        if status is not None and status != loaded.status:
            values.update(status=status, ended_at=now, suspended=False)
        status = status or loaded.status
        if wf.completed and status == "running":
            status = "completed"
            values.update(status=status, ended_at=now)
            audit(session, loaded.case_id, loaded.id, actor, "process_completed", now, detail=loaded.process_key)
        if values:
            values.update(state=state, serializer_version=self.serializer.version, updated_at=now,
                          lock_version=loaded.lock_version + 1)
            done = session.execute(update(ProcessInstance).where(
                ProcessInstance.id == loaded.id, ProcessInstance.lock_version == loaded.lock_version).values(**values))
        elif state != loaded.state:
            done = session.connection().execute(statements.SAVE_STATE, {
                "instance_id": loaded.id, "expected": loaded.lock_version, "state": state, "now": now,
                "serializer_version": self.serializer.version, "next_version": loaded.lock_version + 1})
        if values or state != loaded.state:
            if done.rowcount != 1:
                raise TaskConflict("Someone else changed this case at the same moment; nothing was saved. "
                                   "Reload and try again.")
            loaded.state, loaded.lock_version, loaded.status = state, loaded.lock_version + 1, status
        self.projections.write(session, loaded.ref, wf, before, now, self.evaluate)
        for event in wf.get_events():
            self.route(session, loaded, event, actor, now, depth + 1)
        loaded.case_summary, case_status = self.projections.write_case(
            session, loaded.case_id, loaded.case_summary, wf, status, now, loaded.case_status)
        loaded.case_status = case_status or loaded.case_status

    def route(self, session: Session, source: Loaded, event: BpmnEvent, actor: str, now: datetime,
              depth: int) -> None:
        """Deliver a message thrown by one instance: start processes that begin with it, or wake a waiting one."""
        definition = event.event_definition
        if not isinstance(definition, MessageEventDefinition) or depth > MAX_ROUTING_DEPTH:
            return
        payload = event.payload if isinstance(event.payload, dict) else {"message": event.payload}
        starters = [d for d in latest_definitions(session).values() if definition.name in (d.start_messages or [])]
        for target in starters:
            audit(session, source.case_id, source.id, actor, "message_sent", now,
                  detail=f"{definition.name} → {target.key}")
            self.start(session, source.case_id, source.case_summary, target, json_safe(payload), actor, now, depth,
                       message=definition.name, case_status=source.case_status)
        if starters:
            return
        waiting = one_per_instance(session.scalars(select(MessageSubscription).where(
            MessageSubscription.case_id == source.case_id, MessageSubscription.message_name == definition.name,
            MessageSubscription.instance_id != source.id).order_by(MessageSubscription.id)))
        for sub in waiting:
            target = self.lock(session, sub.instance_id)
            wf = self.restore(session, target)
            before = self.snapshot(wf)
            self.catch(wf, sub.task_id, payload, sub.correlation)
            audit(session, target.case_id, target.id, actor, "message_received", now, detail=definition.name)
            self.save(session, target, wf, before, actor, now, depth)
        if not waiting:
            audit(session, source.case_id, source.id, actor, "message_unrouted", now, detail=definition.name)

    def catch(self, wf: BpmnWorkflow, task_id: str, payload: dict[str, Any],
              expected: dict[str, Any] | None = None) -> None:
        """Give a message to the waiting catch event `task_id` of `wf` and run on.

        `expected` is the correlation the subscription was routed on; values missing from the payload
        (a case handler recording the county's answer from the case) are taken from it.
        """
        task = wf.get_task_from_id(UUID(task_id))
        if task is None or not task.has_state(TaskState.WAITING):
            raise NotFound("the process is no longer waiting for this message")
        definition = task.task_spec.event_definition
        for candidate in getattr(definition, "event_definitions", None) or [definition]:
            if isinstance(candidate, MessageEventDefinition):
                definition = candidate
                break
        payload = {**(expected or {}), **payload}
        missing = [p.name for p in definition.correlation_properties
                   if _missing(self.script_engine, p.retrieval_expression, payload)]
        if missing:
            raise InvalidState(f"The message {definition.name!r} lacks the correlation value(s) "
                               f"{', '.join(missing)}.")
        correlations = definition.calculate_correlations(self.script_engine, definition.correlation_properties,
                                                         payload)
        wf.send_event(BpmnEvent(definition, deepcopy(payload), correlations))
        wf.do_engine_steps()


def one_per_instance(subscriptions: Iterable[MessageSubscription]) -> list[MessageSubscription]:
    """One subscription per instance: SpiffWorkflow gives a delivered message to every catch that waits for
    it in that instance, so a second delivery to the same instance would find nobody waiting."""
    seen: dict[int, MessageSubscription] = {}
    for sub in subscriptions:
        seen.setdefault(sub.instance_id, sub)
    return list(seen.values())


def _enter(case_id: int, instance_id: int | None) -> None:
    """Tell trusted service handlers which case and instance the running step belongs to."""
    ctx = current_call()
    if ctx is not None:
        ctx.case_id, ctx.instance_id = case_id, instance_id


def _missing(script_engine: PythonScriptEngine, expression: str, payload: dict[str, Any]) -> bool:
    try:
        script_engine.environment.evaluate(expression, payload)
    except Exception:  # noqa: BLE001 - any failure means the value cannot be had from this payload
        return True
    return False


def audit(session: Session, case_id: int | None, instance_id: int | None, actor: str, action: str, now: datetime,
          *, task_id: str | None = None, task_title: str | None = None, form_key: str | None = None,
          data: dict[str, Any] | None = None, detail: str | None = None) -> None:
    """Append one event to a case's history."""
    session.connection().execute(statements.INSERT_AUDIT, {
        "case_id": case_id, "instance_id": instance_id, "at": now, "actor": actor, "action": action,
        "task_id": task_id, "task_title": task_title, "form_key": form_key,
        "data": json_safe(data) if data is not None else None, "detail": detail})
