"""Reference data shipped with Fagflyt: the 15 counties since 2024 and the trades of domain.md §4.

`load_reference_data(session)` is idempotent: it upserts by key (county number, trade code), so a second
run changes nothing. Names, codes and curriculum facts belong to this file and are brought up to date on
every run; a county's contact e-mail and signing deadline belong to the installation and are only set
when the county is first created.

Trade codes: SOA03-01, ITD03-01, MDF03-01 (LK20) and KAD3-01, ISF3-01 (LK06) are confirmed against Udir
and vilbli.no. The other codes follow the LK20 pattern (three letters + "03-01") and are marked
"code to verify": check them on https://www.udir.no/lk20/<code> before relying on them.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from sqlalchemy import select
from sqlalchemy.orm import Session

from workflows.records import County, Curriculum, Trade, upsert

LK20_VG3_START = date(2022, 8, 1)  # LK20 Vg3 / opplæring i bedrift took effect from the 2022–23 school year


@dataclass(frozen=True)
class CountyData:
    """One county as shipped."""

    number: str
    name: str


@dataclass(frozen=True)
class TradeData:
    """One trade as shipped."""

    code: str
    name_nb: str
    curriculum: Curriculum
    valid_from: date | None = None
    valid_to: date | None = None
    replaced_by: str | None = None
    standard_months: int = 24


# The counties since 1 January 2024, by official county number (regjeringen.no, "Fylkesinndelingen fra 2024").
COUNTIES: tuple[CountyData, ...] = (
    CountyData("03", "Oslo"),
    CountyData("11", "Rogaland"),
    CountyData("15", "Møre og Romsdal"),
    CountyData("18", "Nordland"),
    CountyData("31", "Østfold"),
    CountyData("32", "Akershus"),
    CountyData("33", "Buskerud"),
    CountyData("34", "Innlandet"),
    CountyData("39", "Vestfold"),
    CountyData("40", "Telemark"),
    CountyData("42", "Agder"),
    CountyData("46", "Vestland"),
    CountyData("50", "Trøndelag"),
    CountyData("55", "Troms"),
    CountyData("56", "Finnmark"),
)

LK20 = Curriculum.LK20
LK06 = Curriculum.LK06

TRADES: tuple[TradeData, ...] = (
    # Office and IT (OK stat's trades, seed 004).
    TradeData("SOA03-01", "Service- og administrasjonsfaget", LK20, LK20_VG3_START),
    TradeData("KAD3-01", "Kontor- og administrasjonsfaget", LK06, None, date(2023, 7, 31), replaced_by="SOA03-01"),
    TradeData("ITD03-01", "IT-driftsfaget", LK20, LK20_VG3_START),
    TradeData("IUT03-01", "IT-utviklerfaget", LK20, LK20_VG3_START),  # code to verify
    # IKT-servicefaget was replaced by both IT-driftsfaget and IT-utviklerfaget; one successor is stored,
    # IT-driftsfaget, the one that covers IKT-servicefaget's operations and user support.
    TradeData("ISF3-01", "IKT-servicefaget", LK06, date(2008, 8, 1), date(2022, 7, 31), replaced_by="ITD03-01"),
    TradeData("SIK03-01", "Sikkerhetsfaget", LK20, LK20_VG3_START),  # code to verify
    # Health and childhood.
    TradeData("HEA03-01", "Helsearbeiderfaget", LK20, LK20_VG3_START),  # code to verify
    TradeData("BUA03-01", "Barne- og ungdomsarbeiderfaget", LK20, LK20_VG3_START),  # code to verify
    TradeData("AKT03-01", "Aktivitørfaget", LK20, LK20_VG3_START),  # code to verify
    # Technical and practical trades.
    TradeData("DEL03-01", "Dataelektronikerfaget", LK20, LK20_VG3_START),  # code to verify
    TradeData("LAB03-01", "Laboratoriefaget", LK20, LK20_VG3_START),  # code to verify
    TradeData("HOV03-01", "Hovslagerfaget", LK20, LK20_VG3_START),  # code to verify
    TradeData("BDK03-01", "Blomsterdekoratørfaget", LK20, LK20_VG3_START),  # code to verify
    TradeData("AMF03-01", "Anleggsmaskinførerfaget", LK20, LK20_VG3_START),  # code to verify
    TradeData("BDR03-01", "Byggdrifterfaget", LK20, LK20_VG3_START),  # code to verify
    # Media: LK20 replaced the LK06 media trades with three (mediegrafiker -> mediedesign,
    # fotograf -> medieproduksjon, film- og videoteknikk -> medieteknikk).
    TradeData("MDF03-01", "Mediedesignfaget", LK20, LK20_VG3_START),
    TradeData("MPR03-01", "Medieproduksjonsfaget", LK20, LK20_VG3_START),  # code to verify
    TradeData("MTE03-01", "Medieteknikkfaget", LK20, LK20_VG3_START),  # code to verify
    TradeData("MGR3-01", "Mediegrafikerfaget", LK06, None, date(2022, 7, 31), replaced_by="MDF03-01"),  # code to verify
)


@dataclass
class LoadSummary:
    """What a loader did: rows created, updated and left unchanged, per table."""

    created: dict[str, int] = field(default_factory=dict)
    updated: dict[str, int] = field(default_factory=dict)
    unchanged: dict[str, int] = field(default_factory=dict)

    def count(self, table: str, outcome: str) -> None:
        """Record one row's outcome ("created", "updated" or "unchanged")."""
        bucket = getattr(self, outcome)
        bucket[table] = bucket.get(table, 0) + 1

    @property
    def changed(self) -> int:
        """Rows created or updated."""
        return sum(self.created.values()) + sum(self.updated.values())


