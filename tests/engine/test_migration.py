"""Moving running cases to a new version: the check, the move, and the refusal when a step is gone."""

from __future__ import annotations

import pytest

from engine import InvalidState, NotFound
from tests.engine.bpmn_snippets import chain, definitions
from tests.engine.conftest import assert_roundtrip


def _user(task_id: str, name: str) -> str:
    return f'<bpmn:userTask id="{task_id}" name="{name}"/>'


V1 = definitions(chain(_user("a", "Draft"), _user("b", "Approve"), pid="p", name="Approval"))
V2 = definitions(chain(_user("a", "Write the draft"), _user("c", "Check"), _user("b", "Approve"),
                       pid="p", name="Approval"))
V3 = definitions(chain(_user("a", "Draft"), _user("c", "Check"), pid="p", name="Approval"))


def _deploy(engine, xml: str) -> int:
    result = engine.deploy({"approval.bpmn": xml.encode()}, "owner")
    return result.created[0].id


def _open(engine, case_id: int) -> list[str]:
    return sorted(t.title for t in engine.ready_tasks(case_id=case_id))


def test_old_cases_stay_on_their_version_and_new_cases_take_the_new_one(engine):
    _deploy(engine, V1)
    old = engine.start_case("p", "sara")
    _deploy(engine, V2)
    new = engine.start_case("p", "sara")
    assert _open(engine, old.case_id) == ["Draft"]
    assert _open(engine, new.case_id) == ["Write the draft"]
    engine.complete_task(engine.ready_tasks(case_id=old.case_id)[0].id, {}, "sara")
    assert _open(engine, old.case_id) == ["Approve"]  # v1 has no "Check"
    engine.complete_task(engine.ready_tasks(case_id=new.case_id)[0].id, {}, "sara")
    assert _open(engine, new.case_id) == ["Check"]


def test_check_then_migrate_a_case_standing_on_a_kept_step(engine):
    _deploy(engine, V1)
    case = engine.start_case("p", "sara")
    v2 = _deploy(engine, V2)
    instance = engine.instances(case.case_id)[0]
    check = engine.migration_check(instance.id, v2)
    assert check.allowed and (check.from_version, check.to_version) == (1, 2)
    assert check.added == ["Check"] and check.active_steps == ["Draft"]
    moved = engine.migrate(instance.id, v2, "anne.admin")
    assert moved.allowed
    assert engine.instances(case.case_id)[0].definition_id == v2
    assert_roundtrip(engine, case.case_id)
    engine.complete_task(engine.ready_tasks(case_id=case.case_id)[0].id, {}, "sara")
    assert _open(engine, case.case_id) == ["Check"]  # the new step now applies to the moved case
    history = engine.history(case.case_id)
    assert any(h.action == "migrated" and h.actor == "anne.admin" and h.detail == "v1 → v2" for h in history)


def test_migration_is_refused_when_the_current_step_is_gone(engine):
    _deploy(engine, V1)
    case = engine.start_case("p", "sara")
    engine.complete_task(engine.ready_tasks(case_id=case.case_id)[0].id, {}, "sara")  # now at "Approve"
    v3 = _deploy(engine, V3)
    instance = engine.instances(case.case_id)[0]
    check = engine.migration_check(instance.id, v3)
    assert not check.allowed and any("Approve" in p for p in check.problems)
    state_before = instance.state
    with pytest.raises(InvalidState, match="Approve"):
        engine.migrate(instance.id, v3, "anne.admin")
    after = engine.instances(case.case_id)[0]
    assert (after.definition_id, after.state) == (instance.definition_id, state_before)
    assert not any(h.action == "migrated" for h in engine.history(case.case_id))


def test_migration_to_another_process_is_refused(engine):
    _deploy(engine, V1)
    case = engine.start_case("p", "sara")
    other = engine.deploy({"other.bpmn": definitions(chain(_user("x", "X"), pid="q", name="Other")).encode()},
                          "owner").created[0].id
    with pytest.raises(NotFound):
        engine.migration_check(engine.instances(case.case_id)[0].id, other)
