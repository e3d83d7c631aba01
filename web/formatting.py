"""Template filters: dates and times in Norway's time zone, masked national ids, due-date states."""

from __future__ import annotations

from datetime import date, datetime
from zoneinfo import ZoneInfo

from flask import Flask
from flask_babel import format_date, format_datetime

from forms.validators import mask_fnr

OSLO = ZoneInfo("Europe/Oslo")


def as_datetime(value: datetime | None) -> str:
    """A moment as local date and time ("21.11.2026 14:05" in bokmål)."""
    if value is None:
        return ""
    return format_datetime(value, "short")


def as_date(value: date | datetime | str | None) -> str:
    """A date (or the local date of a moment, or an ISO string) in the user's format."""
    if value is None or value == "":
        return ""
    if isinstance(value, str):
        try:
            value = date.fromisoformat(value[:10])
        except ValueError:
            return value
    if isinstance(value, datetime):
        value = value.astimezone(OSLO).date()
    return format_date(value, "medium")


def masked(value: str | None) -> str:
    """A national id with only the birth date shown (lists and history never show it whole)."""
    return mask_fnr(value) if value else ""


def init_app(app: Flask) -> None:
    """Register the filters."""
    app.add_template_filter(as_datetime, "datetime")
    app.add_template_filter(as_date, "date")
    app.add_template_filter(masked, "masked")
