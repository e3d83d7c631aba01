"""Reference data: the 15 counties of 2024 and the trades of domain.md §4, loaded idempotently."""

from __future__ import annotations

import re
from datetime import date

from sqlalchemy import func, select

from workflows.records import County, Trade
from workflows.reference_data import COUNTIES, TRADES, county_choices, load_reference_data, successor, trade_choices

COUNTIES_2024 = {
    "03": "Oslo", "11": "Rogaland", "15": "Møre og Romsdal", "18": "Nordland", "31": "Østfold", "32": "Akershus",
    "33": "Buskerud", "34": "Innlandet", "39": "Vestfold", "40": "Telemark", "42": "Agder", "46": "Vestland",
    "50": "Trøndelag", "55": "Troms", "56": "Finnmark",
}
DOMAIN_TRADES = {
    "Service- og administrasjonsfaget", "Kontor- og administrasjonsfaget", "IKT-servicefaget", "IT-driftsfaget",
    "IT-utviklerfaget", "Sikkerhetsfaget", "Helsearbeiderfaget", "Barne- og ungdomsarbeiderfaget",
    "Dataelektronikerfaget", "Laboratoriefaget", "Hovslagerfaget", "Blomsterdekoratørfaget",
    "Anleggsmaskinførerfaget", "Aktivitørfaget", "Byggdrifterfaget", "Mediegrafikerfaget",
    "Mediedesignfaget", "Medieproduksjonsfaget", "Medieteknikkfaget",
}


def snapshot(session) -> list[tuple]:
    counties = [(c.number, c.name, c.contact_email, c.signing_deadline_days)
                for c in session.scalars(select(County).order_by(County.number))]
    trades = [(t.code, t.name_nb, t.curriculum, t.valid_from, t.valid_to, t.replaced_by, t.standard_months)
              for t in session.scalars(select(Trade).order_by(Trade.code))]
    return counties + trades


def test_the_fifteen_counties_of_2024_with_official_numbers(records_session):
    load_reference_data(records_session)
    assert dict(county_choices(records_session)) == COUNTIES_2024
    assert {c.signing_deadline_days for c in records_session.scalars(select(County))} == {14}


def test_every_trade_of_the_domain_is_there(records_session):
    load_reference_data(records_session)
    names = set(records_session.scalars(select(Trade.name_nb)))
    assert names == DOMAIN_TRADES


def test_trade_codes_follow_the_curriculum_pattern(records_session):
    load_reference_data(records_session)
    for trade in records_session.scalars(select(Trade)):
        pattern = r"[A-Z]{3}03-0\d" if trade.curriculum == "LK20" else r"[A-Z]{3}3-0\d"
        assert re.fullmatch(pattern, trade.code), trade.code


def test_old_trades_end_and_point_at_their_successors(records_session):
    load_reference_data(records_session)
    kad = records_session.get(Trade, "KAD3-01")
    assert (kad.curriculum, kad.valid_to, kad.replaced_by) == ("LK06", date(2023, 7, 31), "SOA03-01")
    isf = records_session.get(Trade, "ISF3-01")
    assert (isf.curriculum, isf.valid_to, isf.replaced_by) == ("LK06", date(2022, 7, 31), "ITD03-01")
    soa = records_session.get(Trade, "SOA03-01")
    assert (soa.name_nb, soa.curriculum, soa.valid_to, soa.standard_months) == (
        "Service- og administrasjonsfaget", "LK20", None, 24)
    assert successor(records_session, "KAD3-01").code == "SOA03-01"
    assert successor(records_session, "SOA03-01") is None


def test_trade_choices_follow_the_validity_dates(records_session):
    load_reference_data(records_session)
    in_2024 = dict(trade_choices(records_session, date(2024, 1, 1)))
    assert "SOA03-01" in in_2024 and "ITD03-01" in in_2024
    assert "KAD3-01" not in in_2024 and "ISF3-01" not in in_2024
    in_2021 = dict(trade_choices(records_session, date(2021, 1, 1)))
    assert "ISF3-01" in in_2021 and "SOA03-01" not in in_2021
    assert in_2024["SOA03-01"] == "Service- og administrasjonsfaget (SOA03-01)"


def test_loading_twice_changes_nothing(session_factory):
    with session_factory() as s, s.begin():
        first = load_reference_data(s)
    assert first.created == {"county": 15, "trade": len(TRADES)}
    with session_factory() as s:
        before = snapshot(s)
    with session_factory() as s, s.begin():
        second = load_reference_data(s)
    assert second.changed == 0
    assert second.unchanged == {"county": 15, "trade": len(TRADES)}
    with session_factory() as s:
        assert snapshot(s) == before
        assert s.scalar(select(func.count()).select_from(County)) == len(COUNTIES)


def test_reloading_restores_shipped_facts_but_keeps_installation_settings(session_factory):
    with session_factory() as s, s.begin():
        load_reference_data(s)
        oslo = s.get(County, "03")
        oslo.name, oslo.contact_email, oslo.signing_deadline_days = "Christiania", "fag@oslo.example.no", 21
        s.get(Trade, "KAD3-01").replaced_by = None
    with session_factory() as s, s.begin():
        summary = load_reference_data(s)
    assert summary.updated == {"county": 1, "trade": 1}
    with session_factory() as s:
        oslo = s.get(County, "03")
        assert (oslo.name, oslo.contact_email, oslo.signing_deadline_days) == ("Oslo", "fag@oslo.example.no", 21)
        assert s.get(Trade, "KAD3-01").replaced_by == "SOA03-01"
