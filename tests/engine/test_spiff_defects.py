"""Each SpiffWorkflow 3.2.0 defect (engine-notes §5): reproduced with the fix off, absent with it on."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import date, datetime, timedelta

import pytest
from SpiffWorkflow.bpmn import BpmnEvent, BpmnWorkflow
from SpiffWorkflow.bpmn.serializer.workflow import BpmnWorkflowSerializer
from SpiffWorkflow.exceptions import WorkflowException
from SpiffWorkflow.spiff.serializer.config import SPIFF_CONFIG
from SpiffWorkflow.util.task import TaskState

from engine import FixedClock, spiff_defects
from engine.clock import using_clock
from engine.definitions import build_specs, read_definition
from engine.expressions import SafeScriptEngine
from engine.serialization import InstanceSerializer
from tests.engine.conftest import FIXTURES


@pytest.fixture
def fixes() -> Iterator[None]:
    """Every fix applied, and applied again after a test switched one off."""
    spiff_defects.apply_all()
    yield
    for name in ("aliasing", "depth", "clock", "correlation"):
        spiff_defects.undo_for_test(name)
    spiff_defects.apply_all()


def _workflow(name: str, key: str) -> BpmnWorkflow:
    f = read_definition(name, (FIXTURES / name).read_bytes())
    spec, subs = build_specs([f], key)
    return BpmnWorkflow(spec, subs, script_engine=SafeScriptEngine())


def _complete(wf: BpmnWorkflow, title: str, **data) -> None:
    task = next(t for t in wf.get_tasks(state=TaskState.READY, manual=True) if t.task_spec.bpmn_name == title)
    task.set_data(**data)
    task.run()
    wf.do_engine_steps()


def _nested_change_keeps_history(serializer: InstanceSerializer) -> tuple[str, str]:
    wf = _workflow("nested_data.bpmn", "nested")
    wf.do_engine_steps()
    _complete(wf, "Enter the contract", contract={"parties": {"company": "Old AS"}})
    restored = serializer.loads(serializer.dumps(wf), wf.spec, wf.subprocess_specs)
    entered = next(t for t in restored.get_tasks() if t.task_spec.name == "enter")
    review = restored.get_tasks(state=TaskState.READY, manual=True)[0]
    return entered.data["contract"]["parties"]["company"], review.data["contract"]["parties"]["company"]


def test_data_aliasing_fix_keeps_completed_task_data(fixes):
    serializer = InstanceSerializer()
    spiff_defects.undo_for_test("aliasing")
    assert _nested_change_keeps_history(serializer) == ("New AS", "New AS")  # history rewritten: the defect
    spiff_defects.apply_all()
    assert _nested_change_keeps_history(serializer) == ("Old AS", "New AS")


def _loop(iterations: int) -> tuple[int, bool]:
    wf = _workflow("loop.bpmn", "monthly")
    wf.get_tasks(state=TaskState.READY)[0].set_data(meetings=0, target=iterations)
    wf.do_engine_steps()
    done = 0
    for _ in range(iterations):
        ready = wf.get_tasks(state=TaskState.READY, manual=True)
        if not ready:
            break
        ready[0].run()
        wf.do_engine_steps()
        done += 1
    return done, wf.completed


@pytest.mark.slow
def test_depth_limit_fix_keeps_long_loops_running(fixes):
    spiff_defects.undo_for_test("depth")
    done, completed = _loop(400)
    assert not completed and done < 400  # the silent stall: the next meeting is invisible, no error
    spiff_defects.apply_all()
    assert _loop(400) == (400, True)


def _duration_timer_fires(clock: FixedClock) -> bool:
    wf = _workflow("signing.bpmn", "signing")
    with using_clock(clock):
        wf.do_engine_steps()
        clock.advance(days=15)
        wf.refresh_timers()
        wf.do_engine_steps()
    return any(t.task_spec.bpmn_name == "Handle the expired contract"
               for t in wf.get_tasks(state=TaskState.READY, manual=True))


def test_timer_clock_fix_lets_the_engine_control_time(fixes):
    spiff_defects.undo_for_test("clock")
    assert not _duration_timer_fires(FixedClock(datetime.now().astimezone() - timedelta(days=400)))
    spiff_defects.apply_all()
    assert _duration_timer_fires(FixedClock(datetime.now().astimezone() - timedelta(days=400)))


def _partial_match_delivered() -> bool:
    wf = _workflow("two_keys.bpmn", "two_keys")
    wf.do_engine_steps()
    wf.correlations = {"by_case": {"case_ref": "A-1"}, "by_county": {"county": "46"}}
    waiting = wf.get_tasks(state=TaskState.WAITING)[0]
    definition = waiting.task_spec.event_definition
    payload = {"case_ref": "A-1", "county": "03"}
    correlations = definition.calculate_correlations(wf.script_engine, definition.correlation_properties, payload)
    try:
        wf.send_event(BpmnEvent(definition, payload, correlations))
    except WorkflowException:
        return False
    wf.do_engine_steps()
    return wf.completed


def test_correlation_fix_requires_every_key_to_match(fixes):
    spiff_defects.undo_for_test("correlation")
    assert _partial_match_delivered()  # the defect: one key of two matched and the message was taken
    spiff_defects.apply_all()
    assert not _partial_match_delivered()


def test_dates_in_task_data_survive_serialization(fixes):
    wf = _workflow("nested_data.bpmn", "nested")
    wf.do_engine_steps()
    _complete(wf, "Enter the contract", contract={"parties": {}}, start_date=date(2026, 8, 15),
              signed_at=datetime(2026, 8, 1, 12, 0))
    plain = BpmnWorkflowSerializer(BpmnWorkflowSerializer.configure(SPIFF_CONFIG))
    with pytest.raises(TypeError):
        plain.serialize_json(wf)  # the defect: `date` is not registered, the JSON encoder gives up
    with pytest.raises(TypeError):
        json.dumps(plain.to_dict(wf))
    ours = InstanceSerializer()
    restored = ours.loads(ours.dumps(wf), wf.spec, wf.subprocess_specs)
    data = restored.get_tasks(state=TaskState.READY, manual=True)[0].data
    assert data["start_date"] == date(2026, 8, 15) and data["signed_at"] == datetime(2026, 8, 1, 12, 0)
