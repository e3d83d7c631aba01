"""Task queues for case handlers: one per lane role with counts, filters on business data, search, sort,
pages, claim/assign in bulk, and saved filters shared within the office."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta
from urllib.parse import urlencode

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _
from sqlalchemy import or_, select

from engine import EngineError
from engine.queues import TaskQuery
from workflows.records import MemberCompany, MembershipStatus, SavedQueueFilter, UserAccount
from workflows.reference_data import county_choices, trade_choices

from .db import db_session
from .policy import Actor, can_work_task
from .services import case_engine
from .task_forms import today

bp = Blueprint("queues", __name__, url_prefix="/queues")
FILTERS = ("role", "process", "step", "trade", "company", "county", "due", "holder", "q", "sort")
SORTS = ("due", "-due", "created", "-created", "case", "title")
SEARCH_FIELDS = ("apprentice_name", "company_name")
PER_PAGE = 25


@dataclass(frozen=True)
class QueueFilters:
    """The filters of one queue view, read from the query string (unknown values are ignored)."""

    role: str
    process: str = ""
    step: str = ""
    trade: str = ""
    company: str = ""
    county: str = ""
    due: str = ""
    holder: str = ""
    q: str = ""
    sort: str = "due"
    page: int = 1

    @classmethod
    def from_args(cls, args: dict[str, str], roles: list[str]) -> QueueFilters:
        """Parse the query string; a role the user does not hold is refused."""
        role = args.get("role") or roles[0]
        if role not in roles:
            abort(404)
        page = args.get("page", "1")
        sort = args.get("sort", "due")
        return cls(role=role, process=args.get("process", ""), step=args.get("step", ""),
                   trade=args.get("trade", ""), company=args.get("company", ""), county=args.get("county", ""),
                   due=args.get("due", "") if args.get("due") in ("overdue", "week", "month") else "",
                   holder=args.get("holder", "") if args.get("holder") in ("me", "unassigned") else "",
                   q=args.get("q", "").strip()[:100], sort=sort if sort in SORTS else "due",
                   page=int(page) if page.isdigit() and 0 < int(page) < 10_000 else 1)

    def query(self, username: str) -> TaskQuery:
        """The engine query for these filters."""
        now = case_engine().clock.now()
        due_before = {"overdue": now, "week": now + timedelta(days=7), "month": now + timedelta(days=31)}.get(self.due)
        process, _sep, spec = self.step.partition(":")
        fields = tuple((name, value) for name, value in (("trade", self.trade), ("company_orgnr", self.company),
                                                         ("county", self.county)) if value)
        return TaskQuery(roles=(self.role,), process_key=self.process or (process if spec else None),
                         spec_name=spec or None, fields=fields, due_before=due_before,
                         assignee=username if self.holder == "me" else None, unassigned=self.holder == "unassigned",
                         search=self.q or None, search_fields=SEARCH_FIELDS, sort=self.sort, page=self.page,
                         per_page=PER_PAGE)

    def args(self, **changes: object) -> dict[str, str]:
        """The query-string of these filters with `changes` (empty values left out)."""
        values = {name: getattr(self, name) for name in FILTERS} | {"page": self.page} | changes
        return {k: str(v) for k, v in values.items() if v not in ("", None) and not (k == "page" and v == 1)}

    def url(self, **changes: object) -> str:
        """This view's URL with `changes`."""
        return url_for("queues.index") + "?" + urlencode(self.args(**changes))


def _filter_choices(roles: list[str]) -> dict[str, list[tuple[str, str]]]:
    engine = case_engine()
    session = db_session()
    processes = sorted((d.key, d.name or d.key) for d in engine.latest_definitions().values() if d.kind == "bpmn")
    steps = [(f"{p}:{spec}", title) for p, spec, title in engine.queue_steps(roles)]
    companies = [(orgnr, name) for orgnr, name in session.execute(
        select(MemberCompany.orgnr, MemberCompany.name).where(MemberCompany.membership_status.in_(
            [MembershipStatus.ACTIVE, MembershipStatus.ONBOARDING])).order_by(MemberCompany.name))]
    return {"process": processes, "step": steps, "trade": trade_choices(session, today()),
            "company": companies, "county": county_choices(session)}


