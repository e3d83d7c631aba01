"""Engine fixtures: a CaseEngine on a real database with a controllable clock."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import select

from engine import CaseEngine, FixedClock
from engine.expressions import ServiceRegistry
from engine.models import EngineBase, ProcessInstance

FIXTURES = Path(__file__).parent / "fixtures"


def fixture_bytes(*names: str) -> dict[str, bytes]:
    """Read BPMN/DMN fixture files by name."""
    return {name: (FIXTURES / name).read_bytes() for name in names}


@pytest.fixture
def clock() -> FixedClock:
    """A clock standing at 1 August 2026, 08:00 UTC."""
    return FixedClock()


@pytest.fixture
def services() -> ServiceRegistry:
    """An empty registry of trusted service-task handlers for the test to fill."""
    return ServiceRegistry()


@pytest.fixture
def engine(db_url, clock, services) -> Iterator[CaseEngine]:
    """A CaseEngine with empty tables."""
    case_engine = CaseEngine(db_url, clock=clock, services=services, summary_fields=("applicant", "amount"))
    EngineBase.metadata.drop_all(case_engine.db.engine)
    case_engine.create_schema()
    yield case_engine
    case_engine.db.engine.dispose()


def assert_roundtrip(engine: CaseEngine, case_id: int) -> None:
    """Restore every instance of a case from the database and check it serializes back to the same state."""
    with engine.db.read() as s:
        rows = list(s.scalars(select(ProcessInstance).where(ProcessInstance.case_id == case_id)))
        for row in rows:
            wf = engine.stepper.restore(s, row)
            assert engine.stepper.serializer.dumps(wf) == row.state
            assert '"spec"' not in row.state[:2000] and "subprocess_specs" not in row.state


class CaseDriver:
    """Drives cases through the engine API and checks a save/restore round trip after every step."""

    def __init__(self, engine: CaseEngine) -> None:
        self.engine = engine

    def deploy(self, *names: str) -> None:
        """Deploy fixture files."""
        self.engine.deploy(fixture_bytes(*names), "process.owner")

    def start(self, key: str, data: dict | None = None, actor: str = "sara.saksbehandler"):
        """Start a case and check its state survives a round trip."""
        result = self.engine.start_case(key, actor, data)
        assert_roundtrip(self.engine, result.case_id)
        return result

    def task(self, case_id: int, title: str):
        """The open task of a case with this title."""
        matches = [t for t in self.engine.ready_tasks(case_id=case_id) if t.title == title]
        assert matches, f"no open task {title!r}; open: {[t.title for t in self.engine.ready_tasks(case_id=case_id)]}"
        return matches[0]

    def complete(self, case_id: int, title: str, data: dict | None = None, actor: str = "sara.saksbehandler"):
        """Complete the open task with this title and check the round trip."""
        result = self.engine.complete_task(self.task(case_id, title).id, data or {}, actor)
        assert_roundtrip(self.engine, case_id)
        return result

    def titles(self, case_id: int) -> list[str]:
        """Titles of the open tasks of a case, sorted."""
        return sorted(t.title for t in self.engine.ready_tasks(case_id=case_id))


@pytest.fixture
def driver(engine) -> CaseDriver:
    """A CaseDriver on the test engine."""
    return CaseDriver(engine)
