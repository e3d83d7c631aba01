"""Two people at the same moment, and failures in the middle of a call: the case is never corrupted."""

from __future__ import annotations

import threading

import pytest
from sqlalchemy import select

from engine import CaseEngine, ProcessFailed, TaskConflict
from engine.models import Incident, ProcessInstance, TaskRow
from tests.engine.conftest import assert_roundtrip


def _race(engine: CaseEngine, calls: list) -> list:
    """Run the calls in real threads released at the same instant; return result or exception per call."""
    barrier = threading.Barrier(len(calls))
    results: list = [None] * len(calls)

    def run(i: int, call) -> None:
        barrier.wait()
        try:
            results[i] = call()
        except Exception as exc:  # noqa: BLE001 - the test inspects what each thread got
            results[i] = exc

    threads = [threading.Thread(target=run, args=(i, c)) for i, c in enumerate(calls)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=60)
    return results


@pytest.mark.parametrize("attempt", range(3))
def test_two_sessions_complete_the_same_task_exactly_one_wins(driver, engine, attempt):
    driver.deploy("review.bpmn")
    case = driver.start("review")
    task = engine.ready_tasks(case_id=case.case_id)[0]
    results = _race(engine, [lambda: engine.complete_task(task.id, {"amount": 1}, "sara"),
                             lambda: engine.complete_task(task.id, {"amount": 2}, "per")])
    winners = [r for r in results if not isinstance(r, Exception)]
    losers = [r for r in results if isinstance(r, Exception)]
    assert len(winners) == 1 and len(losers) == 1
    assert isinstance(losers[0], TaskConflict), repr(losers[0])
    winner = "sara" if results[0] is winners[0] else "per"
    assert f"Already completed by {winner}" in str(losers[0])
    assert_roundtrip(engine, case.case_id)
    assert sorted(t.title for t in engine.ready_tasks(case_id=case.case_id)) == ["Archive the papers",
                                                                                 "Company signs"]
    completions = [h for h in engine.history(case.case_id) if h.action == "task_completed"]
    assert [h.actor for h in completions] == [winner]
    with engine.db.read() as s:
        assert s.scalar(select(ProcessInstance.lock_version)) == 2


def test_two_claims_at_once_one_holder(driver, engine):
    driver.deploy("review.bpmn")
    case = driver.start("review")
    task = engine.ready_tasks(case_id=case.case_id)[0]
    results = _race(engine, [lambda: engine.claim(task.id, "sara"), lambda: engine.claim(task.id, "per")])
    holders = [r.assignee for r in results if not isinstance(r, Exception)]
    assert len(holders) == 1
    assert isinstance([r for r in results if isinstance(r, Exception)][0], TaskConflict)
    assert engine.task(task.id).assignee == holders[0]


def test_parallel_branches_completed_at_once_both_count(driver, engine):
    driver.deploy("review.bpmn")
    case = driver.start("review")
    driver.complete(case.case_id, "Fill in the application", {"amount": 1})
    a, b = engine.ready_tasks(case_id=case.case_id)
    results = _race(engine, [lambda: engine.complete_task(a.id, {}, "sara"),
                             lambda: engine.complete_task(b.id, {}, "per")])
    assert not any(isinstance(r, Exception) for r in results), results
    assert engine.case(case.case_id).status == "closed"
    assert_roundtrip(engine, case.case_id)


def _snapshot(engine: CaseEngine, case_id: int) -> tuple:
    with engine.db.read() as s:
        instance = s.scalar(select(ProcessInstance).where(ProcessInstance.case_id == case_id))
        tasks = sorted((t.id, t.state, t.assignee) for t in s.scalars(select(TaskRow)))
        return instance.state, instance.lock_version, tasks, engine.case(case_id).current_step


def test_a_failing_service_task_leaves_the_case_exactly_as_it_was(driver, engine, services):
    calls, archive = [], {"down": True}

    def archive_document(call):
        calls.append(call.params["title"])
        if archive["down"]:
            raise ConnectionError("archive is down")
        return {"ref": f"ARK-{call.params['title'][:4]}"}

    services.register("archive_document", archive_document)
    driver.deploy("service.bpmn")
    case = driver.start("archive")
    task = engine.ready_tasks(case_id=case.case_id)[0]
    before = _snapshot(engine, case.case_id)
    history_before = engine.history(case.case_id)

    with pytest.raises(ProcessFailed, match="nothing was changed"):
        engine.complete_task(task.id, {"document_title": "Lærekontrakt"}, "sara")

    assert calls == ["Lærekontrakt"]
    assert _snapshot(engine, case.case_id) == before
    assert engine.history(case.case_id) == history_before
    incidents = engine.incidents(case.case_id) or engine.incidents()
    assert len(incidents) == 1
    assert incidents[0].action == "complete_task" and incidents[0].task_id == task.id
    assert "archive is down" in incidents[0].message + (incidents[0].details or "")
    assert "ConnectionError" in (incidents[0].details or "")

    archive["down"] = False
    after = engine.complete_task(task.id, {"document_title": "Lærekontrakt"}, "sara")
    assert [t.title for t in after.open_tasks] == ["Check the archive reference"]
    from SpiffWorkflow.util.task import TaskState

    check = engine.workflow(after.instance_id).get_tasks(state=TaskState.READY, manual=True)[0]
    assert check.data["archive_ref"] == {"ref": "ARK-Lære"}


def test_incident_is_kept_for_administrators(engine):
    with engine.db.read() as s:
        assert s.scalars(select(Incident)).all() == []