def load_reference_data(session: Session) -> LoadSummary:
    """Upsert the counties and trades; the caller commits. Running it twice changes nothing."""
    summary = LoadSummary()
    for county in COUNTIES:
        existing = session.get(County, county.number)
        if existing is None:
            session.add(County(number=county.number, name=county.name, signing_deadline_days=14))
            summary.count("county", "created")
        elif existing.name != county.name:
            existing.name = county.name
            summary.count("county", "updated")
        else:
            summary.count("county", "unchanged")
    session.flush()
    # Two passes, so a trade's successor exists before it is referenced.
    outcomes: dict[str, str] = {}
    for trade in TRADES:
        values = {"name_nb": trade.name_nb, "curriculum": trade.curriculum.value, "valid_from": trade.valid_from,
                  "valid_to": trade.valid_to, "standard_months": trade.standard_months}
        _, outcomes[trade.code] = upsert(session, Trade, {"code": trade.code}, values)
    for trade in TRADES:
        row = session.get(Trade, trade.code)
        assert row is not None
        if row.replaced_by != trade.replaced_by:
            row.replaced_by = trade.replaced_by
            if outcomes[trade.code] == "unchanged":
                outcomes[trade.code] = "updated"
    session.flush()
    for outcome in outcomes.values():
        summary.count("trade", outcome)
    return summary


def county_choices(session: Session) -> list[tuple[str, str]]:
    """(number, name) of every county, by number: the choices of a form's county field."""
    return [(c.number, c.name) for c in session.scalars(select(County).order_by(County.number))]


def trade_choices(session: Session, on: date) -> list[tuple[str, str]]:
    """(code, "name (code)") of the trades a new contract may use on day `on`, by name."""
    trades = session.scalars(select(Trade).order_by(Trade.name_nb)).all()
    return [(t.code, f"{t.name_nb} ({t.code})") for t in trades if t.is_valid_on(on)]


def successor(session: Session, code: str) -> Trade | None:
    """The trade in force that replaced `code`, following the chain (None if the trade is current)."""
    seen: set[str] = set()
    trade = session.get(Trade, code)
    while trade is not None and trade.replaced_by and trade.code not in seen:
        seen.add(trade.code)
        trade = session.get(Trade, trade.replaced_by)
    return trade if trade is not None and trade.code != code else None
