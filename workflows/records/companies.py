"""The training office, its member companies and the county approvals both need per trade."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal

from sqlalchemy import CheckConstraint, ForeignKey, Index, Numeric, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from engine.models import EngineBase

from .base import ApprovalStatus, MembershipStatus, Sector, check_in, utcnow
from .reference import County, Trade


class TrainingOffice(EngineBase):
    """An opplæringskontor: signs the contracts and carries the legal responsibility for them."""

    __tablename__ = "training_office"
    __table_args__ = (
        CheckConstraint("subsidy_share_percent >= 0 AND subsidy_share_percent <= 100", name="ck_office_subsidy_share"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    orgnr: Mapped[str] = mapped_column(String(9), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    manager_name: Mapped[str] = mapped_column(String(200))
    manager_email: Mapped[str] = mapped_column(String(254))
    # Share of the lærlingtilskudd the office keeps before passing the rest on (40 % in seed 000).
    subsidy_share_percent: Mapped[Decimal] = mapped_column(Numeric(5, 2), default=Decimal("0"))
    fte: Mapped[Decimal | None] = mapped_column(Numeric(4, 1))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    approvals: Mapped[list[OfficeApproval]] = relationship(
        back_populates="office", cascade="all, delete-orphan", order_by="OfficeApproval.id")
    members: Mapped[list[MemberCompany]] = relationship(back_populates="office", order_by="MemberCompany.name")

    def approved_trades(self, county_number: str) -> set[str]:
        """Codes of the trades the office is approved for in one county."""
        return {a.trade_code for a in self.approvals
                if a.county_number == county_number and a.status == ApprovalStatus.APPROVED}

    def __repr__(self) -> str:
        return f"<TrainingOffice {self.orgnr} {self.name}>"


class OfficeApproval(EngineBase):
    """The county's approval of the office in one trade (an office can be approved in several counties)."""

    __tablename__ = "office_approval"
    __table_args__ = (
        UniqueConstraint("office_id", "county_number", "trade_code", name="uq_office_approval"),
        check_in("status", ApprovalStatus, "ck_office_approval_status"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    office_id: Mapped[int] = mapped_column(ForeignKey("training_office.id", ondelete="CASCADE"), index=True)
    county_number: Mapped[str] = mapped_column(ForeignKey("county.number"))
    trade_code: Mapped[str] = mapped_column(ForeignKey("trade.code"))
    status: Mapped[str] = mapped_column(String(20), default=ApprovalStatus.APPROVED.value)
    approved_on: Mapped[date | None]
    decision_ref: Mapped[str | None] = mapped_column(String(100))

    office: Mapped[TrainingOffice] = relationship(back_populates="approvals")
    county: Mapped[County] = relationship()
    trade: Mapped[Trade] = relationship()


class MemberCompany(EngineBase):
    """A member company (lærebedrift): the employer and the place of training.

    One row per legal unit per office; `subunit_orgnr` is the sub-unit (underenhet) where the training
    happens, whose address must lie in the approving county.
    """

    __tablename__ = "member_company"
    __table_args__ = (
        UniqueConstraint("office_id", "orgnr", name="uq_member_company_orgnr"),
        check_in("sector", Sector, "ck_member_company_sector"),
        check_in("membership_status", MembershipStatus, "ck_member_company_status"),
        Index("ix_member_company_status", "office_id", "membership_status"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    office_id: Mapped[int] = mapped_column(ForeignKey("training_office.id"))
    orgnr: Mapped[str] = mapped_column(String(9), index=True)
    subunit_orgnr: Mapped[str | None] = mapped_column(String(9), index=True)
    name: Mapped[str] = mapped_column(String(200), index=True)
    street_address: Mapped[str] = mapped_column(String(200), default="")
    postal_code: Mapped[str] = mapped_column(String(4), default="")
    postal_place: Mapped[str] = mapped_column(String(100), default="")
    municipality: Mapped[str] = mapped_column(String(100), default="")
    county_number: Mapped[str] = mapped_column(ForeignKey("county.number"), index=True)
    sector: Mapped[str] = mapped_column(String(20), default=Sector.PRIVATE.value)
    collective_agreement: Mapped[str | None] = mapped_column(String(200))
    membership_status: Mapped[str] = mapped_column(String(20), default=MembershipStatus.LEAD.value)
    agreement_signed_on: Mapped[date | None]
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    office: Mapped[TrainingOffice] = relationship(back_populates="members")
    county: Mapped[County] = relationship()
    trade_approvals: Mapped[list[TradeApproval]] = relationship(
        back_populates="company", cascade="all, delete-orphan", order_by="TradeApproval.id")

    def is_approved_in(self, trade_code: str, county_number: str | None = None) -> bool:
        """Whether the county has approved the company in the trade (pre-check of contract signing)."""
        county = county_number or self.county_number
        return any(a.trade_code == trade_code and a.county_number == county and a.status == ApprovalStatus.APPROVED
                   for a in self.trade_approvals)

    def __repr__(self) -> str:
        return f"<MemberCompany {self.orgnr} {self.name}>"


class TradeApproval(EngineBase):
    """The county's approval of a member company in one trade ("godkjent lærebedrift")."""

    __tablename__ = "trade_approval"
    __table_args__ = (
        UniqueConstraint("company_id", "trade_code", "county_number", name="uq_trade_approval"),
        check_in("status", ApprovalStatus, "ck_trade_approval_status"),
        CheckConstraint("status <> 'approved' OR approved_on IS NOT NULL", name="ck_trade_approval_date"),
        Index("ix_trade_approval_trade", "trade_code", "county_number", "status"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    company_id: Mapped[int] = mapped_column(ForeignKey("member_company.id", ondelete="CASCADE"), index=True)
    trade_code: Mapped[str] = mapped_column(ForeignKey("trade.code"))
    county_number: Mapped[str] = mapped_column(ForeignKey("county.number"))
    status: Mapped[str] = mapped_column(String(20), default=ApprovalStatus.APPLIED.value)
    applied_on: Mapped[date | None]
    approved_on: Mapped[date | None]
    decision_ref: Mapped[str | None] = mapped_column(String(100))

    company: Mapped[MemberCompany] = relationship(back_populates="trade_approvals")
    trade: Mapped[Trade] = relationship()
