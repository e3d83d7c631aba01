"""People and their roles: apprentices, faglige ledere, instructors and guardians are all `Person` rows.

A role is a link, not a kind of person: the same person can be an instructor at one company and a
guardian of an apprentice. The national identity number is the person's key; lists and logs must mask
it (forms.validators.mask_fnr), and the web layer decides who may see it.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import CheckConstraint, ForeignKey, Index, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from engine.models import EngineBase

from .base import ContactRole, GuardianRelation, check_in, utcnow
from .companies import MemberCompany


class Person(EngineBase):
    """A person known to the office, by fødselsnummer or D-number (11 digits, unique) where it is known.

    Apprentices always have one (the contract needs it). Guardians and supervisors may be known by name,
    birth date and contact details only (the contract form asks for no more), so the number is optional;
    several people without a number do not collide.
    """

    __tablename__ = "person"
    __table_args__ = (
        CheckConstraint("national_id IS NULL OR length(national_id) = 11", name="ck_person_national_id_length"),
        Index("ix_person_name", "last_name", "first_name"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    national_id: Mapped[str | None] = mapped_column(String(11), unique=True, index=True)
    first_name: Mapped[str] = mapped_column(String(100))
    middle_name: Mapped[str | None] = mapped_column(String(100))
    last_name: Mapped[str] = mapped_column(String(100))
    birth_date: Mapped[date | None]
    mobile: Mapped[str | None] = mapped_column(String(20))
    email: Mapped[str | None] = mapped_column(String(254), index=True)
    # Address during the training period (the contract form asks for it).
    street_address: Mapped[str | None] = mapped_column(String(200))
    postal_code: Mapped[str | None] = mapped_column(String(4))
    postal_place: Mapped[str | None] = mapped_column(String(100))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    roles: Mapped[list[CompanyContact]] = relationship(back_populates="person", order_by="CompanyContact.id")
    guardians: Mapped[list[Guardian]] = relationship(
        foreign_keys="Guardian.apprentice_id", back_populates="apprentice", order_by="Guardian.id")
    wards: Mapped[list[Guardian]] = relationship(
        foreign_keys="Guardian.guardian_id", back_populates="guardian", order_by="Guardian.id")

    @property
    def full_name(self) -> str:
        """First, middle and last name as one string."""
        return " ".join(part for part in (self.first_name, self.middle_name, self.last_name) if part)

    def age_on(self, day: date) -> int | None:
        """Age in completed years on `day` (None when the birth date is unknown)."""
        born = self.birth_date
        if born is None:
            return None
        return day.year - born.year - ((day.month, day.day) < (born.month, born.day))

    def __repr__(self) -> str:
        return f"<Person {self.id} {self.full_name}>"


class CompanyContact(EngineBase):
    """A person's role at a member company: faglig leder (needs an e-mail for e-contracts) or instructor."""

    __tablename__ = "company_contact"
    __table_args__ = (
        UniqueConstraint("person_id", "company_id", "role", name="uq_company_contact"),
        check_in("role", ContactRole, "ck_company_contact_role"),
        CheckConstraint("role <> 'faglig_leder' OR (email IS NOT NULL AND email <> '')",
                        name="ck_company_contact_leader_email"),
        Index("ix_company_contact_company_role", "company_id", "role"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    person_id: Mapped[int] = mapped_column(ForeignKey("person.id"), index=True)
    company_id: Mapped[int] = mapped_column(ForeignKey("member_company.id", ondelete="CASCADE"))
    role: Mapped[str] = mapped_column(String(20))
    # Trade codes this person supervises at the company.
    trades: Mapped[list[Any]] = mapped_column(default=list)
    email: Mapped[str | None] = mapped_column(String(254))
    phone: Mapped[str | None] = mapped_column(String(20))
    qualification: Mapped[str | None] = mapped_column(String(200))
    course_completed_on: Mapped[date | None]
    active: Mapped[bool] = mapped_column(default=True)

    person: Mapped[Person] = relationship(back_populates="roles")
    company: Mapped[MemberCompany] = relationship()


class Guardian(EngineBase):
    """A parent or guardian of an apprentice under 18: informed, not a required signer (domain.md §3)."""

    __tablename__ = "guardian"
    __table_args__ = (
        UniqueConstraint("apprentice_id", "guardian_id", name="uq_guardian"),
        CheckConstraint("apprentice_id <> guardian_id", name="ck_guardian_not_self"),
        check_in("relation", GuardianRelation, "ck_guardian_relation"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    apprentice_id: Mapped[int] = mapped_column(ForeignKey("person.id", ondelete="CASCADE"), index=True)
    guardian_id: Mapped[int] = mapped_column(ForeignKey("person.id"), index=True)
    relation: Mapped[str] = mapped_column(String(20), default=GuardianRelation.PARENT.value)

    apprentice: Mapped[Person] = relationship(foreign_keys=[apprentice_id], back_populates="guardians")
    guardian: Mapped[Person] = relationship(foreign_keys=[guardian_id], back_populates="wards")
