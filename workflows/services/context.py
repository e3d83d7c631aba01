"""What every handler needs from a service call: the session, the time, the case, typed parameters."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from engine.context import CallContext
from engine.expressions import ServiceCall


def call_context(call: ServiceCall) -> CallContext:
    """The engine call's context (session, now, case); handlers only run inside engine calls."""
    if call.context is None:
        raise RuntimeError(f"service {call.operation!r} ran outside an engine call")
    return call.context


def as_date(value: Any) -> date | None:
    """A date from a date, a datetime or ISO text (form data arrives as dates; payloads as text)."""
    if value in (None, ""):
        return None
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    return date.fromisoformat(str(value)[:10])


def iso(value: date | None) -> str | None:
    """ISO text of a date, for case facts (kept JSON-plain)."""
    return value.isoformat() if value else None