def colleagues(role: str) -> list[tuple[str, str]]:
    """(username, name) of the active office users who work tasks of `role`."""
    accounts = db_session().scalars(select(UserAccount).where(UserAccount.active.is_(True))
                                    .order_by(UserAccount.display_name))
    return [(a.username, a.display_name) for a in accounts if role in a.roles
            or ("administrator" in a.roles and role in ("saksbehandler", "konsulent"))]


def _saved_filters(username: str) -> list[SavedQueueFilter]:
    return list(db_session().scalars(select(SavedQueueFilter).where(
        or_(SavedQueueFilter.shared.is_(True), SavedQueueFilter.created_by == username))
        .order_by(SavedQueueFilter.name)))


@bp.get("")
def index() -> ResponseReturnValue:
    """A role's queue with filters; htmx requests get only the result table."""
    actor = Actor.current()
    roles = actor.task_roles()
    if not roles:
        abort(404)
    filters = QueueFilters.from_args(request.args.to_dict(), roles)
    engine = case_engine()
    page = engine.queue(filters.query(actor.username))
    context = {"filters": filters, "page": page, "now": engine.clock.now(), "actor": actor,
               "colleagues": colleagues(filters.role)}
    if request.headers.get("HX-Request") and request.headers.get("HX-Target") == "queue-results":
        return render_template("queues/_results.html", **context)
    counts = engine.queue_counts(roles, now=engine.clock.now())
    return render_template("queues/index.html", roles=roles, counts=counts, choices=_filter_choices(roles),
                           saved=_saved_filters(actor.username), **context)


@bp.post("/filters")
def save_filter() -> ResponseReturnValue:
    """Save the current filters under a name (shared with the office unless kept private)."""
    actor = Actor.current()
    name = request.form.get("name", "").strip()
    filters = QueueFilters.from_args(request.form.to_dict(), actor.task_roles())
    if not name or len(name) > 100:
        flash(_("Give the filter a name of at most 100 characters."), "error")
        return redirect(filters.url())
    params = filters.args()
    params.pop("page", None)
    db_session().add(SavedQueueFilter(name=name, params=params, shared=request.form.get("shared") == "on",
                                      created_by=actor.username))
    db_session().commit()
    flash(_("The filter “%(name)s” is saved.", name=name), "success")
    return redirect(filters.url())


@bp.post("/filters/<int:filter_id>/delete")
def delete_filter(filter_id: int) -> ResponseReturnValue:
    """Delete a saved filter (its creator or an administrator)."""
    actor = Actor.current()
    saved = db_session().get(SavedQueueFilter, filter_id)
    if saved is None or (saved.created_by != actor.username and not actor.can("administer")):
        abort(404)
    db_session().delete(saved)
    db_session().commit()
    flash(_("The filter “%(name)s” is deleted.", name=saved.name), "success")
    return redirect(url_for("queues.index"))


@bp.post("/assign")
def bulk_assign() -> ResponseReturnValue:
    """Give the chosen tasks to a colleague (or back to the queue) — for when someone is away."""
    actor = Actor.current()
    engine = case_engine()
    assignee = request.form.get("assignee", "")
    task_ids = request.form.getlist("task")[:100]
    back = request.form.get("next") or url_for("queues.index")
    if not task_ids:
        flash(_("Choose at least one task."), "error")
        return redirect(_local(back))
    done = failed = 0
    for task_id in task_ids:
        try:
            task = engine.task(task_id)
            if not can_work_task(actor, task):
                failed += 1
                continue
            if assignee == "":
                engine.unclaim(task_id, actor.username, force=True)
            elif assignee in {u for u, _n in colleagues(task.role or "")}:
                engine.assign(task_id, assignee, actor.username)
            else:
                failed += 1
                continue
            done += 1
        except EngineError:
            failed += 1
    flash(_("%(done)s task(s) changed.", done=done) + (" " + _("%(failed)s could not be changed.", failed=failed)
                                                          if failed else ""), "success" if not failed else "warning")
    return redirect(_local(back))


def _local(target: str) -> str:
    return target if target.startswith("/") and not target.startswith("//") else url_for("queues.index")
