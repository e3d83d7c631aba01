"""Queues read from the projections: filters on the task and its case's fields, search, sorts, pages, counts."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime

import pytest

from engine import CaseEngine, FixedClock
from engine import queues as queues_module
from engine.models import EngineBase
from engine.queues import TaskQuery
from tests.engine.bpmn_snippets import chain, definitions

NOW = datetime(2026, 8, 1, 8, 0, tzinfo=UTC)
FIELDS = ("name", "fnr", "orgnr", "trade")


def _process(pid: str, role: str) -> bytes:
    task = (f'<bpmn:userTask id="work_{pid}" name="Work in {pid}"><bpmn:extensionElements><spiffworkflow:properties>'
            f'<spiffworkflow:property name="role" value="{role}"/>'
            '<spiffworkflow:property name="dueDate" value="due"/>'
            '<spiffworkflow:property name="scope" value="orgnr"/>'
            "</spiffworkflow:properties></bpmn:extensionElements></bpmn:userTask>")
    return definitions(chain(task, pid=pid, name=pid)).encode()


@pytest.fixture
def queue_engine(db_url) -> Iterator[CaseEngine]:
    """An engine with two one-task processes (roles a and b) and summary fields for search."""
    engine = CaseEngine(db_url, clock=FixedClock(NOW), summary_fields=FIELDS)
    EngineBase.metadata.drop_all(engine.db.engine)
    engine.create_schema()
    engine.deploy({"pa.bpmn": _process("pa", "a"), "pb.bpmn": _process("pb", "b")}, "owner")
    yield engine
    engine.db.engine.dispose()


CASES = [  # process, name, fnr, orgnr, trade, due
    ("pa", "Kari Nordmann", "01010112345", "111111111", "ITD", "2026-07-30T12:00:00+00:00"),
    ("pa", "Ola Hansen", "02020212345", "222222222", "SOA", "2026-08-05T12:00:00+00:00"),
    ("pa", "Per 100% Berg", "03030312345", "111111111", "SOA", ""),
    ("pa", "Siri Dahl", "04040412345", "222222222", "ITD", "2026-08-02T12:00:00+00:00"),
    ("pb", "Kari Li", "05050512345", "111111111", "ITD", "2026-07-01T12:00:00+00:00"),
]


@pytest.fixture
def started(queue_engine) -> dict[str, str]:
    """Start the cases; return task id by apprentice name."""
    ids = {}
    for pid, name, fnr, orgnr, trade, due in CASES:
        result = queue_engine.start_case(pid, "seed", {"name": name, "fnr": fnr, "orgnr": orgnr, "trade": trade,
                                                       "due": due or None}, title=f"Case of {name}")
        ids[name] = result.open_tasks[0].id
        queue_engine.clock.advance(minutes=1)
    return ids


def _names(page, started) -> list[str]:
    by_id = {v: k for k, v in started.items()}
    return [by_id[row.task.id] for row in page.rows]


def test_role_filter_and_due_order_with_undated_last(queue_engine, started):
    page = queue_engine.queue(TaskQuery(roles=("a",)))
    assert _names(page, started) == ["Kari Nordmann", "Siri Dahl", "Ola Hansen", "Per 100% Berg"]
    assert (page.total, page.total_capped, page.has_next) == (4, False, False)
    latest = queue_engine.queue(TaskQuery(roles=("a",), sort="-due"))
    assert _names(latest, started) == ["Ola Hansen", "Siri Dahl", "Kari Nordmann", "Per 100% Berg"]


def test_scope_assignee_and_unassigned(queue_engine, started):
    assert _names(queue_engine.queue(TaskQuery(scope="111111111")), started) == [
        "Kari Li", "Kari Nordmann", "Per 100% Berg"]
    queue_engine.claim(started["Ola Hansen"], "sara")
    assert _names(queue_engine.queue(TaskQuery(assignee="sara")), started) == ["Ola Hansen"]
    assert "Ola Hansen" not in _names(queue_engine.queue(TaskQuery(roles=("a",), unassigned=True)), started)


def test_process_step_field_and_due_filters(queue_engine, started):
    assert _names(queue_engine.queue(TaskQuery(process_key="pb")), started) == ["Kari Li"]
    assert _names(queue_engine.queue(TaskQuery(spec_name="work_pb")), started) == ["Kari Li"]
    both = TaskQuery(fields=(("trade", "ITD"), ("orgnr", "222222222")))
    assert _names(queue_engine.queue(both), started) == ["Siri Dahl"]
    overdue = queue_engine.queue(TaskQuery(roles=("a",), due_before=NOW))
    assert _names(overdue, started) == ["Kari Nordmann"]


def test_search_by_case_number_ids_and_names(queue_engine, started):
    task = queue_engine.task(started["Ola Hansen"])
    number = queue_engine.case(task.case_id).number
    assert _names(queue_engine.queue(TaskQuery(search=number.upper())), started) == ["Ola Hansen"]
    assert _names(queue_engine.queue(TaskQuery(search="040404 12345")), started) == ["Siri Dahl"]
    assert _names(queue_engine.queue(TaskQuery(search="222222222")), started) == ["Siri Dahl", "Ola Hansen"]
    kari = TaskQuery(search="kari", search_fields=("name",))
    assert _names(queue_engine.queue(kari), started) == ["Kari Li", "Kari Nordmann"]
    # % in the search is a character, not a wildcard
    assert _names(queue_engine.queue(TaskQuery(search="100%", search_fields=("name",))), started) == [
        "Per 100% Berg"]
    assert queue_engine.queue(TaskQuery(search="1%0", search_fields=("name",))).rows == []


def test_sorts_and_pages(queue_engine, started):
    by_case = queue_engine.queue(TaskQuery(sort="case"))
    numbers = [row.case_number for row in by_case.rows]
    assert numbers == sorted(numbers)
    created = [row.task.id for row in queue_engine.queue(TaskQuery(sort="created")).rows]
    assert created == [started[c[1]] for c in CASES]
    first = queue_engine.queue(TaskQuery(roles=("a",), per_page=3))
    second = queue_engine.queue(TaskQuery(roles=("a",), per_page=3, page=2))
    assert first.has_next and not second.has_next and first.pages == 2
    assert _names(second, started) == ["Per 100% Berg"]
    with pytest.raises(ValueError):
        TaskQuery(sort="drop table")


def test_count_is_capped_but_paging_goes_on(queue_engine, started, monkeypatch):
    monkeypatch.setattr(queues_module, "COUNT_CAP", 3)
    page = queue_engine.queue(TaskQuery(roles=("a",), per_page=2))
    assert (page.total, page.total_capped, page.has_next) == (3, True, True)
    last = queue_engine.queue(TaskQuery(roles=("a",), per_page=2, page=2))
    assert len(last.rows) == 2 and not last.has_next
    counts = queue_engine.queue_counts(["a", "b"], now=NOW)
    assert (counts["a"].open, counts["a"].capped) == (3, True)


def test_counts_and_steps(queue_engine, started):
    counts = queue_engine.queue_counts(["a", "b"], now=NOW)
    assert (counts["a"].open, counts["a"].overdue, counts["a"].capped) == (4, 1, False)
    assert (counts["b"].open, counts["b"].overdue) == (1, 1)
    assert queue_engine.queue_counts(["a"], scope="222222222", now=NOW)["a"].open == 2
    assert queue_engine.queue_steps(["b"]) == [("pb", "work_pb", "Work in pb")]
    assert [s[0] for s in queue_engine.queue_steps()] == ["pa", "pb"]


def test_search_folds_norwegian_letters_on_every_database(queue_engine, started):
    result = queue_engine.start_case("pa", "seed", {"name": "Øyvind Ærø Åsen", "fnr": "06060612345",
                                                    "orgnr": "111111111", "trade": "ITD", "due": None})
    task_id = result.open_tasks[0].id
    for text in ("øyvind", "ÆRØ", "åsen"):
        page = queue_engine.queue(TaskQuery(search=text, search_fields=("name",)))
        assert [row.task.id for row in page.rows] == [task_id], text
