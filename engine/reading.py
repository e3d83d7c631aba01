"""The read side of the engine: tasks, cases, history, incidents and definitions, from the projections."""

from __future__ import annotations

from collections.abc import Sequence
from copy import deepcopy
from typing import Any
from uuid import UUID

from SpiffWorkflow.util.task import TaskState
from sqlalchemy import select
from sqlalchemy.orm import Session

from .db import Database
from .deployment import latest_definitions
from .errors import NotFound
from .models import AuditEvent, Case, Definition, Incident, MessageSubscription, ProcessInstance, TaskRow
from .results import Diagram, HistoryEntry, TaskInfo
from .stepping import Stepper


class CaseReads:
    """Read-only queries of CaseEngine; each opens a short read session and returns detached values."""

    db: Database
    stepper: Stepper

    def _case(self, session: Session, case_id: int) -> Case:
        case = session.get(Case, case_id)
        if case is None:
            raise NotFound(f"case {case_id} does not exist")
        return case

    def latest_definitions(self) -> dict[str, Definition]:
        """The newest version of every deployed definition, by key."""
        with self.db.read() as session:
            return latest_definitions(session)

    def ready_tasks(self, *, roles: Sequence[str] | None = None, assignee: str | None = None,
                    scope: str | None = None, case_id: int | None = None, limit: int = 100) -> list[TaskInfo]:
        """Open tasks filtered by role, holder, company scope or case, oldest due first."""
        with self.db.read() as s:
            q = select(TaskRow).where(TaskRow.state == "ready")
            if roles is not None:
                q = q.where(TaskRow.role.in_(list(roles)))
            if assignee is not None:
                q = q.where(TaskRow.assignee == assignee)
            if scope is not None:
                q = q.where(TaskRow.scope == scope)
            if case_id is not None:
                q = q.where(TaskRow.case_id == case_id)
            q = q.order_by(TaskRow.due_at.is_(None), TaskRow.due_at, TaskRow.created_at).limit(limit)
            return [TaskInfo.of(r) for r in s.scalars(q)]

    def task(self, task_id: str) -> TaskInfo:
        """One task by id, in any state."""
        with self.db.read() as s:
            row = s.get(TaskRow, task_id)
            if row is None:
                raise NotFound(f"task {task_id} does not exist")
            return TaskInfo.of(row)

    def task_data(self, task_id: str) -> dict[str, Any]:
        """A copy of the data a task sees (what its process knows at that step), for screens to show."""
        with self.db.read() as s:
            row = s.get(TaskRow, task_id)
            if row is None:
                raise NotFound(f"task {task_id} does not exist")
            instance = s.get(ProcessInstance, row.instance_id)
            wf = self.stepper.restore(s, instance)
        task = wf.get_task_from_id(UUID(task_id))
        if task is None:
            raise NotFound(f"task {task_id} is not in its process any more")
        return deepcopy(task.data)

    def waiting_messages(self, case_id: int) -> list[str]:
        """Names of the messages a case's processes wait for now (answers a case handler may record)."""
        with self.db.read() as s:
            names = s.scalars(select(MessageSubscription.message_name).distinct()
                              .where(MessageSubscription.case_id == case_id))
            return sorted(names)

    def diagram(self, instance_id: int) -> Diagram:
        """An instance's BPMN XML with the ids of its completed and active elements (for the diagram view)."""
        with self.db.read() as s:
            row = s.get(ProcessInstance, instance_id)
            if row is None:
                raise NotFound(f"process instance {instance_id} does not exist")
            definition = s.get(Definition, row.definition_id)
            wf = self.stepper.restore(s, row)
        process_id = wf.spec.name
        completed: set[str] = set()
        active: set[str] = set()
        for task in wf.get_tasks(skip_subprocesses=True):
            bpmn_id = getattr(task.task_spec, "bpmn_id", None)
            if not bpmn_id:
                continue
            if task.state == TaskState.COMPLETED:
                completed.add(bpmn_id)
            elif task.state in (TaskState.READY, TaskState.WAITING, TaskState.STARTED):
                active.add(bpmn_id)
        return Diagram(instance_id, definition.key, definition.version, process_id, definition.xml,
                       sorted(completed - active), sorted(active))

    def case(self, case_id: int) -> Case:
        """A case row (detached)."""
        with self.db.read() as s:
            return self._case(s, case_id)

    def history(self, case_id: int) -> list[HistoryEntry]:
        """The audit history of a case, oldest first."""
        with self.db.read() as s:
            self._case(s, case_id)
            rows = s.scalars(select(AuditEvent).where(AuditEvent.case_id == case_id)
                             .order_by(AuditEvent.at, AuditEvent.id))
            return [HistoryEntry.of(r) for r in rows]

    def incidents(self, case_id: int | None = None, *, open_only: bool = True) -> list[Incident]:
        """Failed calls an administrator should look at."""
        with self.db.read() as s:
            q = select(Incident).order_by(Incident.at.desc())
            if case_id is not None:
                q = q.where(Incident.case_id == case_id)
            if open_only:
                q = q.where(Incident.resolved_at.is_(None))
            return list(s.scalars(q))

    def instances(self, case_id: int) -> list[ProcessInstance]:
        """The process instances of a case, oldest first."""
        with self.db.read() as s:
            return list(s.scalars(select(ProcessInstance).where(ProcessInstance.case_id == case_id)
                                  .order_by(ProcessInstance.id)))

    def workflow(self, instance_id: int) -> Any:
        """A live, read-only copy of an instance's workflow (for diagrams and inspection; never saved)."""
        with self.db.read() as s:
            row = s.get(ProcessInstance, instance_id)
            if row is None:
                raise NotFound(f"process instance {instance_id} does not exist")
            return self.stepper.restore(s, row)

