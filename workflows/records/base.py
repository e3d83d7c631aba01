"""What every record module shares: the value sets (stored as short ASCII strings) and small helpers.

Value sets are plain strings in the database, each guarded by a named CHECK constraint, so PostgreSQL
and SQLite behave alike and a new value is one migration that replaces the constraint. The strings are
the same identifiers the forms use (`forms/definitions/_choices.toml`) and BPMN conditions compare.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import UTC, datetime
from enum import StrEnum
from typing import Any, TypeVar

from sqlalchemy import CheckConstraint, select
from sqlalchemy.orm import Session

from engine.models import EngineBase


class Curriculum(StrEnum):
    """The curriculum reform a trade's læreplan belongs to."""

    LK06 = "LK06"
    LK20 = "LK20"


class Sector(StrEnum):
    """The member company's sector (same values as the onboarding form)."""

    STATE = "state"
    COUNTY_MUNICIPAL = "county_municipal"
    MUNICIPAL = "municipal"
    PRIVATE = "private"
    OTHER = "other"


class MembershipStatus(StrEnum):
    """Where a company stands in membership onboarding (domain.md §2.1)."""

    LEAD = "lead"
    ONBOARDING = "onboarding"
    ACTIVE = "active"
    REJECTED = "rejected"
    DECLINED = "declined"
    WITHDRAWN = "withdrawn"


class ApprovalStatus(StrEnum):
    """A county approval of a company or an office in one trade."""

    APPLIED = "applied"
    APPROVED = "approved"
    REJECTED = "rejected"
    WITHDRAWN = "withdrawn"


class ContactRole(StrEnum):
    """A person's role at a member company ('instructor' as in the forms' participant choices)."""

    FAGLIG_LEDER = "faglig_leder"
    INSTRUCTOR = "instructor"


class GuardianRelation(StrEnum):
    """How a guardian relates to the apprentice (same values as the contract form)."""

    PARENT = "parent"
    LEGAL_GUARDIAN = "legal_guardian"
    OTHER = "other"


class ContractType(StrEnum):
    """Lærekontrakt, opplæringskontrakt and the two adult routes."""

    LAEREKONTRAKT = "laerekontrakt"
    OPPLAERINGSKONTRAKT = "opplaeringskontrakt"
    PRAKSISBREV = "praksisbrev"
    FAGBREV_PAA_JOBB = "fagbrev_paa_jobb"


class TrainingModel(StrEnum):
    """Years in school + years in the company; anything but 2+2 needs the county's approval."""

    MODEL_2_2 = "model_2_2"
    MODEL_1_3 = "model_1_3"
    MODEL_0_4 = "model_0_4"
    OTHER = "other"


class ContractStatus(StrEnum):
    """The life of a contract: signing (§2.2) and the ways it can end (§2.4, §2.5)."""

    DRAFT = "draft"
    SIGNING = "signing"
    AWAITING_COUNTY = "awaiting_county"
    APPROVED = "approved"
    REJECTED = "rejected"
    EXPIRED = "expired"
    WITHDRAWN = "withdrawn"
    INTERRUPTED = "interrupted"
    CANCELLED_AGREEMENT = "cancelled_agreement"
    CANCELLED_DECISION = "cancelled_decision"
    MOVED = "moved"
    CONVERTED = "converted"
    COMPLETED = "completed"


class CommonSubject(StrEnum):
    """Common subjects (fellesfag) that may be missing at contract time (same values as the forms)."""

    NORWEGIAN = "norwegian"
    ENGLISH = "english"
    MATHEMATICS = "mathematics"
    SCIENCE = "science"
    SOCIAL_STUDIES = "social_studies"
    PHYSICAL_EDUCATION = "physical_education"


class EvaluationPeriod(StrEnum):
    """Half-year evaluations are due 3, 9, 15 and 21 months after the start; 'extra' before a move."""

    M03 = "m03"
    M09 = "m09"
    M15 = "m15"
    M21 = "m21"
    EXTRA = "extra"


class MeetingKind(StrEnum):
    """How the office met the apprentice."""

    VISIT = "visit"
    DIGITAL = "digital"
    PHONE = "phone"
    OFFICE = "office"


class ConcernCategory(StrEnum):
    """Why a conflict case was opened (same values as the forms' concern categories)."""

    ABSENCE = "absence"
    PERFORMANCE = "performance"
    COOPERATION = "cooperation"
    HMS = "hms"
    COMPANY_CANNOT_CONTINUE = "company_cannot_continue"
    APPRENTICE_WANTS_TO_STOP = "apprentice_wants_to_stop"


class ConflictPath(StrEnum):
    """The way forward chosen after mediation (same values as conflict.choose_path)."""

    RESOLVED = "resolved"
    MOVE_COMPANY = "move_company"
    CHANGE_CONTRACT_TYPE = "change_contract_type"
    INTERRUPTION = "interruption"
    CANCEL_BY_AGREEMENT = "cancel_by_agreement"
    CANCEL_BY_DECISION = "cancel_by_decision"


class ConflictOutcome(StrEnum):
    """The end states of conflict handling (domain.md §2.4)."""

    RESOLVED = "resolved"
    MOVED = "moved"
    CONVERTED = "converted"
    INTERRUPTED = "interrupted"
    CANCELLED_AGREEMENT = "cancelled_agreement"
    CANCELLED_DECISION = "cancelled_decision"
    REJECTED = "rejected"


class TestKind(StrEnum):
    """Fagprøve, svenneprøve, or kompetanseprøve for a training candidate."""

    __test__ = False  # not a pytest test class

    FAGPROVE = "fagprove"
    SVENNEPROVE = "svenneprove"
    KOMPETANSEPROVE = "kompetanseprove"


class TestResult(StrEnum):
    """The grade of a trade test; 'bestått' (either kind) cannot be appealed."""

    __test__ = False

    BESTATT_MEGET_GODT = "bestatt_meget_godt"
    BESTATT = "bestatt"
    IKKE_BESTATT = "ikke_bestatt"


class AppealOutcome(StrEnum):
    """What the appeal board decided (same values as tradetest.appeal_decision)."""

    UPHELD = "upheld"
    CHANGED = "changed"
    NEW_TEST = "new_test"


def check_in(
    column: str, values: type[StrEnum] | Iterable[str], name: str, *, nullable: bool = False
) -> CheckConstraint:
    """A named CHECK constraint that keeps `column` inside a value set."""
    allowed = ", ".join(f"'{v}'" for v in (v.value if isinstance(v, StrEnum) else v for v in values))
    condition = f"{column} IN ({allowed})"
    if nullable:
        condition = f"{column} IS NULL OR {condition}"
    return CheckConstraint(condition, name=name)


def utcnow() -> datetime:
    """The current time, timezone-aware UTC (the engine's UTCDateTime refuses naive values)."""
    return datetime.now(UTC)


Record = TypeVar("Record", bound=EngineBase)


def upsert(
    session: Session, model: type[Record], key: Mapping[str, Any], values: Mapping[str, Any]
) -> tuple[Record, str]:
    """Find the row with `key` and bring it to `values`; create it if missing.

    Returns the row and what happened: "created", "updated" or "unchanged" — so loaders can report
    that a second run changed nothing.
    """
    row = session.scalars(select(model).filter_by(**key)).one_or_none()
    if row is None:
        row = model(**key, **values)
        session.add(row)
        session.flush()
        return row, "created"
    changed = False
    for attr, value in values.items():
        if getattr(row, attr) != value:
            setattr(row, attr, value)
            changed = True
    if changed:
        session.flush()
    return row, "updated" if changed else "unchanged"
