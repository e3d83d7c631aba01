"""E-mail the office sends: every message is kept here (the outbox), whether SMTP delivered it or not."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from engine.models import EngineBase

from .base import check_in


class OutboxMail(EngineBase):
    """One e-mail to one recipient; `key` makes queueing idempotent (a retried step queues nothing twice)."""

    __tablename__ = "mail_outbox"
    __table_args__ = (
        check_in("status", ("queued", "sent", "kept", "failed"), "ck_mail_outbox_status"),
        Index("ix_mail_outbox_created", "created_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    key: Mapped[str] = mapped_column(String(300), unique=True)
    recipient: Mapped[str] = mapped_column(String(254))
    username: Mapped[str | None] = mapped_column(String(254))
    kind: Mapped[str] = mapped_column(String(40))
    subject: Mapped[str] = mapped_column(String(300))
    body: Mapped[str] = mapped_column(Text)
    case_id: Mapped[int | None]
    status: Mapped[str] = mapped_column(String(10), default="queued")
    created_at: Mapped[datetime]
    sent_at: Mapped[datetime | None]
    error: Mapped[str | None] = mapped_column(Text)
