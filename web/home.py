"""The front page: each user lands on their work; the overview shows processes and open work."""

from __future__ import annotations

from flask import Blueprint, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from sqlalchemy import func, select

from engine.models import Case, TaskRow

from .policy import Actor
from .services import case_engine

bp = Blueprint("home", __name__)


@bp.get("/")
def index() -> ResponseReturnValue:
    """Send case handlers to their queues and supervisors to their forms; others see the overview."""
    actor = Actor.current()
    if "overview" not in request.args:
        if actor.can("work_queues"):
            return redirect(url_for("queues.index"))
        if actor.can("my_forms"):
            return redirect(url_for("tasks.my_forms"))
    engine = case_engine()
    definitions = sorted((d for d in engine.latest_definitions().values() if d.kind == "bpmn"), key=lambda d: d.key)
    with engine.db.read() as s:
        open_cases = s.scalar(select(func.count()).select_from(Case).where(Case.status == "open"))
        open_tasks = s.scalar(select(func.count()).select_from(TaskRow).where(TaskRow.state == "ready"))
    return render_template("home.html", definitions=definitions, open_cases=open_cases, open_tasks=open_tasks)


@bp.get("/health")
def health() -> dict[str, str]:
    """A liveness probe for load balancers."""
    return {"status": "ok"}
