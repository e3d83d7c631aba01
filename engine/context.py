"""The context of the engine call now running: its database session, case, actor and clock."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any


@dataclass
class CallContext:
    """What trusted service-task handlers may use while one engine call runs."""

    session: Any
    now: datetime
    actor: str
    case_id: int | None = None
    instance_id: int | None = None
    extras: dict[str, Any] = field(default_factory=dict)


_current: ContextVar[CallContext | None] = ContextVar("fagflyt_engine_call", default=None)


def current_call() -> CallContext | None:
    """Return the context of the engine call running in this thread, if any."""
    return _current.get()


@contextmanager
def engine_call(ctx: CallContext) -> Iterator[CallContext]:
    """Make `ctx` the current call context for the duration of the block."""
    token = _current.set(ctx)
    try:
        yield ctx
    finally:
        _current.reset(token)
