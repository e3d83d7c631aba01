"""Plain validation functions, written once and used by both the HTML and the API path.

Each `validate_*`/`check_*` function returns the cleaned value or raises `FieldError`, whose
`message(locale)` gives Norwegian bokmål or English text.
"""

from __future__ import annotations

import calendar
import datetime as dt
import re
from decimal import Decimal
from typing import Literal

from stdnum import exceptions as stdnum_errors
from stdnum.no import fodselsnummer, orgnr

from .errors import FieldError

FnrScheme = Literal["classic", "2032"]

_K1_WEIGHTS_WITH_CHECK = (3, 7, 6, 1, 8, 9, 4, 5, 2, 1)
_EMAIL = re.compile(r"^[^@\s]+@[^@\s.]+(\.[^@\s.]+)+$")
_PHONE_SEPARATORS = re.compile(r"[\s\-().]")


def _fnr_checksum_ok(number: str, scheme: FnrScheme) -> bool:
    """Check both check digits; the 2032 scheme lets K1 leave a remainder of 0–3 (domain.md §3)."""
    if number[10] != fodselsnummer.calc_check_digit2(number):
        return False
    if scheme == "classic":
        return number[9] == fodselsnummer.calc_check_digit1(number)
    weighted = sum(w * int(d) for w, d in zip(_K1_WEIGHTS_WITH_CHECK, number, strict=False))
    return weighted % 11 in (0, 1, 2, 3)


def _birth_date(number: str) -> dt.date:
    """Birth date of a checked number; D-numbers (day + 40) and synthetic numbers (month + 80)."""
    month = int(number[2:4])
    if month > 80:
        number = f"{number[:2]}{month - 80:02d}{number[4:]}"
    try:
        return fodselsnummer.get_birth_date(number)
    except stdnum_errors.ValidationError:
        raise FieldError("fnr_birth_date") from None


def _checked_fnr(value: object, scheme: FnrScheme) -> str:
    """Compact the number and check its length, digits and check digits."""
    if not isinstance(value, str):
        raise FieldError("fnr_format")
    number = fodselsnummer.compact(value)
    if not number.isascii() or not number.isdigit():
        raise FieldError("fnr_format")
    if len(number) != 11:
        raise FieldError("fnr_length")
    if not _fnr_checksum_ok(number, scheme):
        raise FieldError("fnr_checksum")
    return number


def validate_fnr(
    value: object,
    *,
    allow_synthetic: bool = False,
    scheme: FnrScheme = "classic",
    today: dt.date | None = None,
) -> str:
    """Return the compact fødselsnummer or D-number; reject H-, FH- and (by default) synthetic numbers."""
    number = _checked_fnr(value, scheme)
    day, month = int(number[:2]), int(number[2:4])
    if day >= 80:
        raise FieldError("fnr_fh_number")
    if 40 < month <= 52:
        raise FieldError("fnr_h_number")
    if month > 80 and not allow_synthetic:
        raise FieldError("fnr_synthetic")
    if _birth_date(number) > (today or dt.date.today()):
        raise FieldError("fnr_future")
    return number


def birth_date_from_fnr(value: object, *, scheme: FnrScheme = "classic") -> dt.date:
    """Return the date of birth in a fødselsnummer, D-number or synthetic number (checked digits)."""
    number = _checked_fnr(value, scheme)
    if int(number[:2]) >= 80:
        raise FieldError("fnr_fh_number")
    if 40 < int(number[2:4]) <= 52:
        raise FieldError("fnr_h_number")
    return _birth_date(number)


def age_on(birth_date: dt.date, day: dt.date) -> int:
    """Return the age in completed years on `day`."""
    return day.year - birth_date.year - ((day.month, day.day) < (birth_date.month, birth_date.day))


def mask_fnr(value: object) -> str:
    """Mask all but the birth-date part: '31129956715' -> '311299*****' (for lists and logs)."""
    if value is None:
        return ""
    text = re.sub(r"[\s\-.:]", "", str(value))
    return text[:6] + "*" * (len(text) - 6) if len(text) > 6 else "*" * len(text)


def validate_orgnr(value: object) -> str:
    """Return the compact organisasjonsnummer (9 digits, mod-11 check digit)."""
    if not isinstance(value, str):
        raise FieldError("orgnr_format")
    try:
        return orgnr.validate(value)
    except stdnum_errors.InvalidLength:
        raise FieldError("orgnr_length") from None
    except stdnum_errors.InvalidChecksum:
        raise FieldError("orgnr_checksum") from None
    except stdnum_errors.ValidationError:
        raise FieldError("orgnr_format") from None


def validate_email(value: str) -> str:
    """Return the trimmed e-mail address if it looks like one (one @, a dotted domain)."""
    value = value.strip()
    if len(value) > 254 or not _EMAIL.match(value):
        raise FieldError("invalid_email")
    return value


def validate_phone(value: str) -> str:
    """Return a phone number as +<digits>; 8 digits without a country code are taken as Norwegian."""
    digits = _PHONE_SEPARATORS.sub("", value)
    if digits.startswith("00"):
        digits = "+" + digits[2:]
    if re.fullmatch(r"\d{8}", digits):
        return "+47" + digits
    if re.fullmatch(r"\+\d{8,15}", digits):
        return digits
    raise FieldError("invalid_phone")


def check_range(value: int | Decimal, minimum: int | Decimal | None, maximum: int | Decimal | None) -> None:
    """Raise unless minimum <= value <= maximum (either bound may be None)."""
    if minimum is not None and value < minimum:
        raise FieldError("min_value", min=minimum)
    if maximum is not None and value > maximum:
        raise FieldError("max_value", max=maximum)


def check_date_range(
    value: dt.date, minimum: dt.date | None, maximum: dt.date | None, *, max_is_today: bool = False
) -> None:
    """Raise unless minimum <= value <= maximum; `max_is_today` gives the 'not in the future' message."""
    if minimum is not None and value < minimum:
        raise FieldError("date_min", min=minimum)
    if maximum is not None and value > maximum:
        raise FieldError("date_in_future" if max_is_today else "date_max", max=maximum)


def check_max_length(value: str, max_length: int | None) -> None:
    """Raise if the text is longer than max_length characters."""
    if max_length is not None and len(value) > max_length:
        raise FieldError("too_long", max=max_length)


def check_must_be_true(value: bool | None) -> None:
    """Raise unless the checkbox is ticked."""
    if value is not True:
        raise FieldError("must_be_true")


def add_months(day: dt.date, months: int) -> dt.date:
    """Add (or subtract) calendar months, clamping to the last day of the month (31 Aug - 2 = 30 Jun)."""
    index = day.year * 12 + day.month - 1 + months
    year, month = divmod(index, 12)
    last = calendar.monthrange(year, month + 1)[1]
    return dt.date(year, month + 1, min(day.day, last))


def shift_date(day: dt.date, *, months: int = 0, weeks: int = 0, days: int = 0) -> dt.date:
    """Shift a date by calendar months, then weeks and days."""
    return add_months(day, months) + dt.timedelta(weeks=weeks, days=days)
