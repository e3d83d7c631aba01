"""The case engine as the training office runs it: its roles, case facts, service handlers and checks."""

from __future__ import annotations

from collections.abc import Iterable

from engine import CaseEngine, Clock
from engine.checks import require_known_form_keys, require_lane_roles
from engine.expressions import ServiceRegistry

from . import business_calendar, facts, records  # noqa: F401  (records: the business tables on the shared metadata)
from .catalog import ROLES, SUMMARY_FIELDS, role_of_lane
from .services import register_services


def build_case_engine(database_url: str, *, clock: Clock | None = None,
                      form_keys: Iterable[str] | None = None) -> CaseEngine:
    """A CaseEngine wired with the office's roles, summary fields, service handlers and deploy checks."""
    checks = [require_lane_roles(ROLES, role_of_lane)]
    if form_keys is not None:
        keys = frozenset(form_keys)
        checks.append(require_known_form_keys(lambda: keys))
    return CaseEngine(database_url, clock=clock, services=register_services(ServiceRegistry()),
                      helpers={**business_calendar.HELPERS, **facts.HELPERS}, role_of=role_of_lane,
                      summary_fields=SUMMARY_FIELDS, definition_checks=checks)
