"""The case engine as the training office runs it: its roles, case facts, service handlers and checks."""

from __future__ import annotations

from collections.abc import Iterable

from engine import CaseEngine, Clock
from engine.checks import require_known_form_keys, require_lane_roles
from engine.expressions import ServiceRegistry
from engine.jobs import Handler

from . import business_calendar, facts, notify, records  # noqa: F401  (records: the business tables on the shared metadata)
from .catalog import ROLES, SUMMARY_FIELDS, role_of_lane
from .mail import Mailer, delivery_handler
from .services import register_services
from .services.notifications import DEFAULT_PUBLIC_URL, make_remind


def build_case_engine(database_url: str, *, clock: Clock | None = None,
                      form_keys: Iterable[str] | None = None, public_url: str = DEFAULT_PUBLIC_URL) -> CaseEngine:
    """A CaseEngine wired with the office's roles, summary fields, service handlers and deploy checks; new and
    assigned tasks queue notification jobs (see `job_handlers`)."""
    checks = [require_lane_roles(ROLES, role_of_lane)]
    if form_keys is not None:
        keys = frozenset(form_keys)
        checks.append(require_known_form_keys(lambda: keys))
    services = register_services(ServiceRegistry())
    services.register("notify.remind", make_remind(public_url))
    return CaseEngine(database_url, clock=clock, services=services,
                      helpers={**business_calendar.HELPERS, **facts.HELPERS}, role_of=role_of_lane,
                      summary_fields=SUMMARY_FIELDS, definition_checks=checks, task_jobs=True)


def job_handlers(mailer: Mailer, sender: str, public_url: str = DEFAULT_PUBLIC_URL) -> dict[str, Handler]:
    """What the worker runs: notifications for new and assigned tasks, and mail delivery."""
    return {**notify.job_handlers(public_url), "mail.deliver": delivery_handler(mailer, sender)}
