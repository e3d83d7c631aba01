"""The task screen (a form per user task, the case's key facts beside it), "my forms" for supervisors,
and claim / return / assign."""

from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _

from engine import EngineError, NotFound, TaskConflict
from engine.queues import TaskQuery
from engine.results import TaskInfo
from workflows.conventions import task_payload
from workflows.records import UserRole
from workflows.task_forms import key_facts

from . import task_forms
from .policy import Actor, can_see_task, can_work_task
from .queues import colleagues
from .services import case_engine

bp = Blueprint("tasks", __name__)


def _visible_task(task_id: str) -> TaskInfo:
    """The task if this user may see it; 404 otherwise (also when it does not exist)."""
    try:
        task = case_engine().task(task_id)
    except NotFound:
        abort(404)
    form = task_forms.definition(task.form_key)
    if not can_see_task(Actor.current(), task, form.roles if form else ()):
        abort(404)
    return task


def _form_roles(task: TaskInfo) -> tuple[str, ...]:
    form = task_forms.definition(task.form_key)
    return form.roles if form else ()


@bp.get("/my-forms")
def my_forms() -> ResponseReturnValue:
    """A supervisor's open forms: their company's supervisor tasks, due first."""
    actor = Actor.current()
    engine = case_engine()
    page = engine.queue(TaskQuery(roles=(UserRole.SUPERVISOR,), scope=actor.company_orgnr or "-", per_page=100))
    rows = [r for r in page.rows if can_work_task(actor, r.task, _form_roles(r.task))]
    return render_template("tasks/my_forms.html", rows=rows, now=engine.clock.now())


def _render(task: TaskInfo, form, status: int = 200, conflict: str | None = None) -> ResponseReturnValue:  # type: ignore[no-untyped-def]
    actor = Actor.current()
    engine = case_engine()
    data = engine.task_data(task.id) if task.state == "ready" else {}
    definition = task_forms.definition(task.form_key)
    completed = None
    next_tasks: list[TaskInfo] = []
    if task.state != "ready":
        completed = _completed_entry(task)
        next_tasks = [t for t in engine.ready_tasks(case_id=task.case_id)
                      if can_see_task(actor, t, _form_roles(t))]
    return render_template(
        "tasks/show.html", task=task, form=form, definition=definition, facts=key_facts(data) or _case_facts(task),
        case=engine.case(task.case_id), actor=actor, can_work=can_work_task(actor, task, _form_roles(task)),
        completed=completed, next_tasks=next_tasks, conflict=conflict, now=engine.clock.now(),
        colleagues=colleagues(task.role or "") if actor.can("work_queues") else [],
        form_title=task_forms.title(definition, task.title)), status


def _case_facts(task: TaskInfo) -> dict[str, object]:
    summary = case_engine().case(task.case_id).summary or {}
    return {k: v for k, v in summary.items() if k in ("apprentice_name", "apprentice_fnr", "company_name",
                                                      "company_orgnr", "trade", "county", "start_date", "end_date")}


def _completed_entry(task: TaskInfo):  # type: ignore[no-untyped-def]
    """The history line that completed the task, with its data rendered read-only."""
    for entry in reversed(case_engine().history(task.case_id)):
        if entry.action == "task_completed" and entry.task_title == task.title and entry.actor == task.completed_by:
            return {"entry": entry, "fields": task_forms.readonly(entry.form_key, entry.data)}
    return None


@bp.get("/tasks/<task_id>")
def show(task_id: str) -> ResponseReturnValue:
    """The task's form (or, once done, what was submitted and what happens next)."""
    task = _visible_task(task_id)
    definition = task_forms.definition(task.form_key)
    form = None
    if task.state == "ready" and definition is not None:
        form = task_forms.build_form(definition, case_engine().task_data(task.id))
    return _render(task, form)


