"""Drives the shipped processes through the engine API the way users do: every submission goes through
its form's validation first, and every step is checked to survive a save/restore round trip."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, date, datetime
from typing import Any

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from engine import CaseEngine, FixedClock
from engine.models import EngineBase
from forms import load_registry
from tests.engine.conftest import assert_roundtrip
from workflows.catalog import shipped_files
from workflows.conventions import message_payload, task_payload
from workflows.demo.loader import load_demo_people_and_companies
from workflows.reference_data import load_reference_data
from workflows.setup import build_case_engine

TODAY = date(2026, 8, 3)


class ProcessDriver:
    """A user's-eye view of the engine for tests: submit forms, record answers, move the clock."""

    def __init__(self, engine: CaseEngine, clock: FixedClock) -> None:
        self.engine = engine
        self.clock = clock
        self.forms = load_registry()

    def session(self) -> Session:
        """A session on the test database (reads of the business records)."""
        return Session(self.engine.db.engine)

    def start(self, process_key: str, data: dict[str, Any] | None = None, actor: str = "sara"):
        """Start a case on a shipped process."""
        result = self.engine.start_case(process_key, actor, data)
        assert_roundtrip(self.engine, result.case_id)
        return result

    def open_titles(self, case_id: int) -> list[str]:
        """Titles of the open tasks of a case, sorted."""
        return sorted(t.title for t in self.engine.ready_tasks(case_id=case_id))

    def task(self, case_id: int, form_key: str):
        """The open task of a case that asks for `form_key`."""
        found = [t for t in self.engine.ready_tasks(case_id=case_id) if t.form_key == form_key]
        assert found, f"no open {form_key!r}; open: {[t.form_key for t in self.engine.ready_tasks(case_id=case_id)]}"
        return found[0]

    def clean(self, form_key: str, data: dict[str, Any], context: dict[str, Any] | None = None) -> dict[str, Any]:
        """Validate data with the form, as the screen does; fail the test on any field error."""
        context = {"today": self.clock.now().date(), "allow_synthetic_fnr": True, **(context or {})}
        cleaned, errors = self.forms.get(form_key).validate(data, "nb", context=context)
        assert not errors, f"{form_key}: {errors}"
        return cleaned

    def submit(self, case_id: int, form_key: str, data: dict[str, Any], actor: str = "sara",
               context: dict[str, Any] | None = None):
        """Complete the open task asking for `form_key` with validated data."""
        task = self.task(case_id, form_key)
        result = self.engine.complete_task(task.id, task_payload(form_key, self.clean(form_key, data, context)),
                                           actor)
        assert_roundtrip(self.engine, case_id)
        return result

    def record(self, case_id: int, message: str, data: dict[str, Any], actor: str = "sara",
               context: dict[str, Any] | None = None) -> list[int]:
        """Record an external answer from the case (validated with the message's form)."""
        delivered = self.engine.deliver_message(message, message_payload(message, self.clean(message, data, context)),
                                                actor, case_id=case_id)
        assert_roundtrip(self.engine, case_id)
        return delivered

    def advance(self, **delta: float) -> int:
        """Move the clock and fire what fell due; return how many instances moved."""
        self.clock.advance(**delta)
        return self.engine.fire_due_timers()

    def history(self, case_id: int) -> list[str]:
        """The actions in a case's history."""
        return [h.action for h in self.engine.history(case_id)]

    def scalar(self, query: Any) -> Any:
        """Run one query on the records."""
        with self.session() as s:
            return s.scalar(query)

    def one(self, model: type, **where: Any) -> Any:
        """The single record matching `where`."""
        with self.session() as s:
            rows = list(s.scalars(select(model).filter_by(**where)))
            assert len(rows) == 1, f"{len(rows)} {model.__name__} rows match {where}"
            return rows[0]


def build_office(db_url: str, drafts: dict[str, bytes] | None = None) -> ProcessDriver:
    """The office's engine on a fresh database with reference and demo data, the shipped processes, and
    optionally draft process files (work in progress kept out of `workflows/` until it deploys)."""
    clock = FixedClock(datetime(TODAY.year, TODAY.month, TODAY.day, 8, 0, tzinfo=UTC))
    engine = build_case_engine(db_url, clock=clock, form_keys=load_registry().keys())
    EngineBase.metadata.drop_all(engine.db.engine)
    engine.create_schema()
    with Session(engine.db.engine) as session:
        load_reference_data(session)
        load_demo_people_and_companies(session, TODAY)
        session.commit()
    engine.deploy({**shipped_files(), **(drafts or {})}, "process.owner")
    return ProcessDriver(engine, clock)


@pytest.fixture
def office(db_url) -> Iterator[ProcessDriver]:
    """The office's engine on a fresh database with reference and demo data and the shipped processes."""
    driver = build_office(db_url)
    yield driver
    driver.engine.db.engine.dispose()
