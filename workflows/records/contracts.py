"""Contracts and what happens under them: evaluations, follow-up meetings, conflicts and trade tests.

Every row may point at the engine case that handles it (`case_id`, nullable: a contract imported from
Vigo, or drafted before its case starts, has none). Conflict cases hold sensitive data; restrict access.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import Boolean, CheckConstraint, ForeignKey, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from engine.models import EngineBase

from .base import (
    AppealOutcome,
    ConcernCategory,
    ConflictOutcome,
    ConflictPath,
    ContractStatus,
    ContractType,
    EvaluationPeriod,
    MeetingKind,
    TestKind,
    TestResult,
    TrainingModel,
    check_in,
    utcnow,
)
from .companies import MemberCompany, TrainingOffice
from .people import Person
from .reference import County, Trade

DEFAULT_LEGAL_BASIS = "opplæringslova § 7-2"


class Contract(EngineBase):
    """A lærekontrakt or opplæringskontrakt; valid only once the county has approved it."""

    __tablename__ = "contract"
    __table_args__ = (
        check_in("contract_type", ContractType, "ck_contract_type"),
        check_in("status", ContractStatus, "ck_contract_status"),
        check_in("training_model", TrainingModel, "ck_contract_training_model"),
        CheckConstraint("probation_months >= 0 AND probation_months <= 6", name="ck_contract_probation"),
        CheckConstraint("credit_months >= 0", name="ck_contract_credit"),
        CheckConstraint("end_date IS NULL OR start_date IS NULL OR end_date > start_date", name="ck_contract_dates"),
        Index("ix_contract_queue", "status", "county_number", "trade_code"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int | None] = mapped_column(ForeignKey("engine_case.id"), index=True)
    office_id: Mapped[int] = mapped_column(ForeignKey("training_office.id"))
    contract_type: Mapped[str] = mapped_column(String(30))
    trade_code: Mapped[str] = mapped_column(ForeignKey("trade.code"), index=True)
    apprentice_id: Mapped[int] = mapped_column(ForeignKey("person.id"), index=True)
    company_id: Mapped[int] = mapped_column(ForeignKey("member_company.id"), index=True)
    faglig_leder_id: Mapped[int | None] = mapped_column(ForeignKey("person.id"))
    # The county that approves the contract (where the company is approved) and registers the test.
    county_number: Mapped[str] = mapped_column(ForeignKey("county.number"))
    start_date: Mapped[date | None]
    end_date: Mapped[date | None]
    training_model: Mapped[str] = mapped_column(String(20), default=TrainingModel.MODEL_2_2.value)
    training_model_note: Mapped[str | None] = mapped_column(Text)
    probation_months: Mapped[int] = mapped_column(Integer, default=0)
    credit_months: Mapped[int] = mapped_column(Integer, default=0)
    # CommonSubject values (fellesfag) still missing when the contract was drafted.
    missing_common_subjects: Mapped[list[Any]] = mapped_column(default=list)
    extra_terms: Mapped[str | None] = mapped_column(Text)
    employment_contract_ref: Mapped[str | None] = mapped_column(String(200))
    status: Mapped[str] = mapped_column(String(30), default=ContractStatus.DRAFT.value)
    county_approved_on: Mapped[date | None]
    county_decision_ref: Mapped[str | None] = mapped_column(String(100))
    legal_basis: Mapped[str] = mapped_column(String(100), default=DEFAULT_LEGAL_BASIS)
    # The contract this one continues after a move or a change of contract type.
    replaces_contract_id: Mapped[int | None] = mapped_column(ForeignKey("contract.id"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)

    office: Mapped[TrainingOffice] = relationship()
    trade: Mapped[Trade] = relationship()
    county: Mapped[County] = relationship()
    apprentice: Mapped[Person] = relationship(foreign_keys=[apprentice_id])
    company: Mapped[MemberCompany] = relationship()
    faglig_leder: Mapped[Person | None] = relationship(foreign_keys=[faglig_leder_id])
    replaces: Mapped[Contract | None] = relationship(remote_side="Contract.id")
    evaluations: Mapped[list[Evaluation]] = relationship(
        back_populates="contract", cascade="all, delete-orphan", order_by="Evaluation.due_on")
    meetings: Mapped[list[FollowUpMeeting]] = relationship(
        back_populates="contract", cascade="all, delete-orphan", order_by="FollowUpMeeting.id")
    conflicts: Mapped[list[ConflictCase]] = relationship(
        back_populates="contract", cascade="all, delete-orphan", order_by="ConflictCase.id")
    test_registrations: Mapped[list[TestRegistration]] = relationship(
        back_populates="contract", cascade="all, delete-orphan", order_by="TestRegistration.attempt")

    def __repr__(self) -> str:
        return f"<Contract {self.id} {self.contract_type} {self.trade_code} {self.status}>"


class Evaluation(EngineBase):
    """A half-year evaluation (halvårsvurdering): ungraded, due 3, 9, 15 and 21 months after the start."""

    __tablename__ = "evaluation"
    __table_args__ = (
        UniqueConstraint("contract_id", "period", "due_on", name="uq_evaluation"),
        check_in("period", EvaluationPeriod, "ck_evaluation_period"),
        CheckConstraint("absence_days IS NULL OR absence_days >= 0", name="ck_evaluation_absence"),
        Index("ix_evaluation_due", "completed_on", "due_on"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    contract_id: Mapped[int] = mapped_column(ForeignKey("contract.id", ondelete="CASCADE"), index=True)
    case_id: Mapped[int | None] = mapped_column(ForeignKey("engine_case.id"), index=True)
    period: Mapped[str] = mapped_column(String(10))
    due_on: Mapped[date]
    meeting_on: Mapped[date | None]
    completed_on: Mapped[date | None]
    absence_days: Mapped[int | None] = mapped_column(Integer)
    concern: Mapped[bool] = mapped_column(Boolean, default=False)
    # Competence areas, what the apprentice masters, goals, wellbeing, comments, signatures (form data).
    summary: Mapped[dict[str, Any]] = mapped_column(default=dict)

    contract: Mapped[Contract] = relationship(back_populates="evaluations")


class FollowUpMeeting(EngineBase):
    """The office meets each apprentice at least twice a year (seed 000)."""

    __tablename__ = "follow_up_meeting"
    __table_args__ = (check_in("kind", MeetingKind, "ck_follow_up_meeting_kind"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    contract_id: Mapped[int] = mapped_column(ForeignKey("contract.id", ondelete="CASCADE"), index=True)
    case_id: Mapped[int | None] = mapped_column(ForeignKey("engine_case.id"), index=True)
    kind: Mapped[str] = mapped_column(String(20), default=MeetingKind.VISIT.value)
    planned_on: Mapped[date | None]
    held_on: Mapped[date | None]
    held_by: Mapped[str | None] = mapped_column(String(200))
    participants: Mapped[list[Any]] = mapped_column(default=list)
    concern: Mapped[bool] = mapped_column(Boolean, default=False)
    notes: Mapped[str | None] = mapped_column(Text)

    contract: Mapped[Contract] = relationship(back_populates="meetings")


class ConflictCase(EngineBase):
    """Conflict handling (tvist, mekling, bytte, heving) under one contract. Sensitive."""

    __tablename__ = "conflict_case"
    __table_args__ = (
        check_in("category", ConcernCategory, "ck_conflict_category"),
        check_in("path", ConflictPath, "ck_conflict_path", nullable=True),
        check_in("outcome", ConflictOutcome, "ck_conflict_outcome", nullable=True),
        CheckConstraint("closed_on IS NULL OR closed_on >= registered_on", name="ck_conflict_dates"),
        Index("ix_conflict_open", "outcome", "registered_on"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    contract_id: Mapped[int] = mapped_column(ForeignKey("contract.id", ondelete="CASCADE"), index=True)
    case_id: Mapped[int | None] = mapped_column(ForeignKey("engine_case.id"), index=True)
    category: Mapped[str] = mapped_column(String(40))
    path: Mapped[str | None] = mapped_column(String(40))
    outcome: Mapped[str | None] = mapped_column(String(30))
    registered_on: Mapped[date]
    mediation_started_on: Mapped[date | None]
    decided_on: Mapped[date | None]
    # The end date the county set (heving) or the agreed last day.
    training_ends_on: Mapped[date | None]
    right_to_training_kept: Mapped[bool | None] = mapped_column(Boolean)
    decision_ref: Mapped[str | None] = mapped_column(String(100))
    closed_on: Mapped[date | None]

    contract: Mapped[Contract] = relationship(back_populates="conflicts")


class TestRegistration(EngineBase):
    """Registration for the trade test (fag-/svenneprøve or kompetanseprøve), one row per attempt."""

    __test__ = False  # not a pytest test class
    __tablename__ = "test_registration"
    __table_args__ = (
        UniqueConstraint("contract_id", "attempt", name="uq_test_registration_attempt"),
        check_in("kind", TestKind, "ck_test_registration_kind"),
        check_in("result", TestResult, "ck_test_registration_result", nullable=True),
        check_in("appeal_outcome", AppealOutcome, "ck_test_registration_appeal_outcome", nullable=True),
        CheckConstraint("attempt >= 1", name="ck_test_registration_attempt"),
        CheckConstraint("test_end_on IS NULL OR test_start_on IS NULL OR test_end_on >= test_start_on",
                        name="ck_test_registration_dates"),
        # "Bestått" cannot be appealed (domain.md §2.5) — unless the appeal board itself changed the grade.
        CheckConstraint("appeal_lodged_on IS NULL OR result = 'ikke_bestatt' "
                        "OR COALESCE(appeal_outcome, '') = 'changed'", name="ck_test_registration_appeal"),
        Index("ix_test_registration_county", "county_number", "test_start_on"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    contract_id: Mapped[int] = mapped_column(ForeignKey("contract.id", ondelete="CASCADE"), index=True)
    case_id: Mapped[int | None] = mapped_column(ForeignKey("engine_case.id"), index=True)
    attempt: Mapped[int] = mapped_column(Integer, default=1)
    kind: Mapped[str] = mapped_column(String(20), default=TestKind.FAGPROVE.value)
    registered_on: Mapped[date | None]
    county_number: Mapped[str] = mapped_column(ForeignKey("county.number"))
    receipt_ref: Mapped[str | None] = mapped_column(String(100))
    board_name: Mapped[str | None] = mapped_column(String(200))
    test_site: Mapped[str | None] = mapped_column(String(200))
    test_start_on: Mapped[date | None]
    test_end_on: Mapped[date | None]
    result: Mapped[str | None] = mapped_column(String(30))
    result_on: Mapped[date | None]
    protocol_ref: Mapped[str | None] = mapped_column(String(100))
    appeal_lodged_on: Mapped[date | None]
    appeal_decided_on: Mapped[date | None]
    appeal_outcome: Mapped[str | None] = mapped_column(String(20))

    contract: Mapped[Contract] = relationship(back_populates="test_registrations")
