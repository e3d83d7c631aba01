"""Inside one engine call: lock, restore, step, save an instance, route thrown messages, and write projections."""

from __future__ import annotations

from copy import deepcopy
from datetime import datetime
from typing import Any
from uuid import UUID

from sqlalchemy import select
from sqlalchemy.orm import Session
from SpiffWorkflow.bpmn import BpmnEvent, BpmnWorkflow
from SpiffWorkflow.bpmn.script_engine import PythonScriptEngine
from SpiffWorkflow.bpmn.specs.event_definitions.message import MessageEventDefinition
from SpiffWorkflow.task import Task
from SpiffWorkflow.util.task import TaskState

from .deployment import Deployer, latest_definitions
from .errors import InvalidState, NotFound
from .models import AuditEvent, Case, Definition, MessageSubscription, ProcessInstance
from .projections import ProjectionWriter
from .results import json_safe
from .serialization import InstanceSerializer

MAX_ROUTING_DEPTH = 5


class Stepper:
    """The mechanics shared by every facade call that changes a process instance."""

    def __init__(self, deployer: Deployer, serializer: InstanceSerializer, script_engine: PythonScriptEngine,
                 projections: ProjectionWriter, locks_rows: bool) -> None:
        self.deployer = deployer
        self.serializer = serializer
        self.script_engine = script_engine
        self.projections = projections
        self.locks_rows = locks_rows

    def lock(self, session: Session, instance_id: int) -> ProcessInstance:
        """Load an instance row, locking it against concurrent writers."""
        query = select(ProcessInstance).where(ProcessInstance.id == instance_id)
        if self.locks_rows:
            query = query.with_for_update()
        row = session.scalar(query)
        if row is None:
            raise NotFound(f"process instance {instance_id} does not exist")
        return row

    def restore(self, session: Session, row: ProcessInstance) -> BpmnWorkflow:
        """Rebuild the live workflow of an instance from its state and cached spec."""
        definition = session.get(Definition, row.definition_id)
        spec, subs = self.deployer.specs_for(session, definition)
        wf = self.serializer.loads(row.state, spec, subs)
        wf.script_engine = self.script_engine
        return wf

    def new_workflow(self, session: Session, definition: Definition, data: dict[str, Any] | None) -> BpmnWorkflow:
        """Create a workflow of a definition version with its start data."""
        spec, subs = self.deployer.specs_for(session, definition)
        wf = BpmnWorkflow(spec, subs, script_engine=self.script_engine)
        if data:
            for task in wf.get_tasks(state=TaskState.READY):
                task.set_data(**deepcopy(data))
        return wf

    def start(self, session: Session, case: Case, definition: Definition, data: dict[str, Any] | None,
              actor: str, now: datetime, depth: int = 0) -> ProcessInstance:
        """Start an instance of `definition` in `case`, run it to its first wait and save it."""
        wf = self.new_workflow(session, definition, data)
        wf.do_engine_steps()
        row = ProcessInstance(case_id=case.id, definition_id=definition.id, process_key=definition.key,
                              status="running", state=self.serializer.dumps(wf), serializer_version=self.serializer.version,
                              started_by=actor, started_at=now, updated_at=now)
        session.add(row)
        session.flush()
        audit(session, case.id, row.id, actor, "process_started", now, detail=f"{definition.key} v{definition.version}")
        self.save(session, row, wf, case, actor, now, depth)
        return row

    def evaluate(self, task: Task, expression: str) -> Any:
        """Evaluate a task-property expression with the safe script engine."""
        return self.script_engine.evaluate(task, expression)

    def save(self, session: Session, row: ProcessInstance, wf: BpmnWorkflow, case: Case, actor: str,
             now: datetime, depth: int = 0) -> None:
        """Persist state and projections of a stepped workflow, then route the messages it threw."""
        state = self.serializer.dumps(wf)
        if state != row.state:
            row.state, row.serializer_version, row.updated_at = state, self.serializer.version, now
        if wf.completed and row.status != "cancelled":
            row.status, row.ended_at = "completed", now
            audit(session, case.id, row.id, actor, "process_completed", now, detail=row.process_key)
        self.projections.sync(session, row, wf, now, self.evaluate)
        wf._fagflyt_row_id = row.id  # type: ignore[attr-defined]
        self.projections.sync_case(session, case, wf, row.status, now)
        for event in wf.get_events():
            self.route(session, case, row, event, actor, now, depth + 1)

    def route(self, session: Session, case: Case, source: ProcessInstance, event: BpmnEvent, actor: str,
              now: datetime, depth: int) -> None:
        """Deliver a message thrown by one instance: start processes that begin with it, or wake a waiting one."""
        definition = event.event_definition
        if not isinstance(definition, MessageEventDefinition) or depth > MAX_ROUTING_DEPTH:
            return
        payload = event.payload if isinstance(event.payload, dict) else {"message": event.payload}
        starters = [d for d in latest_definitions(session).values() if definition.name in (d.start_messages or [])]
        for target in starters:
            audit(session, case.id, source.id, actor, "message_sent", now, detail=f"{definition.name} → {target.key}")
            self.start(session, case, target, json_safe(payload), actor, now, depth)
        if starters:
            return
        waiting = session.scalars(select(MessageSubscription).where(
            MessageSubscription.case_id == case.id, MessageSubscription.message_name == definition.name,
            MessageSubscription.instance_id != source.id)).all()
        for sub in waiting:
            row = self.lock(session, sub.instance_id)
            wf = self.restore(session, row)
            self.catch(wf, sub.task_id, payload, sub.correlation)
            audit(session, case.id, row.id, actor, "message_received", now, detail=definition.name)
            self.save(session, row, wf, case, actor, now, depth)
        if not waiting:
            audit(session, case.id, source.id, actor, "message_unrouted", now, detail=definition.name)

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
    session.add(AuditEvent(case_id=case_id, instance_id=instance_id, at=now, actor=actor, action=action,
                           task_id=task_id, task_title=task_title, form_key=form_key,
                           data=json_safe(data) if data is not None else None, detail=detail))