@bp.post("/tasks/<task_id>")
def submit(task_id: str) -> ResponseReturnValue:
    """Validate the form on the server and complete the task; errors are shown field by field."""
    task = _visible_task(task_id)
    actor = Actor.current()
    if not can_work_task(actor, task, _form_roles(task)):
        abort(404 if actor.is_supervisor else 403)
    definition = task_forms.definition(task.form_key)
    if definition is None:
        abort(404)
    if task.state != "ready":
        return _render(task, None, 409, conflict=_conflict_text(task))
    form = task_forms.build_form(definition, case_engine().task_data(task.id))
    if not form.validate_on_submit():
        return _render(task, form, 422)
    try:
        result = case_engine().complete_task(task.id, task_payload(definition.key, form.cleaned_data or {}),
                                             actor.username)
    except TaskConflict as exc:
        fresh = case_engine().task(task.id)
        held = exc.details.get("assignee")
        text = (_("%(user)s holds this task now; nothing was saved. Ask them, or have it assigned to you.",
                  user=held) if held else _conflict_text(fresh))
        return _render(fresh, form if fresh.state == "ready" else None, 409, conflict=text)
    flash(_("Saved. The case is now at: %(step)s.", step=", ".join(t.title for t in result.open_tasks)
            or _("no open tasks")), "success")
    return redirect(url_for("tasks.show", task_id=task.id))


def _conflict_text(task: TaskInfo) -> str:
    if task.state == "completed":
        return _("%(user)s completed this task first, at %(at)s. Your answer was not saved.",
                 user=task.completed_by, at=task.completed_at.strftime("%H:%M") if task.completed_at else "")
    return _("This task is no longer open: the process has moved on. Your answer was not saved.")


def _back(default: str) -> str:
    target = request.form.get("next") or default
    return target if target.startswith("/") and not target.startswith("//") else default


@bp.post("/tasks/<task_id>/claim")
def claim(task_id: str) -> ResponseReturnValue:
    """Take the task."""
    task = _visible_task(task_id)
    actor = Actor.current()
    if not can_work_task(actor, task):
        abort(403)
    try:
        case_engine().claim(task.id, actor.username)
        flash(_("You hold “%(title)s” now.", title=task.title), "success")
    except EngineError as exc:
        flash(_engine_text(exc), "error")
    return redirect(_back(url_for("tasks.show", task_id=task.id)))


@bp.post("/tasks/<task_id>/unclaim")
def unclaim(task_id: str) -> ResponseReturnValue:
    """Return the task to its queue (its holder; an administrator may for anyone)."""
    task = _visible_task(task_id)
    actor = Actor.current()
    try:
        case_engine().unclaim(task.id, actor.username, force=actor.can("administer"))
        flash(_("“%(title)s” is back in the queue.", title=task.title), "success")
    except EngineError as exc:
        flash(_engine_text(exc), "error")
    return redirect(_back(url_for("tasks.show", task_id=task.id)))


@bp.post("/tasks/<task_id>/assign")
def assign(task_id: str) -> ResponseReturnValue:
    """Give the task to a colleague who works its role."""
    task = _visible_task(task_id)
    actor = Actor.current()
    assignee = request.form.get("assignee", "")
    if not can_work_task(actor, task) or assignee not in {u for u, _n in colleagues(task.role or "")}:
        flash(_("Choose a colleague who works this queue."), "error")
        return redirect(_back(url_for("tasks.show", task_id=task.id)))
    try:
        case_engine().assign(task.id, assignee, actor.username)
        flash(_("“%(title)s” is assigned to %(user)s.", title=task.title, user=assignee), "success")
    except EngineError as exc:
        flash(_engine_text(exc), "error")
    return redirect(_back(url_for("tasks.show", task_id=task.id)))


def _engine_text(exc: EngineError) -> str:
    if isinstance(exc, TaskConflict) and exc.details.get("completed_by"):
        return _("%(user)s completed this task first.", user=exc.details["completed_by"])
    if isinstance(exc, TaskConflict) and exc.details.get("assignee"):
        return _("%(user)s holds this task.", user=exc.details["assignee"])
    if isinstance(exc, TaskConflict):
        return _("Someone else changed this task first.")
    return _("That could not be done: %(reason)s", reason=exc.message)
