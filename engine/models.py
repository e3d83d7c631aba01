"""The engine's tables: definitions, cases, instance state and the projections screens read.

Plain SQLAlchemy (no Flask), so the engine runs and is tested without a web app.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from sqlalchemy import (
    JSON,
    Boolean,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column
from sqlalchemy.types import TypeDecorator


class UTCDateTime(TypeDecorator):
    """Timezone-aware datetimes stored as UTC on every database (SQLite keeps no zone)."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Any) -> datetime | None:
        """Store aware values in UTC; refuse naive ones."""
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given to a UTC column")
        value = value.astimezone(UTC)
        return value.replace(tzinfo=None) if dialect.name == "sqlite" else value

    def process_result_value(self, value: datetime | None, dialect: Any) -> datetime | None:
        """Return aware UTC datetimes."""
        if value is None:
            return None
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


class EngineBase(DeclarativeBase):
    """Declarative base of the engine's tables."""

    type_annotation_map = {datetime: UTCDateTime(), dict[str, Any]: JSON, list[Any]: JSON}


class Definition(EngineBase):
    """One deployed version of a BPMN or DMN file, pinned to the versions of the files it calls."""

    __tablename__ = "engine_definition"
    __table_args__ = (UniqueConstraint("key", "version"), Index("ix_definition_key_bundle", "key", "bundle_sha256"))

    id: Mapped[int] = mapped_column(primary_key=True)
    key: Mapped[str] = mapped_column(String(200), index=True)
    kind: Mapped[str] = mapped_column(String(10))
    version: Mapped[int] = mapped_column(Integer)
    name: Mapped[str | None] = mapped_column(String(300))
    filename: Mapped[str] = mapped_column(String(300))
    xml: Mapped[str] = mapped_column(Text)
    sha256: Mapped[str] = mapped_column(String(64))
    bundle_sha256: Mapped[str] = mapped_column(String(64))
    provides: Mapped[list[Any]] = mapped_column(default=list)
    requires: Mapped[list[Any]] = mapped_column(default=list)
    start_messages: Mapped[list[Any]] = mapped_column(default=list)
    deployed_by: Mapped[str] = mapped_column(String(200))
    deployed_at: Mapped[datetime]


class DefinitionDraft(EngineBase):
    """A process owner's unsaved-to-production edit of a definition: one per key, checked to be safe XML."""

    __tablename__ = "engine_definition_draft"

    key: Mapped[str] = mapped_column(String(200), primary_key=True)
    filename: Mapped[str] = mapped_column(String(300))
    xml: Mapped[str] = mapped_column(Text)
    base_version: Mapped[int | None] = mapped_column(Integer)
    saved_by: Mapped[str] = mapped_column(String(200))
    saved_at: Mapped[datetime]


class Case(EngineBase):
    """A case: the life of one matter, which may run several process instances over time."""

    __tablename__ = "engine_case"

    id: Mapped[int] = mapped_column(primary_key=True)
    number: Mapped[str | None] = mapped_column(String(40), unique=True)
    process_key: Mapped[str] = mapped_column(String(200), index=True)
    title: Mapped[str] = mapped_column(String(300), default="")
    status: Mapped[str] = mapped_column(String(20), default="open", index=True)
    current_step: Mapped[str] = mapped_column(String(300), default="")
    summary: Mapped[dict[str, Any]] = mapped_column(default=dict)
    created_by: Mapped[str] = mapped_column(String(200))
    created_at: Mapped[datetime]
    updated_at: Mapped[datetime] = mapped_column(index=True)
    closed_at: Mapped[datetime | None]


class CaseField(EngineBase):
    """An indexed summary field of a case (trade, county, company, person …) for filters and search."""

    __tablename__ = "engine_case_field"
    __table_args__ = (Index("ix_case_field_name_value", "name", "value"),)

    case_id: Mapped[int] = mapped_column(ForeignKey("engine_case.id", ondelete="CASCADE"), primary_key=True)
    name: Mapped[str] = mapped_column(String(100), primary_key=True)
    value: Mapped[str] = mapped_column(String(300))


class ProcessInstance(EngineBase):
    """The serialized state of one running process (without its spec) and its optimistic-lock version."""

    __tablename__ = "engine_process_instance"

    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("engine_case.id"), index=True)
    definition_id: Mapped[int] = mapped_column(ForeignKey("engine_definition.id"), index=True)
    process_key: Mapped[str] = mapped_column(String(200))
    status: Mapped[str] = mapped_column(String(20), index=True)
    suspended: Mapped[bool] = mapped_column(Boolean, default=False)
    state: Mapped[str] = mapped_column(Text)
    serializer_version: Mapped[str] = mapped_column(String(20))
    lock_version: Mapped[int] = mapped_column(Integer, nullable=False)
    started_by: Mapped[str] = mapped_column(String(200))
    started_at: Mapped[datetime]
    updated_at: Mapped[datetime]
    ended_at: Mapped[datetime | None]


