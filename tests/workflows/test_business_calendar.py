"""Working days in Norway: weekends and public holidays, in Python and in process expressions."""

from __future__ import annotations

from datetime import date

import pytest
from SpiffWorkflow.bpmn import BpmnWorkflow

from engine.definitions import build_specs, read_definition
from engine.expressions import SafeScriptEngine
from tests.engine.conftest import FIXTURES
from workflows.business_calendar import CALENDAR, HELPERS


@pytest.mark.parametrize(("day", "working"), [
    (date(2026, 4, 1), True),    # Wednesday before Easter
    (date(2026, 4, 2), False),   # Maundy Thursday
    (date(2026, 4, 6), False),   # Easter Monday
    (date(2026, 5, 17), False),  # Constitution Day (a Sunday too)
    (date(2027, 5, 17), False),  # Constitution Day on a Monday
    (date(2026, 11, 21), False),  # Saturday
    (date(2026, 11, 23), True),  # Monday
    (date(2026, 12, 26), False),  # Second Day of Christmas
])
def test_working_days(day, working):
    assert CALENDAR.is_working_day(day) is working


def test_adding_working_days_skips_easter_and_weekends():
    assert CALENDAR.add_working_days(date(2026, 4, 1), 3) == date(2026, 4, 9)
    assert CALENDAR.add_working_days(date(2026, 4, 9), -3) == date(2026, 4, 1)
    assert CALENDAR.add_working_days(date(2026, 11, 21), 0) == date(2026, 11, 23)
    assert CALENDAR.working_days_between(date(2026, 4, 1), date(2026, 4, 9)) == 3
    assert CALENDAR.working_days_between(date(2026, 4, 9), date(2026, 4, 1)) == -3


def test_absurd_counts_are_refused():
    with pytest.raises(ValueError, match="at most"):
        CALENDAR.add_working_days(date(2026, 1, 1), 10**9)


def test_the_helpers_are_available_to_process_expressions():
    spec, subs = build_specs([read_definition("review.bpmn", (FIXTURES / "review.bpmn").read_bytes())], "review")
    wf = BpmnWorkflow(spec, subs, script_engine=SafeScriptEngine(helpers=HELPERS))
    task = wf.get_tasks()[0]
    task.data["opened"] = "2026-04-01"
    engine = wf.script_engine
    assert engine.evaluate(task, "add_working_days(opened, 3)") == date(2026, 4, 9)
    assert engine.evaluate(task, "is_working_day('2026-05-17')") is False
    assert engine.evaluate(task, "working_days_between(opened, '2026-04-09')") == 3
