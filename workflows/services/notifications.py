"""Reminder hooks the processes call (`notify.remind`): queue a reminder e-mail to whoever holds the task.

Registered by `workflows.setup.build_case_engine` (it needs the application's public address for links).

The message goes into the outbox in the same transaction as the step (a retried step queues nothing
twice); users who opted out of reminders get none. The result is kept in the process data too.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from engine.expressions import ServiceCall

from ..notify import remind_holders
from .context import call_context

DEFAULT_PUBLIC_URL = "http://127.0.0.1:5000"
# A reminder's subject names the forms it is about (by form-key prefix).
SUBJECT_FORMS = {"contract.signing": "contract.sign_", "followup.evaluation": "followup.evaluation",
                 "onboarding.agreement": "onboarding.agreement"}


def make_remind(public_url: str) -> Callable[[ServiceCall], dict[str, Any]]:
    """The `notify.remind` handler, linking to the application at `public_url`."""

    def remind(call: ServiceCall) -> dict[str, Any]:
        ctx = call_context(call)
        subject = str(call.params.get("subject") or "")
        queued = 0
        if ctx.session is not None and ctx.case_id is not None:
            queued = remind_holders(ctx.session, ctx.case_id, SUBJECT_FORMS.get(subject, subject), ctx.now,
                                    public_url)
        return {"subject": subject, "due_at": ctx.now.isoformat(), "case_id": ctx.case_id, "queued": queued}

    return remind

