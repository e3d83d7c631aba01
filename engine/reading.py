"""The read side of the engine: tasks, cases, history, incidents and definitions, from the projections."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from .db import Database
from .deployment import latest_definitions
from .errors import NotFound
from .models import AuditEvent, Case, Definition, Incident, ProcessInstance, TaskRow
from .results import HistoryEntry, TaskInfo
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

