"""Clocks: the engine never reads the wall clock directly, so tests and the worker can control time."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from datetime import UTC, datetime, timedelta
from typing import Protocol


class Clock(Protocol):
    """Anything with a `now()` returning an aware UTC datetime."""

    def now(self) -> datetime:
        """Return the current time, timezone-aware, in UTC."""
        ...


class SystemClock:
    """The real clock."""

    def now(self) -> datetime:
        """Return the wall-clock time in UTC."""
        return datetime.now(UTC)


class FixedClock:
    """A clock that stands still until told to move; for tests and replays."""

    def __init__(self, start: datetime | None = None) -> None:
        self._now = (start or datetime(2026, 8, 1, 8, 0, tzinfo=UTC)).astimezone(UTC)

    def now(self) -> datetime:
        """Return the time the clock was set to."""
        return self._now

    def set(self, when: datetime) -> None:
        """Move the clock to `when` (aware)."""
        self._now = when.astimezone(UTC)

    def advance(self, **delta: float) -> datetime:
        """Move the clock forward by a `timedelta(**delta)` and return the new time."""
        self._now = self._now + timedelta(**delta)
        return self._now


_SYSTEM = SystemClock()
_active: ContextVar[Clock | None] = ContextVar("fagflyt_clock", default=None)


def active_clock() -> Clock:
    """Return the clock of the engine call running in this thread (the system clock outside calls)."""
    return _active.get() or _SYSTEM


@contextmanager
def using_clock(clock: Clock) -> Iterator[None]:
    """Make `clock` the one SpiffWorkflow's timers read inside the block."""
    token = _active.set(clock)
    try:
        yield
    finally:
        _active.reset(token)
