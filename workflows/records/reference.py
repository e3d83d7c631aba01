"""Reference records: counties (fylkeskommuner) and trades (lærefag) with their curriculum codes."""

from __future__ import annotations

from datetime import date

from sqlalchemy import CheckConstraint, ForeignKey, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from engine.models import EngineBase

from .base import Curriculum, check_in


class County(EngineBase):
    """A county authority by its official county number (the 15 counties since 1 January 2024)."""

    __tablename__ = "county"
    __table_args__ = (CheckConstraint("signing_deadline_days > 0", name="ck_county_signing_deadline"),)

    number: Mapped[str] = mapped_column(String(2), primary_key=True)
    name: Mapped[str] = mapped_column(String(100), unique=True)
    # The fagopplæring section's address for contracts and applications; set per installation.
    contact_email: Mapped[str | None] = mapped_column(String(254))
    # Days the parties have to e-sign a contract before it expires (usually 14, domain.md §2.2).
    signing_deadline_days: Mapped[int] = mapped_column(Integer, default=14)

    def __repr__(self) -> str:
        return f"<County {self.number} {self.name}>"


class Trade(EngineBase):
    """A trade (lærefag) by its curriculum code, e.g. SOA03-01 (LK20) or KAD3-01 (LK06)."""

    __tablename__ = "trade"
    __table_args__ = (
        check_in("curriculum", Curriculum, "ck_trade_curriculum"),
        CheckConstraint("standard_months > 0", name="ck_trade_standard_months"),
        CheckConstraint("valid_to IS NULL OR valid_from IS NULL OR valid_to >= valid_from", name="ck_trade_validity"),
    )

    code: Mapped[str] = mapped_column(String(20), primary_key=True)
    name_nb: Mapped[str] = mapped_column(String(200), index=True)
    curriculum: Mapped[str] = mapped_column(String(4))
    valid_from: Mapped[date | None]
    # Last day a new contract may be signed in this trade; None while the curriculum is in force.
    valid_to: Mapped[date | None]
    # The trade that took over when this one was phased out (one successor; see reference_data.py).
    replaced_by: Mapped[str | None] = mapped_column(ForeignKey("trade.code"))
    # Standard training period in the company (læretid), usually 24 months.
    standard_months: Mapped[int] = mapped_column(Integer, default=24)

    def is_valid_on(self, day: date) -> bool:
        """Whether a new contract may start in this trade on `day`."""
        return (self.valid_from is None or self.valid_from <= day) and (self.valid_to is None or day <= self.valid_to)

    def __repr__(self) -> str:
        return f"<Trade {self.code} {self.name_nb}>"
