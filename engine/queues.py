"""Task queues: filtered, sorted, paginated lists of open tasks read from the projections only.

Counts stop at `COUNT_CAP` so a queue page costs the same with a thousand or a hundred thousand open tasks;
the screen shows "1000+" and paging goes on past the cap.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import Select, and_, exists, func, or_, select

from .db import Database
from .deployment import latest_definitions
from .models import Case, CaseField, TaskRow
from .results import TaskInfo
from .stepping import Stepper

COUNT_CAP = 1000
SORTS = {
    "due": lambda: (TaskRow.due_at, TaskRow.created_at, TaskRow.id),  # ordered in two steps: see _due_ordered
    "-due": lambda: (TaskRow.due_at.desc(), TaskRow.created_at, TaskRow.id),
    "created": lambda: (TaskRow.created_at, TaskRow.id),
    "-created": lambda: (TaskRow.created_at.desc(), TaskRow.id),
    "case": lambda: (Case.number, TaskRow.created_at, TaskRow.id),
    "-case": lambda: (Case.number.desc(), TaskRow.created_at, TaskRow.id),
    "title": lambda: (TaskRow.title, TaskRow.due_at.is_(None), TaskRow.due_at, TaskRow.id),
}


@dataclass(frozen=True)
class TaskQuery:
    """What a queue shows: filters on the task and on its case's summary fields, a search, a sort, a page."""

    roles: tuple[str, ...] | None = None
    scope: str | None = None
    assignee: str | None = None
    unassigned: bool = False
    process_key: str | None = None
    spec_name: str | None = None
    fields: tuple[tuple[str, str], ...] = ()
    due_before: datetime | None = None
    search: str | None = None
    search_fields: tuple[str, ...] = ()
    sort: str = "due"
    page: int = 1
    per_page: int = 25

    def __post_init__(self) -> None:
        if self.sort not in SORTS:
            raise ValueError(f"unknown sort {self.sort!r}; use one of {', '.join(SORTS)}")


@dataclass(frozen=True)
class QueueRow:
    """One open task with its case's number, title and summary."""

    task: TaskInfo
    case_number: str | None
    case_title: str
    summary: dict[str, Any]


