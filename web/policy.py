"""Who may do what: the one place where every route's access rule and every task/case check lives.

Each endpoint has a rule in `ROUTE_RULES`: "public", "signed_in" or a capability. A request to an
endpoint without a rule is refused (fail closed); a test checks that every route has one. Object checks
(`task_for`, `case_for`) answer 404 — a supervisor guessing another company's URL learns nothing.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from flask import Flask, abort, redirect, request, url_for
from flask_login import current_user

from engine.results import TaskInfo
from workflows.records import UserRole

R = UserRole
CASE_HANDLERS = frozenset({R.CASE_HANDLER, R.CONSULTANT, R.ADMINISTRATOR})
SUPERVISORS = frozenset({R.SUPERVISOR, R.INSTRUCTOR})

CAPABILITIES: dict[str, frozenset[str]] = {
    "work_queues": CASE_HANDLERS,
    "my_forms": SUPERVISORS,
    "work_tasks": CASE_HANDLERS | SUPERVISORS,
    "view_cases": CASE_HANDLERS | {R.PROCESS_OWNER},
    "change_cases": CASE_HANDLERS,
    "start_cases": CASE_HANDLERS,
    "manage_processes": frozenset({R.PROCESS_OWNER, R.ADMINISTRATOR}),
    "administer": frozenset({R.ADMINISTRATOR}),
}

# Every route of the application and what it needs.
ROUTE_RULES: dict[str, str] = {
    "static": "public",
    "assets.vendor": "public",
    "home.health": "public",
    "auth.login": "public",
    "auth.logout": "signed_in",
    "auth.language": "public",
    "home.index": "signed_in",
    "queues.index": "work_queues",
    "queues.save_filter": "work_queues",
    "queues.delete_filter": "work_queues",
    "queues.bulk_assign": "work_queues",
    "tasks.my_forms": "my_forms",
    "tasks.show": "work_tasks",
    "tasks.submit": "work_tasks",
    "tasks.claim": "work_queues",
    "tasks.unclaim": "work_queues",
    "tasks.assign": "work_queues",
    "cases.show": "view_cases",
    "cases.diagram": "view_cases",
    "cases.comment": "change_cases",
    "cases.record": "change_cases",
    "cases.search": "view_cases",
    "start.index": "start_cases",
    "start.form": "start_cases",
    "processes.index": "manage_processes",
    "processes.show": "manage_processes",
    "processes.modeler": "manage_processes",
    "processes.xml": "manage_processes",
    "processes.validate": "manage_processes",
    "processes.save_draft": "manage_processes",
    "processes.discard_draft": "manage_processes",
    "processes.deploy": "manage_processes",
    "processes.upload": "manage_processes",
    "processes.migrate": "administer",
    "admin.index": "administer",
    "admin.retry_job": "administer",
    "admin.outbox": "administer",
    "admin.mail": "administer",
    "admin.profile": "signed_in",
}


@dataclass(frozen=True)
class Actor:
    """The signed-in user as the policy sees them."""

    username: str
    roles: frozenset[str]
    company_orgnr: str | None

    @classmethod
    def current(cls) -> Actor:
        """The user of this request (signed in: the route rules run first)."""
        return cls(current_user.username, frozenset(current_user.roles), current_user.company_orgnr)

    def can(self, capability: str) -> bool:
        """Whether the user's roles grant `capability`."""
        return bool(self.roles & CAPABILITIES[capability])

    @property
    def is_supervisor(self) -> bool:
        """A member-company user: sees only their company's tasks."""
        return bool(self.roles & SUPERVISORS) and not self.roles & CASE_HANDLERS

    def task_roles(self) -> list[str]:
        """The lane roles whose office tasks this user works (administrators work both office lanes)."""
        roles = {r for r in self.roles if r in (R.CASE_HANDLER, R.CONSULTANT)}
        if R.ADMINISTRATOR in self.roles:
            roles |= {R.CASE_HANDLER, R.CONSULTANT}
        return sorted(roles)


def can_see_task(actor: Actor, task: TaskInfo, form_roles: Iterable[str] = ()) -> bool:
    """Office staff see every task; a supervisor only their own company's supervisor tasks they may do."""
    if actor.can("view_cases") and not actor.is_supervisor:
        return True
    return can_work_task(actor, task, form_roles)


def can_work_task(actor: Actor, task: TaskInfo, form_roles: Iterable[str] = ()) -> bool:
    """Whether the user may complete `task`: their lane role, or their company's supervisor task."""
    if task.role == R.SUPERVISOR:
        if not actor.company_orgnr or task.scope != actor.company_orgnr:
            return False
        if R.SUPERVISOR in actor.roles:
            return True
        return R.INSTRUCTOR in actor.roles and R.INSTRUCTOR in set(form_roles)
    return task.role in actor.task_roles()


def deny() -> None:
    """Refuse without telling whether the thing exists."""
    abort(404)


def check_route() -> object | None:
    """Enforce the endpoint's rule before the view runs (registered as a before_request hook)."""
    rule = ROUTE_RULES.get(request.endpoint or "")
    if rule is None:
        abort(404)
    if rule == "public":
        return None
    if not current_user.is_authenticated:
        if request.path.startswith("/api/") or request.headers.get("HX-Request"):
            abort(401)
        return redirect(url_for("auth.login", next=request.full_path if request.args else request.path))
    if rule != "signed_in" and not Actor.current().can(rule):
        deny()
    return None


def init_app(app: Flask) -> None:
    """Run the route check before every request."""
    app.before_request(check_route)
