"""Demo data: synthetic identities and the OK stat office of seed 004 with its members and people.

Never real numbers: fødselsnummer are synthetic (month + 80) and organisation numbers start with 3.
Nothing here creates engine cases or contracts; `build_demo(today).placements` tell the processes which
apprentice to sign with which company.

| module | concern |
|---|---|
| `identity.py` | `synthetic_fnr`, `generated_orgnr` |
| `names.py` | names, streets, postal codes |
| `seed004.py` | the office and the companies of seed 004, the personas of domain.md §4 |
| `dataset.py`, `plan.py` | the data set as values (`build_demo`) |
| `loader.py` | `load_demo_people_and_companies(session, today)` |
"""

from __future__ import annotations

from .dataset import DEFAULT_SEED, DemoData, DemoPlacement, intake_date
from .identity import generated_orgnr, synthetic_fnr
from .loader import DemoSummary, load_demo_people_and_companies
from .plan import build_demo

__all__ = [
    "DEFAULT_SEED",
    "DemoData",
    "DemoPlacement",
    "DemoSummary",
    "build_demo",
    "generated_orgnr",
    "intake_date",
    "load_demo_people_and_companies",
    "synthetic_fnr",
]
