"""Reminder and escalation hooks the processes call; they record what was due in the case history.

Sending e-mail (SMTP in production, a local outbox in development) is wired in by the notifications work;
until then a reminder is recorded so case handlers can see it was due and act on it.
"""

from __future__ import annotations

from typing import Any

from engine.expressions import ServiceCall

from .context import call_context


def remind(call: ServiceCall) -> dict[str, Any]:
    """Record that a reminder about `subject` fell due now."""
    ctx = call_context(call)
    return {"subject": call.params.get("subject"), "due_at": ctx.now.isoformat(), "case_id": ctx.case_id}


HANDLERS = {"notify.remind": remind}
