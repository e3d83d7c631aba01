"""Who may sign in: user accounts with their roles (and company, for supervisors), and saved queue filters."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import CheckConstraint, Index, String
from sqlalchemy.orm import Mapped, mapped_column

from engine.models import EngineBase

from .base import utcnow


class UserRole(StrEnum):
    """The roles a user can hold; the first three are also BPMN lane roles."""

    CASE_HANDLER = "saksbehandler"
    CONSULTANT = "konsulent"
    SUPERVISOR = "faglig_leder"
    INSTRUCTOR = "instruktor"
    PROCESS_OWNER = "prosesseier"
    ADMINISTRATOR = "administrator"


class UserAccount(EngineBase):
    """A person who signs in: username, argon2 password hash, roles and, for supervisors, their company."""

    __tablename__ = "user_account"
    __table_args__ = (
        CheckConstraint("username = lower(username)", name="ck_user_account_username_lower"),
        CheckConstraint("failed_logins >= 0", name="ck_user_account_failed_logins"),
        Index("ix_user_account_company", "company_orgnr"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    username: Mapped[str] = mapped_column(String(254), unique=True)
    display_name: Mapped[str] = mapped_column(String(200))
    email: Mapped[str | None] = mapped_column(String(254))
    password_hash: Mapped[str] = mapped_column(String(200))
    roles: Mapped[list[Any]] = mapped_column(default=list)
    # The member company (orgnr) a supervisor works for; None for office staff.
    company_orgnr: Mapped[str | None] = mapped_column(String(9))
    locale: Mapped[str] = mapped_column(String(5), default="nb")
    reminders_opt_out: Mapped[bool] = mapped_column(default=False)
    active: Mapped[bool] = mapped_column(default=True)
    failed_logins: Mapped[int] = mapped_column(default=0)
    locked_until: Mapped[datetime | None]
    last_login_at: Mapped[datetime | None]
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    def has_role(self, *roles: str) -> bool:
        """Whether the user holds any of `roles`."""
        return any(role in self.roles for role in roles)

    def __repr__(self) -> str:
        return f"<UserAccount {self.username}>"


class SavedQueueFilter(EngineBase):
    """A named set of queue filters; shared ones are visible to every case handler in the office."""

    __tablename__ = "saved_queue_filter"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(100))
    params: Mapped[dict[str, Any]] = mapped_column(default=dict)
    shared: Mapped[bool] = mapped_column(default=True)
    created_by: Mapped[str] = mapped_column(String(254))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
