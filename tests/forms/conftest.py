"""Fixtures and small factories for the forms tests: no Flask app, fixed dates."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from werkzeug.datastructures import MultiDict

from forms import FormRegistry, load_registry

TODAY = dt.date(2025, 6, 2)
ADULT_FNR = "15030350003"  # born 15 March 2003
MINOR_FNR = "15030851215"  # born 15 March 2008
CONTEXT = {"today": TODAY}

TRADES = [("SOA03-01", "Service- og administrasjonsfaget"), ("ITD03-01", "IT-driftsfaget")]
COUNTIES = [("03", "Oslo"), ("32", "Akershus")]


def provider(source: str) -> list[tuple[str, str]]:
    """A choices provider like the one workflows/ will give: trades and counties."""
    return {"trade": TRADES, "county": COUNTIES, "company": [("974760673", "Statsbygg")]}[source]


@pytest.fixture(scope="session")
def registry() -> FormRegistry:
    """The shipped definitions."""
    return load_registry()


def contract_data(**overrides: Any) -> dict[str, Any]:
    """Valid JSON input for contract.draft: a 22-year-old apprentice, no guardian needed."""
    data: dict[str, Any] = {
        "contract_type": "laerekontrakt",
        "trade": "SOA03-01",
        "apprentice_fnr": ADULT_FNR,
        "apprentice_first_name": "Kari",
        "apprentice_last_name": "Nordmann",
        "apprentice_mobile": "912 34 567",
        "apprentice_email": "kari@example.no",
        "apprentice_address": "Storgata 1, 0155 Oslo",
        "company_orgnr": "123456785",
        "faglig_leder_name": "Per Hansen",
        "faglig_leder_birth_date": "1980-01-02",
        "faglig_leder_email": "per@example.no",
        "start_date": "2025-08-15",
        "end_date": "2027-08-14",
        "training_model": "model_2_2",
        "probation_months": 6,
        "credit_months": 0,
        "employment_contract_ref": "AA-2025-17",
        "responsibilities": "Bedriften gir opplæringen; opplæringskontoret følger opp.",
    }
    data.update(overrides)
    return {key: value for key, value in data.items() if value is not None}


def evaluation_data(**overrides: Any) -> dict[str, Any]:
    """Valid JSON input for followup.evaluation."""
    data: dict[str, Any] = {
        "period": "m09",
        "meeting_date": "2025-05-20",
        "participants": ["apprentice", "faglig_leder", "instructor"],
        "mastered": "Kundebehandling og arkivering.",
        "goals_next": "Budsjett og regnskap.",
        "absence_days": 2,
        "concern": False,
        "signed_faglig_leder": True,
        "signed_instructor": True,
        "signed_apprentice": True,
    }
    for area in ("planning", "execution", "documentation", "hms_quality", "cooperation"):
        data[f"{area}_status"] = "partly"
    data.update(overrides)
    return {key: value for key, value in data.items() if value is not None}


def as_formdata(data: dict[str, Any]) -> MultiDict:
    """What a browser would post for the same input: strings, ticked boxes as 'y', lists repeated."""
    pairs: list[tuple[str, str]] = []
    for key, value in data.items():
        if value is True:
            pairs.append((key, "y"))
        elif value is False or value is None:
            continue
        elif isinstance(value, list):
            pairs.extend((key, str(item)) for item in value)
        else:
            pairs.append((key, str(value)))
    return MultiDict(pairs)
