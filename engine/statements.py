"""Prepared SQL statements for the hot path: built once, executed on the session's connection.

Building a SQLAlchemy statement per call costs more than running it on SQLite; these are constructed at
import with bind parameters and reused, which keeps one `complete_task` to a handful of cheap executions.
"""

from __future__ import annotations

from sqlalchemy import bindparam, insert, select, update

from .models import AuditEvent, Case, ProcessInstance, TaskRow

_task = TaskRow.__table__
_instance = ProcessInstance.__table__
_case = Case.__table__
_audit = AuditEvent.__table__

TASK_HEAD = select(_task.c.instance_id, _task.c.state, _task.c.assignee, _task.c.completed_by, _task.c.title,
                   _task.c.form_key).where(_task.c.id == bindparam("task_id"))

_INSTANCE_COLUMNS = (_instance.c.id, _instance.c.case_id, _instance.c.definition_id, _instance.c.process_key,
                     _instance.c.status, _instance.c.suspended, _instance.c.state, _instance.c.lock_version,
                     _case.c.summary, _case.c.number, _case.c.status)
LOAD_INSTANCE = (select(*_INSTANCE_COLUMNS).select_from(_instance.join(_case, _case.c.id == _instance.c.case_id))
                 .where(_instance.c.id == bindparam("instance_id")))
LOCK_INSTANCE = LOAD_INSTANCE.with_for_update(of=_instance)

# SQLite holds the write lock from BEGIN IMMEDIATE, so the task and its instance can be read in one go.
TASK_WITH_INSTANCE = (select(*_INSTANCE_COLUMNS, _task.c.state.label("task_state"),
                             _task.c.assignee.label("task_assignee"), _task.c.completed_by.label("task_completed_by"),
                             _task.c.title.label("task_title"), _task.c.form_key.label("task_form_key"))
                      .select_from(_task.join(_instance, _instance.c.id == _task.c.instance_id)
                                   .join(_case, _case.c.id == _instance.c.case_id))
                      .where(_task.c.id == bindparam("task_id")))

COMPLETE_TASK = (update(_task).where(_task.c.id == bindparam("task_id"))
                 .values(state="completed", completed_by=bindparam("actor"), completed_at=bindparam("now")))

SAVE_STATE = (update(_instance)
              .where(_instance.c.id == bindparam("instance_id"), _instance.c.lock_version == bindparam("expected"))
              .values(state=bindparam("state"), serializer_version=bindparam("serializer_version"),
                      updated_at=bindparam("now"), lock_version=bindparam("next_version")))

INSERT_TASKS = insert(_task)
INSERT_AUDIT = insert(_audit)

UPDATE_CASE_STEP = (update(_case).where(_case.c.id == bindparam("case_id"))
                    .values(current_step=bindparam("current_step"), updated_at=bindparam("now")))

CANCEL_TASKS = (update(_task).where(_task.c.id.in_(bindparam("task_ids", expanding=True)), _task.c.state == "ready")
                .values(state="cancelled", completed_at=bindparam("now")))

CASE_HEAD = select(_case.c.number, _case.c.status).where(_case.c.id == bindparam("case_id"))
OPEN_TASKS = (select(*_task.c).where(_task.c.case_id == bindparam("case_id"), _task.c.state == "ready")
              .order_by(_task.c.created_at, _task.c.id))
