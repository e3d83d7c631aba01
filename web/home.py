"""The front page: what is deployed and how much work is open."""

from __future__ import annotations

from flask import Blueprint, render_template
from sqlalchemy import func, select

from engine.models import Case, TaskRow

from .services import case_engine

bp = Blueprint("home", __name__)


@bp.get("/")
def index() -> str:
    """Show the deployed processes and counts of open cases and tasks."""
    engine = case_engine()
    definitions = sorted(engine.latest_definitions().values(), key=lambda d: (d.kind, d.key))
    with engine.db.read() as s:
        open_cases = s.scalar(select(func.count()).select_from(Case).where(Case.status == "open"))
        open_tasks = s.scalar(select(func.count()).select_from(TaskRow).where(TaskRow.state == "ready"))
    return render_template("home.html", definitions=definitions, open_cases=open_cases, open_tasks=open_tasks)


@bp.get("/health")
def health() -> dict[str, str]:
    """A liveness probe for load balancers."""
    return {"status": "ok"}
