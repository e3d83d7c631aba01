"""Synthetic identities for demo and test data: never a real person's or organisation's number.

* `synthetic_fnr` makes Tenor-style synthetic fødselsnummer: the month is increased by 80, so no real
  person can have the number, yet both mod-11 check digits are valid (domain.md §3). The individual
  number follows the century rules (000–499 for 1900–1999, 500–999 for 2000–2039) and its last digit
  gives the gender (odd = male), as in a real number.
* `generated_orgnr` makes 9-digit organisation numbers with a valid mod-11 check digit. Enhetsregisteret
  issues numbers that start with 8 or 9; demo numbers start with 3, so they never name a real unit.

The check digits come from python-stdnum's own functions; a result of 10 means "no valid number with
these digits", so another individual number (or other digits) is drawn.
"""

from __future__ import annotations

import random
from datetime import date

from stdnum.no import fodselsnummer

SYNTHETIC_MONTH_OFFSET = 80
DEMO_ORGNR_FIRST_DIGIT = "3"
_ORGNR_WEIGHTS = (3, 2, 7, 6, 5, 4, 3, 2)


def _individual_range(year: int) -> tuple[int, int]:
    """The individual numbers a person born in `year` can have (the century rule of domain.md §3)."""
    if 1900 <= year <= 1999:
        return 0, 499
    if 2000 <= year <= 2039:
        return 500, 999
    raise ValueError(f"no synthetic fødselsnummer for birth year {year} (supported: 1900–2039)")


def synthetic_fnr(birth_date: date, rng: random.Random, *, female: bool | None = None) -> str:
    """A synthetic fødselsnummer (month + 80) for `birth_date` with valid check digits.

    `female` picks the gender digit (even for women, odd for men); None lets `rng` choose.
    """
    low, high = _individual_range(birth_date.year)
    prefix = f"{birth_date.day:02d}{birth_date.month + SYNTHETIC_MONTH_OFFSET:02d}{birth_date.year % 100:02d}"
    for _ in range(1000):
        individual = rng.randint(low, high)
        if female is not None:
            individual = individual - individual % 2 + (0 if female else 1)
        digits = f"{prefix}{individual:03d}"
        k1 = fodselsnummer.calc_check_digit1(digits)
        if k1 == "10":
            continue
        k2 = fodselsnummer.calc_check_digit2(digits + k1)
        if k2 == "10":
            continue
        return digits + k1 + k2
    raise RuntimeError("no valid individual number found")  # pragma: no cover - ~1/3 of draws succeed


def orgnr_check_digit(first_eight: str) -> int | None:
    """The mod-11 check digit of an organisation number, or None when the digits allow none (remainder 10)."""
    remainder = sum(w * int(d) for w, d in zip(_ORGNR_WEIGHTS, first_eight, strict=True)) % 11
    check = 11 - remainder
    if check == 11:
        return 0
    return None if check == 10 else check


def generated_orgnr(rng: random.Random) -> str:
    """A valid 9-digit organisation number that no real unit has (first digit 3; see the module doc)."""
    while True:
        first_eight = DEMO_ORGNR_FIRST_DIGIT + "".join(str(rng.randint(0, 9)) for _ in range(7))
        check = orgnr_check_digit(first_eight)
        if check is not None:
            return f"{first_eight}{check}"
