"""Cases through lanes, exclusive and parallel gateways, with claims, history and lifecycle calls."""

from __future__ import annotations

import pytest

from engine import InvalidState, NotFound, TaskConflict
from tests.engine.conftest import assert_roundtrip


@pytest.fixture
def review(driver):
    driver.deploy("review.bpmn")
    return driver


def test_small_amount_takes_the_automatic_branch_and_parallel_tasks_join(review, engine):
    case = review.start("review", {"applicant": "Kari Nordmann", "company_orgnr": "123456785"})
    assert review.titles(case.case_id) == ["Fill in the application"]
    first = engine.ready_tasks(case_id=case.case_id)[0]
    assert (first.role, first.lane, first.form_key) == ("saksbehandler", "Saksbehandler", "test.application")
    assert first.due_at is not None and (first.due_at - first.created_at).days == 7

    after = review.complete(case.case_id, "Fill in the application", {"amount": 500})
    assert sorted(t.title for t in after.open_tasks) == ["Archive the papers", "Company signs"]
    sign = review.task(case.case_id, "Company signs")
    assert (sign.role, sign.scope) == ("faglig_leder", "123456785")

    review.complete(case.case_id, "Company signs", {"signed": True}, actor="frank.fagleder")
    assert engine.case(case.case_id).status == "open"
    done = review.complete(case.case_id, "Archive the papers")
    assert done.case_status == "closed" and done.open_tasks == []
    wf = engine.workflow(done.instance_id)
    assert wf.completed and wf.last_task.data["approved_by"] == "rule"


def test_large_amount_needs_the_lead(review, engine):
    case = review.start("review")
    after = review.complete(case.case_id, "Fill in the application", {"amount": 250000})
    assert [t.title for t in after.open_tasks] == ["Approve the large amount"]
    assert after.open_tasks[0].role == "leder"


def test_history_records_who_did_what_with_which_data(review, engine):
    case = review.start("review", {"applicant": "Ola"})
    review.complete(case.case_id, "Fill in the application", {"amount": 10}, actor="sara")
    history = engine.history(case.case_id)
    actions = [h.action for h in history]
    assert actions[:3] == ["case_started", "process_started", "task_completed"]
    completed = history[2]
    assert (completed.actor, completed.task_title, completed.data) == ("sara", "Fill in the application",
                                                                       {"amount": 10})


def test_summary_fields_are_projected_for_search(review, engine):
    case = review.start("review", {"applicant": "Kari Nordmann"})
    review.complete(case.case_id, "Fill in the application", {"amount": 42})
    assert engine.case(case.case_id).summary == {"applicant": "Kari Nordmann", "amount": 42}


def test_claim_unclaim_and_assign(review, engine):
    case = review.start("review")
    task = engine.ready_tasks(case_id=case.case_id)[0]
    assert engine.claim(task.id, "sara").assignee == "sara"
    with pytest.raises(TaskConflict, match="held by sara"):
        engine.claim(task.id, "per")
    with pytest.raises(TaskConflict, match="held by sara"):
        engine.complete_task(task.id, {"amount": 1}, "per")
    with pytest.raises(TaskConflict):
        engine.unclaim(task.id, "per")
    assert engine.unclaim(task.id, "sara").assignee is None
    assert engine.assign(task.id, "per", actor="lead").assignee == "per"
    assert [t.id for t in engine.ready_tasks(assignee="per")] == [task.id]
    engine.complete_task(task.id, {"amount": 1}, "per")
    with pytest.raises(TaskConflict, match="Already completed by per"):
        engine.claim(task.id, "sara")
    actions = [h.action for h in engine.history(case.case_id)]
    task_actions = [a for a in actions if a.startswith("task_")]
    assert task_actions == ["task_claimed", "task_unclaimed", "task_assigned", "task_completed"]


def test_completing_twice_says_who_completed_it(review, engine):
    case = review.start("review")
    task = engine.ready_tasks(case_id=case.case_id)[0]
    engine.complete_task(task.id, {"amount": 1}, "sara")
    with pytest.raises(TaskConflict, match="Already completed by sara"):
        engine.complete_task(task.id, {"amount": 2}, "per")


def test_queue_filters_by_role_and_scope(review, engine):
    a = review.start("review", {"company_orgnr": "111111111"})
    b = review.start("review", {"company_orgnr": "222222222"})
    for case in (a, b):
        review.complete(case.case_id, "Fill in the application", {"amount": 1})
    company_tasks = engine.ready_tasks(roles=["faglig_leder"], scope="222222222")
    assert [t.case_id for t in company_tasks] == [b.case_id]
    assert len(engine.ready_tasks(roles=["saksbehandler"])) == 2


def test_suspend_blocks_work_until_resumed(review, engine):
    case = review.start("review")
    task = engine.ready_tasks(case_id=case.case_id)[0]
    engine.suspend(case.case_id, "admin", "waiting for documents")
    assert engine.case(case.case_id).status == "suspended"
    with pytest.raises(InvalidState, match="suspended"):
        engine.complete_task(task.id, {"amount": 1}, "sara")
    engine.resume(case.case_id, "admin")
    engine.complete_task(task.id, {"amount": 1}, "sara")
    assert_roundtrip(engine, case.case_id)


def test_cancel_closes_open_tasks(review, engine):
    case = review.start("review")
    task = engine.ready_tasks(case_id=case.case_id)[0]
    engine.cancel(case.case_id, "admin", "entered twice")
    assert engine.case(case.case_id).status == "cancelled"
    assert engine.ready_tasks(case_id=case.case_id) == []
    assert engine.task(task.id).state == "cancelled"
    assert engine.history(case.case_id)[-1].detail == "entered twice"


def test_unknown_process_task_and_case_are_not_found(engine):
    with pytest.raises(NotFound):
        engine.start_case("nope", "sara")
    with pytest.raises(NotFound):
        engine.complete_task("00000000-0000-0000-0000-000000000000", {}, "sara")
    with pytest.raises(NotFound):
        engine.history(999)
