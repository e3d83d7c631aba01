"""Turn one raw value (an HTML form string or a JSON value) into a checked Python value.

HTML gives strings (and lists for multi-selects); JSON gives strings, numbers, booleans and lists.
Both go through the same functions here, so both paths clean a value the same way.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable, Mapping
from decimal import Decimal, InvalidOperation
from typing import Any

from .errors import FieldError
from .model import FieldDefinition
from .validators import (
    check_date_range,
    check_max_length,
    check_must_be_true,
    check_range,
    validate_email,
    validate_fnr,
    validate_orgnr,
    validate_phone,
)

DEFAULT_MAX_LENGTH = {"text": 200, "textarea": 4000, "email": 254, "phone": 30}
_TRUE = {"y", "yes", "true", "on", "1", "ja"}
_FALSE = {"", "n", "no", "false", "off", "0", "nei"}
_ISO_DATE = re.compile(r"^(\d{4})-(\d{2})-(\d{2})$")
_NB_DATE = re.compile(r"^(\d{1,2})\.(\d{1,2})\.(\d{4})$")
_INTEGER = re.compile(r"^[+-]?\d{1,15}$")
_DECIMAL = re.compile(r"^[+-]?\d{1,15}([.,]\d{1,10})?$")
_SAFE_CODE = re.compile(r"^[A-Za-z0-9_.:\-]{1,64}$")


def is_empty(value: Any) -> bool:
    """Whether a raw or cleaned value counts as not filled in."""
    return value is None or value == [] or (isinstance(value, str) and not value.strip())


def today(context: Mapping[str, Any]) -> dt.date:
    """The date to compare 'today' against: context['today'] if given (tests, clock), else the system date."""
    value = context.get("today")
    return value if isinstance(value, dt.date) else dt.date.today()


def bound(value: Any, context: Mapping[str, Any]) -> Any:
    """Resolve a min/max bound; the string 'today' becomes today's date."""
    return today(context) if value == "today" else value


def parse_date(value: Any) -> dt.date:
    """Read a date from a date object, 'YYYY-MM-DD' or 'dd.mm.yyyy' (years 1900–2100)."""
    if isinstance(value, dt.datetime) or not isinstance(value, dt.date | str):
        raise FieldError("invalid_date")
    if isinstance(value, str):
        text = value.strip()
        if match := _ISO_DATE.match(text):
            year, month, day = (int(g) for g in match.groups())
        elif match := _NB_DATE.match(text):
            day, month, year = (int(g) for g in match.groups())
        else:
            raise FieldError("invalid_date")
        try:
            value = dt.date(year, month, day)
        except ValueError:
            raise FieldError("invalid_date") from None
    if not 1900 <= value.year <= 2100:
        raise FieldError("invalid_date")
    return value


def _text(field: FieldDefinition, value: Any) -> str | None:
    if not isinstance(value, str):
        raise FieldError("invalid_text")
    text = value.replace("\r\n", "\n").strip()
    if not text:
        return None
    check_max_length(text, field.max_length or DEFAULT_MAX_LENGTH.get(field.type, 200))
    return text


def _integer(value: Any) -> int:
    if isinstance(value, bool):
        raise FieldError("invalid_integer")
    if isinstance(value, int):
        return value
    if isinstance(value, float) and value.is_integer():
        return int(value)
    if isinstance(value, str) and _INTEGER.match(value.strip().replace(" ", "")):
        return int(value.strip().replace(" ", ""))
    raise FieldError("invalid_integer")


def _decimal(value: Any) -> Decimal:
    if isinstance(value, bool):
        raise FieldError("invalid_decimal")
    if isinstance(value, int | float):
        value = str(value)
    if isinstance(value, str) and _DECIMAL.match(value.strip().replace(" ", "")):
        try:
            return Decimal(value.strip().replace(" ", "").replace(",", "."))
        except InvalidOperation:
            pass
    raise FieldError("invalid_decimal")


def _boolean(value: Any) -> bool:
    if value is None or isinstance(value, bool):
        return bool(value)
    if isinstance(value, str) and value.strip().lower() in _TRUE | _FALSE:
        return value.strip().lower() in _TRUE
    raise FieldError("invalid_boolean")


def _one_choice(value: Any, allowed: list[str] | None, code: str) -> str:
    if not isinstance(value, str):
        raise FieldError(code)
    value = value.strip()
    if allowed is None:
        if not _SAFE_CODE.match(value):
            raise FieldError(code)
    elif value not in allowed:
        raise FieldError(code)
    return value


def _choices(value: Any, allowed: list[str] | None) -> list[str]:
    items = [value] if isinstance(value, str) else value
    if not isinstance(items, list | tuple):
        raise FieldError("invalid_choices")
    picked = [_one_choice(item, allowed, "invalid_choices") for item in items if not is_empty(item)]
    unique = list(dict.fromkeys(picked))
    return sorted(unique, key=allowed.index) if allowed is not None else unique


def coerce_value(
    field: FieldDefinition,
    raw: Any,
    allowed: list[str] | None,
    context: Mapping[str, Any],
) -> Any:
    """Return the cleaned value of one field (None or [] when empty) or raise FieldError.

    `allowed` lists the valid choice values (None: choices come from a provider that was not given,
    so any safe code is accepted). Required-ness and visibility are decided by the caller.
    """
    if field.type == "boolean":
        value = _boolean(raw)
        if field.must_be_true:
            check_must_be_true(value)
        return value
    if field.is_multi:
        return [] if raw is None else _choices(raw, allowed)
    if isinstance(raw, list):  # an HTML field sent twice, or a JSON list for a single value
        raw = raw[0] if len(raw) == 1 else object()
    if is_empty(raw):
        return None
    converters: dict[str, Callable[[], Any]] = {
        "integer": lambda: _integer(raw),
        "decimal": lambda: _decimal(raw),
        "date": lambda: parse_date(raw),
        "email": lambda: validate_email(_text(field, raw) or ""),
        "phone": lambda: validate_phone(_text(field, raw) or ""),
        "fnr": lambda: validate_fnr(
            raw, allow_synthetic=bool(context.get("allow_synthetic_fnr")), today=today(context)
        ),
        "orgnr": lambda: validate_orgnr(raw),
        "choice": lambda: _one_choice(raw, allowed, "invalid_choice"),
    }
    convert = converters.get(field.type)
    if convert is None:
        if field.source is not None:
            return _one_choice(raw, allowed, "invalid_choice")
        return _text(field, raw)
    value = convert()
    if field.type in ("integer", "decimal"):
        check_range(value, field.min, field.max)
    elif field.type == "date":
        maximum = bound(field.max, context)
        check_date_range(value, bound(field.min, context), maximum, max_is_today=field.max == "today")
    return value