@dataclass(frozen=True)
class QueuePage:
    """One page of a queue and how many tasks match (at most COUNT_CAP, then `total_capped`)."""

    rows: list[QueueRow]
    total: int
    total_capped: bool
    page: int
    per_page: int
    has_next: bool = False

    @property
    def pages(self) -> int:
        """Number of pages for the counted total (at least 1)."""
        return max(1, -(-self.total // self.per_page))


@dataclass(frozen=True)
class QueueCount:
    """Open and overdue tasks of one role (each at most COUNT_CAP; `capped` when either reached it)."""

    open: int
    overdue: int
    capped: bool


def _escape_like(text: str) -> str:
    return text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


def _filters(query: TaskQuery) -> list[Any]:
    conditions: list[Any] = [TaskRow.state == "ready"]
    if query.roles is not None:
        conditions.append(TaskRow.role.in_(list(query.roles)))
    if query.scope is not None:
        conditions.append(TaskRow.scope == query.scope)
    if query.assignee is not None:
        conditions.append(TaskRow.assignee == query.assignee)
    if query.unassigned:
        conditions.append(TaskRow.assignee.is_(None))
    if query.process_key:
        conditions.append(TaskRow.process_key == query.process_key)
    if query.spec_name:
        conditions.append(TaskRow.spec_name == query.spec_name)
    if query.due_before is not None:
        conditions.append(TaskRow.due_at < query.due_before)
    for name, value in query.fields:
        conditions.append(exists().where(CaseField.case_id == TaskRow.case_id, CaseField.name == name,
                                         CaseField.value == value))
    text = (query.search or "").strip()
    if text:
        conditions.append(_search(text, query.search_fields))
    return conditions


def _search(text: str, search_fields: tuple[str, ...]) -> Any:
    digits = "".join(text.split())
    by_number = func.lower(Case.number) == text.lower()
    if digits.isdigit() and len(digits) in (9, 11):
        return or_(by_number, exists().where(CaseField.case_id == TaskRow.case_id, CaseField.value == digits))
    like = f"%{_escape_like(text.lower())}%"
    options = [by_number, func.lower(Case.title).like(like, escape="\\")]
    if search_fields:
        options.append(exists().where(CaseField.case_id == TaskRow.case_id, CaseField.name.in_(search_fields),
                                      func.lower(CaseField.value).like(like, escape="\\")))
    return or_(*options)


def _due_ordered(session: Any, base: Select[Any], descending: bool, offset: int, limit: int) -> list[Any]:
    due = TaskRow.due_at.desc() if descending else TaskRow.due_at
    dated = base.where(TaskRow.due_at.is_not(None)).order_by(due, TaskRow.created_at, TaskRow.id)
    rows = list(session.execute(dated.offset(offset).limit(limit)).all())
    if len(rows) == limit:
        return rows
    if rows:
        undated_offset = 0
    else:  # past the dated tasks: how many were there?
        dated_count = session.scalar(select(func.count()).select_from(
            dated.with_only_columns(TaskRow.id).order_by(None).subquery())) or 0
        undated_offset = max(0, offset - dated_count)
    undated = base.where(TaskRow.due_at.is_(None)).order_by(TaskRow.created_at, TaskRow.id)
    return rows + list(session.execute(undated.offset(undated_offset).limit(limit - len(rows))).all())


def _capped_count(conditions: list[Any], session: Any, *, with_case: bool = False) -> tuple[int, bool]:
    """Count matching tasks, stopping after COUNT_CAP + 1; reads only the queue index when it can."""
    rows = select(TaskRow.state).where(*conditions)
    if with_case:
        rows = rows.join(Case, Case.id == TaskRow.case_id)
    count = session.scalar(select(func.count()).select_from(rows.limit(COUNT_CAP + 1).subquery())) or 0
    return min(count, COUNT_CAP), count > COUNT_CAP


class QueueReads:
    """Queue queries of CaseEngine (mixed in); each opens a short read session."""

    db: Database
    stepper: Stepper

    def queue(self, query: TaskQuery) -> QueuePage:
        """One page of open tasks matching `query`, with their cases (plus a count capped at COUNT_CAP).

        Sorting by due date walks the queue index in order: tasks with a due date first, then those without,
        each fetched with its own LIMIT, so a page costs the same however long the queue is.
        """
        per_page = min(max(query.per_page, 1), 100)
        page = max(query.page, 1)
        offset = (page - 1) * per_page
        conditions = _filters(query)
        base = (select(TaskRow, Case.number, Case.title, Case.summary).join(Case, Case.id == TaskRow.case_id)
                .where(and_(*conditions)))
        with self.db.read() as s:
            if query.sort in ("due", "-due"):
                rows = _due_ordered(s, base, query.sort == "-due", offset, per_page + 1)
            else:
                rows = s.execute(base.order_by(*SORTS[query.sort]()).offset(offset).limit(per_page + 1)).all()
            total, capped = _capped_count(conditions, s, with_case=bool((query.search or "").strip()))
        has_next = len(rows) > per_page
        items = [QueueRow(TaskInfo.of(task), number, title or "", dict(summary or {}))
                 for task, number, title, summary in rows[:per_page]]
        return QueuePage(items, total, capped, page, per_page, has_next)

    def queue_counts(self, roles: Sequence[str], *, scope: str | None = None,
                     now: datetime) -> dict[str, QueueCount]:
        """Open and overdue task counts per role (capped like the queue)."""
        counts = {}
        with self.db.read() as s:
            for role in roles:
                conditions = [TaskRow.state == "ready", TaskRow.role == role]
                if scope is not None:
                    conditions.append(TaskRow.scope == scope)
                open_count, open_capped = _capped_count(conditions, s)
                overdue, overdue_capped = _capped_count([*conditions, TaskRow.due_at < now], s)
                counts[role] = QueueCount(open_count, overdue, open_capped or overdue_capped)
        return counts

    def queue_steps(self, roles: Sequence[str] | None = None) -> list[tuple[str, str, str]]:
        """(process key, step id, step title) of every user task in the newest definitions, for a step filter.

        Read from the parsed (cached) definitions, not from the open tasks, so it costs nothing per task.
        """
        steps: set[tuple[str, str, str]] = set()
        with self.db.read() as s:
            for key, definition in latest_definitions(s).items():
                if definition.kind != "bpmn":
                    continue
                top, subprocesses = self.stepper.deployer.specs_for(s, definition)
                for spec in (top, *subprocesses.values()):
                    for task_spec in spec.task_specs.values():
                        if not getattr(task_spec, "manual", False):
                            continue
                        props = dict(getattr(task_spec, "extensions", {}).get("properties", {}) or {})
                        role = props.get("role") or self.stepper.projections.role_of(task_spec.lane)
                        if roles is None or role in roles:
                            steps.add((key, task_spec.bpmn_id or task_spec.name,
                                       task_spec.bpmn_name or task_spec.bpmn_id or task_spec.name))
        return sorted(steps, key=lambda step: (step[0], step[2]))