class TaskRow(EngineBase):
    """Projection of a human task: what queues, 'my forms' and the case page read."""

    __tablename__ = "engine_task"
    __table_args__ = (
        Index("ix_task_queue", "state", "role", "due_at"),
        Index("ix_task_assignee", "assignee", "state"),
        Index("ix_task_scope", "scope", "state"),
    )

    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    instance_id: Mapped[int] = mapped_column(ForeignKey("engine_process_instance.id"), index=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("engine_case.id"), index=True)
    definition_id: Mapped[int] = mapped_column(ForeignKey("engine_definition.id"))
    process_key: Mapped[str] = mapped_column(String(200))
    spec_name: Mapped[str] = mapped_column(String(200))
    title: Mapped[str] = mapped_column(String(300))
    lane: Mapped[str | None] = mapped_column(String(200))
    role: Mapped[str | None] = mapped_column(String(100))
    form_key: Mapped[str | None] = mapped_column(String(200))
    scope: Mapped[str | None] = mapped_column(String(100))
    assignee: Mapped[str | None] = mapped_column(String(200))
    due_at: Mapped[datetime | None]
    priority: Mapped[int] = mapped_column(Integer, default=0)
    state: Mapped[str] = mapped_column(String(20))
    created_at: Mapped[datetime]
    claimed_at: Mapped[datetime | None]
    completed_at: Mapped[datetime | None]
    completed_by: Mapped[str | None] = mapped_column(String(200))


class TimerRow(EngineBase):
    """Projection of a waiting timer, so the worker finds due ones without loading any case."""

    __tablename__ = "engine_timer"

    id: Mapped[int] = mapped_column(primary_key=True)
    instance_id: Mapped[int] = mapped_column(ForeignKey("engine_process_instance.id"), index=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("engine_case.id"))
    task_id: Mapped[str] = mapped_column(String(36))
    name: Mapped[str] = mapped_column(String(300))
    due_at: Mapped[datetime] = mapped_column(index=True)


class MessageSubscription(EngineBase):
    """Projection of a waiting message catch: message name plus the full correlation key."""

    __tablename__ = "engine_message_subscription"
    __table_args__ = (Index("ix_subscription_route", "message_name", "correlation_key"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    instance_id: Mapped[int] = mapped_column(ForeignKey("engine_process_instance.id"), index=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("engine_case.id"), index=True)
    task_id: Mapped[str] = mapped_column(String(36))
    message_name: Mapped[str] = mapped_column(String(200))
    correlation_key: Mapped[str] = mapped_column(String(500))
    correlation: Mapped[dict[str, Any]] = mapped_column(default=dict)


class AuditEvent(EngineBase):
    """Who did what, when, with what data: the case history."""

    __tablename__ = "engine_audit_event"
    __table_args__ = (Index("ix_audit_case_at", "case_id", "at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int | None] = mapped_column(ForeignKey("engine_case.id"))
    instance_id: Mapped[int | None] = mapped_column(Integer)
    at: Mapped[datetime]
    actor: Mapped[str] = mapped_column(String(200))
    action: Mapped[str] = mapped_column(String(50))
    task_id: Mapped[str | None] = mapped_column(String(36))
    task_title: Mapped[str | None] = mapped_column(String(300))
    form_key: Mapped[str | None] = mapped_column(String(200))
    data: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    detail: Mapped[str | None] = mapped_column(Text)


class Incident(EngineBase):
    """A failed engine call: the case was left unchanged; an administrator sees the error here."""

    __tablename__ = "engine_incident"

    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int | None] = mapped_column(ForeignKey("engine_case.id"), index=True)
    instance_id: Mapped[int | None] = mapped_column(Integer)
    task_id: Mapped[str | None] = mapped_column(String(36))
    at: Mapped[datetime]
    actor: Mapped[str] = mapped_column(String(200))
    action: Mapped[str] = mapped_column(String(50))
    error_type: Mapped[str] = mapped_column(String(200))
    message: Mapped[str] = mapped_column(Text)
    details: Mapped[str | None] = mapped_column(Text)
    resolved_at: Mapped[datetime | None]
    resolved_by: Mapped[str | None] = mapped_column(String(200))


class JobRow(EngineBase):
    """Background work (notifications …) written in the same transaction as what caused it.

    `key` makes enqueueing idempotent; a running job holds a lease (`locked_until`) so a crashed worker's
    jobs are taken over when it expires; failures are retried with backoff, then kept as `failed`.
    """

    __tablename__ = "engine_job"
    __table_args__ = (Index("ix_job_due", "status", "run_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(String(100))
    key: Mapped[str] = mapped_column(String(300), unique=True)
    payload: Mapped[dict[str, Any]] = mapped_column(default=dict)
    status: Mapped[str] = mapped_column(String(20), default="pending")
    run_at: Mapped[datetime]
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    max_attempts: Mapped[int] = mapped_column(Integer, default=5)
    locked_by: Mapped[str | None] = mapped_column(String(100))
    locked_until: Mapped[datetime | None]
    last_error: Mapped[str | None] = mapped_column(Text)
    case_id: Mapped[int | None] = mapped_column(Integer)
    created_at: Mapped[datetime]
    finished_at: Mapped[datetime | None]
