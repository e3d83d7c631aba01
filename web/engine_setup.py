"""Builds the CaseEngine the web app and the CLI use, composed from the business's roles and forms."""

from __future__ import annotations

from collections.abc import Iterable

from engine import CaseEngine, Clock
from engine.checks import require_lane_roles
from engine.expressions import ServiceRegistry
from workflows.catalog import ROLES, SUMMARY_FIELDS, role_of_lane


def build_engine(database_url: str, *, clock: Clock | None = None,
                 form_keys: Iterable[str] | None = None) -> CaseEngine:
    """A CaseEngine wired with the office's roles, summary fields, service handlers and deploy checks."""
    checks = [require_lane_roles(ROLES, role_of_lane)]
    if form_keys is not None:
        from engine.checks import require_known_form_keys

        keys = set(form_keys)
        checks.append(require_known_form_keys(lambda: keys))
    return CaseEngine(database_url, clock=clock, services=ServiceRegistry(), role_of=role_of_lane,
                      summary_fields=SUMMARY_FIELDS, definition_checks=checks)
