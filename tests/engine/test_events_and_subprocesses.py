"""Boundary timers, message catch with correlation, call activities with error ends, and DMN decisions."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from engine import NotFound
from engine.models import MessageSubscription, TimerRow
from tests.engine.conftest import assert_roundtrip


@pytest.fixture
def signing(driver):
    driver.deploy("signing.bpmn")
    return driver


def _timers(engine):
    with engine.db.read() as s:
        return sorted((t.name, t.due_at) for t in s.scalars(select(TimerRow)))


def test_boundary_timers_are_projected_and_fire_with_the_clock(signing, engine, clock):
    case = signing.start("signing", {"case_ref": "A-1", "county": "46"})
    start = clock.now()
    assert [(n, (d - start).days) for n, d in _timers(engine)] == [("Reminder after 7 days", 7),
                                                                  ("Signing deadline", 14)]
    clock.advance(days=6, hours=23)
    assert engine.fire_due_timers() == 0
    clock.advance(hours=2)
    assert engine.fire_due_timers() == 1
    assert_roundtrip(engine, case.case_id)
    assert [n for n, _ in _timers(engine)] == ["Signing deadline"]
    assert signing.titles(case.case_id) == ["Sign the contract"]  # non-interrupting: still open
    clock.advance(days=7)
    assert engine.fire_due_timers() == 1
    assert signing.titles(case.case_id) == ["Handle the expired contract"]
    assert _timers(engine) == []
    fired = [h.detail for h in engine.history(case.case_id) if h.action == "timer_fired"]
    assert fired == ["Reminder after 7 days", "Signing deadline"]


def test_message_is_routed_on_every_correlation_key(signing, engine):
    first = signing.start("signing", {"case_ref": "A-1", "county": "46"})
    second = signing.start("signing", {"case_ref": "A-2", "county": "46"})
    for case in (first, second):
        signing.complete(case.case_id, "Sign the contract")
    with engine.db.read() as s:
        subs = {sub.case_id: sub.correlation for sub in s.scalars(select(MessageSubscription))}
    assert subs == {first.case_id: {"case_ref": "A-1", "county": "46"},
                    second.case_id: {"case_ref": "A-2", "county": "46"}}

    with pytest.raises(NotFound, match="county_decision"):  # one key matches, the other does not
        engine.deliver_message("county_decision", {"case_ref": "A-2", "county": "03", "decision": "approved"},
                               "county")
    delivered = engine.deliver_message("county_decision", {"case_ref": "A-2", "county": "46",
                                                           "decision": "approved"}, "county")
    assert delivered == [second.instance_id]
    assert_roundtrip(engine, second.case_id)
    assert engine.case(second.case_id).status == "closed"
    assert engine.case(first.case_id).status == "open"
    assert engine.workflow(second.instance_id).last_task.data["decision"] == "approved"


def test_message_recorded_from_the_case_needs_no_correlation(signing, engine):
    case = signing.start("signing", {"case_ref": "A-3", "county": "46"})
    signing.complete(case.case_id, "Sign the contract")
    engine.deliver_message("county_decision", {"decision": "rejected"}, "sara", case_id=case.case_id)
    assert engine.case(case.case_id).status == "closed"
    received = [h for h in engine.history(case.case_id) if h.action == "message_received"]
    assert received[0].data == {"decision": "rejected"}


def test_message_without_a_waiting_case_is_refused(signing, engine):
    with pytest.raises(NotFound, match="No process is waiting"):
        engine.deliver_message("county_decision", {"case_ref": "nobody", "county": "46"}, "county")


def test_call_activity_runs_the_child_and_returns(driver, engine):
    driver.deploy("parent.bpmn", "child.bpmn")
    case = driver.start("parent")
    assert driver.titles(case.case_id) == ["Do the child work"]
    driver.complete(case.case_id, "Do the child work", {"outcome": "done"})
    assert driver.titles(case.case_id) == ["Check the result"]
    driver.complete(case.case_id, "Check the result")
    assert engine.case(case.case_id).status == "closed"


def test_error_end_event_in_the_child_is_caught_by_the_boundary(driver, engine):
    driver.deploy("parent.bpmn", "child.bpmn")
    case = driver.start("parent")
    driver.complete(case.case_id, "Do the child work", {"outcome": "cancel"})
    assert driver.titles(case.case_id) == ["Clean up after cancellation"]


def test_called_process_is_pinned_to_the_version_deployed_with_the_parent(driver, engine):
    driver.deploy("parent.bpmn", "child.bpmn")
    parent_v1 = engine.latest_definitions()["parent"]
    child_v2 = (driver.engine.deploy({"child.bpmn": _renamed_child()}, "owner")).created
    assert [d.key for d in child_v2] == ["child"]
    again = engine.deploy({"parent.bpmn": (driver_fixture("parent.bpmn"))}, "owner")
    parent_v2 = engine.latest_definitions()["parent"]
    assert [d.key for d in again.created] == ["parent"] and parent_v2.version == parent_v1.version + 1
    assert parent_v2.requires != parent_v1.requires


def driver_fixture(name: str) -> bytes:
    from tests.engine.conftest import FIXTURES

    return (FIXTURES / name).read_bytes()


def _renamed_child() -> bytes:
    return driver_fixture("child.bpmn").replace(b"Do the child work", b"Do the child work carefully")


@pytest.mark.parametrize(("age", "titles"), [(16, ["Inform the guardian"]), (19, [])])
def test_dmn_decision_drives_the_gateway(driver, engine, age, titles):
    driver.deploy("guardian.dmn", "decide.bpmn")
    case = driver.start("decide", {"age": age})
    assert driver.titles(case.case_id) == titles
    assert engine.case(case.case_id).status == ("open" if titles else "closed")


def test_a_thrown_message_starts_the_process_that_begins_with_it_in_the_same_case(driver, engine):
    driver.deploy("approve.bpmn", "after_approval.bpmn")
    case = driver.start("approve", {"thing": {"name": "Lærekontrakt 17"}})
    after = driver.complete(case.case_id, "Decide")
    assert [t.title for t in after.open_tasks] == ["Follow up the thing"]
    instances = engine.instances(case.case_id)
    assert [(i.process_key, i.status) for i in instances] == [("approve", "completed"), ("after_approval", "running")]
    follow = engine.workflow(instances[1].id)
    from SpiffWorkflow.util.task import TaskState

    data = follow.get_tasks(state=TaskState.READY, manual=True)[0].data
    assert data["approval"] == {"thing": {"name": "Lærekontrakt 17"}, "approved_by": "office"}
    assert engine.case(case.case_id).status == "open"
    driver.complete(case.case_id, "Follow up the thing")
    assert engine.case(case.case_id).status == "closed"
    actions = [h.action for h in engine.history(case.case_id)]
    assert "message_sent" in actions and actions.count("process_started") == 2


def test_a_message_start_process_can_be_started_by_hand_in_an_existing_case(driver, engine):
    driver.deploy("approve.bpmn", "after_approval.bpmn")
    case = driver.start("approve", {"thing": {"name": "X"}})
    result = engine.start_case("after_approval", "sara", {"thing": {"name": "X"}, "approved_by": "hand"},
                               case_id=case.case_id, message="thing.approved")
    assert sorted(t.title for t in result.open_tasks) == ["Decide", "Follow up the thing"]
    with pytest.raises(NotFound, match="does not start with the message"):
        engine.start_case("after_approval", "sara", {}, case_id=case.case_id, message="other")


def test_a_timer_fires_strictly_after_its_due_instant_and_only_once(signing, engine, clock):
    case = signing.start("signing", {"case_ref": "A-9", "county": "46"})
    clock.advance(days=7)
    assert engine.fire_due_timers() == 0  # exactly at the due instant: not yet
    clock.advance(seconds=1)
    assert engine.fire_due_timers() == 1
    assert engine.fire_due_timers() == 0
    fired = [h.detail for h in engine.history(case.case_id) if h.action == "timer_fired"]
    assert fired == ["Reminder after 7 days"]


def test_a_message_reaches_every_catch_of_an_instance_in_one_delivery(driver, engine):
    driver.deploy("two_waits.bpmn")
    case = driver.start("two_waits")
    assert engine.deliver_message("stop", {}, "sara", case_id=case.case_id) == [case.instance_id]
    assert engine.case(case.case_id).status == "closed"


def test_starting_a_process_in_a_closed_case_reopens_it(driver, engine):
    driver.deploy("approve.bpmn", "after_approval.bpmn", "review.bpmn")
    case = driver.start("review", {"amount": 1})
    for title in ("Fill in the application", "Company signs", "Archive the papers"):
        driver.complete(case.case_id, title, {"amount": 1})
    assert engine.case(case.case_id).status == "closed"
    result = engine.start_case("after_approval", "sara", {"thing": {}}, case_id=case.case_id,
                               message="thing.approved")
    assert result.case_status == "open" and engine.case(case.case_id).status == "open"
