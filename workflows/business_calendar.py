"""Norway's business calendar: weekends and public holidays (from the maintained `holidays` package), for
deadlines counted in working days. Offered to process expressions as safe helpers."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from typing import Any

import holidays

from engine.expressions import SAFE_HELPERS

MAX_WORKING_DAYS = 3660  # ten years of working days: more is a modelling error, not a deadline


class BusinessCalendar:
    """Working days in Norway: Monday to Friday, except public holidays."""

    def __init__(self) -> None:
        self._holidays = holidays.Norway()

    def is_working_day(self, day: date) -> bool:
        """Whether `day` is a working day."""
        return day.weekday() < 5 and day not in self._holidays

    def add_working_days(self, start: date, days: int) -> date:
        """The date `days` working days after `start` (before it when negative); 0 gives the next working
        day on or after `start`."""
        if abs(days) > MAX_WORKING_DAYS:
            raise ValueError(f"at most {MAX_WORKING_DAYS} working days")
        step = -1 if days < 0 else 1
        current = start
        if days == 0:
            while not self.is_working_day(current):
                current += timedelta(days=1)
            return current
        remaining = abs(days)
        while remaining:
            current += timedelta(days=step)
            if self.is_working_day(current):
                remaining -= 1
        return current

    def working_days_between(self, start: date, end: date) -> int:
        """Working days after `start` up to and including `end` (negative when `end` is earlier)."""
        if end < start:
            return -self.working_days_between(end, start)
        if (end - start).days > MAX_WORKING_DAYS * 2:
            raise ValueError("the period is too long to count working days in")
        return sum(1 for n in range(1, (end - start).days + 1) if self.is_working_day(start + timedelta(days=n)))


CALENDAR = BusinessCalendar()


def _day(value: Any) -> date:
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    return SAFE_HELPERS["parse_date"](value)


def add_working_days(value: Any, days: int) -> date:
    """Expression helper: the date `days` working days after `value` (a date, datetime or ISO text)."""
    return CALENDAR.add_working_days(_day(value), int(days))


def is_working_day(value: Any) -> bool:
    """Expression helper: whether the day is a working day in Norway."""
    return CALENDAR.is_working_day(_day(value))


def working_days_between(start: Any, end: Any) -> int:
    """Expression helper: working days after `start` up to and including `end`."""
    return CALENDAR.working_days_between(_day(start), _day(end))


HELPERS = {"add_working_days": add_working_days, "is_working_day": is_working_day,
           "working_days_between": working_days_between}
