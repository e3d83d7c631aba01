"""Sending the office's e-mail: queued in the outbox with the step that caused it, delivered by a job.

`SmtpMailer` delivers through an SMTP server (production; configured by environment). `KeepInOutbox`
delivers nowhere: in development and tests the mail stays in the outbox, which administrators read on
screen. Delivery is a job, so a failing server is retried with backoff and shown to administrators.
"""

from __future__ import annotations

import smtplib
import ssl
from dataclasses import dataclass
from datetime import datetime
from email.message import EmailMessage
from email.utils import make_msgid
from typing import Protocol

from sqlalchemy import select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from engine.jobs import JobContext, enqueue

from .records import OutboxMail


class Mailer(Protocol):
    """Delivers one message; raises on failure (the job is retried)."""

    delivers: bool

    def send(self, mail: OutboxMail, sender: str) -> None: ...


@dataclass(frozen=True)
class SmtpSettings:
    """Where and how to reach the SMTP server."""

    host: str
    port: int = 587
    username: str | None = None
    password: str | None = None
    starttls: bool = True
    timeout: float = 30.0


class SmtpMailer:
    """Delivers through SMTP (STARTTLS by default). The Message-ID is stable per outbox row, so a message
    re-sent after a crash between the server's acceptance and our commit is recognisable as the same."""

    delivers = True

    def __init__(self, settings: SmtpSettings) -> None:
        self.settings = settings

    def send(self, mail: OutboxMail, sender: str) -> None:
        """Send one message."""
        message = EmailMessage()
        message["From"], message["To"], message["Subject"] = sender, mail.recipient, mail.subject
        message["Message-ID"] = make_msgid(idstring=f"fagflyt-{mail.id}", domain=sender.rpartition("@")[2] or None)
        message.set_content(mail.body)
        s = self.settings
        with smtplib.SMTP(s.host, s.port, timeout=s.timeout) as smtp:
            if s.starttls:
                smtp.starttls(context=ssl.create_default_context())
            if s.username:
                smtp.login(s.username, s.password or "")
            smtp.send_message(message)


class KeepInOutbox:
    """Development and tests: nothing leaves the machine; the outbox is the inbox."""

    delivers = False

    def send(self, mail: OutboxMail, sender: str) -> None:
        """Keep the message (nothing to do)."""


def queue_mail(session: Session, key: str, recipient: str, subject: str, body: str, now: datetime, *,
               kind: str, username: str | None = None, case_id: int | None = None) -> None:
    """Put a message in the outbox and queue its delivery — both idempotent by `key`, in the caller's
    transaction."""
    insert = postgresql.insert if session.get_bind().dialect.name == "postgresql" else sqlite.insert
    session.execute(insert(OutboxMail).values(
        key=key, recipient=recipient, username=username, kind=kind, subject=subject[:300], body=body,
        case_id=case_id, status="queued", created_at=now).on_conflict_do_nothing(index_elements=["key"]))
    enqueue(session, "mail.deliver", f"mail.deliver:{key}", {"key": key}, now, case_id=case_id)


def delivery_handler(mailer: Mailer, sender: str):  # type: ignore[no-untyped-def]
    """The job handler that delivers one queued message (does nothing if it was delivered already)."""

    def deliver(ctx: JobContext) -> None:
        q = select(OutboxMail).where(OutboxMail.key == ctx.job.payload["key"])
        if ctx.session.get_bind().dialect.name == "postgresql":
            q = q.with_for_update()
        mail = ctx.session.scalars(q).first()
        if mail is None or mail.status in ("sent", "kept"):
            return
        mailer.send(mail, sender)
        mail.status, mail.sent_at = ("sent" if mailer.delivers else "kept"), ctx.now

    return deliver
