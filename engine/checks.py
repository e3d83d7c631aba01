"""Deploy-time checks the application composes from its own knowledge (form keys, roles)."""

from __future__ import annotations

from collections.abc import Callable, Iterable

from SpiffWorkflow.bpmn.specs.bpmn_process_spec import BpmnProcessSpec
from SpiffWorkflow.bpmn.specs.mixins.user_task import UserTask

from .definitions import DefinitionCheck
from .errors import Problem
from .projections import RoleResolver, default_role


def _user_tasks(spec: BpmnProcessSpec, subs: dict[str, BpmnProcessSpec]):
    for process in (spec, *subs.values()):
        for task_spec in process.task_specs.values():
            if isinstance(task_spec, UserTask):
                yield task_spec


def require_known_form_keys(known: Callable[[], Iterable[str]]) -> DefinitionCheck:
    """Every user task must name a form key that exists."""

    def check(spec: BpmnProcessSpec, subs: dict[str, BpmnProcessSpec]) -> list[Problem]:
        keys = set(known())
        problems = []
        for task_spec in _user_tasks(spec, subs):
            key = (task_spec.extensions.get("properties") or {}).get("formKey")
            if not key:
                problems.append(Problem("the user task names no form (property formKey)",
                                        element_id=task_spec.bpmn_id, element_name=task_spec.bpmn_name,
                                        site="form"))
            elif key not in keys:
                problems.append(Problem(f"unknown form key {key!r}", element_id=task_spec.bpmn_id,
                                        element_name=task_spec.bpmn_name, site="form"))
        return problems

    return check


def require_lane_roles(roles: Iterable[str], role_of: RoleResolver = default_role) -> DefinitionCheck:
    """Every user task must sit in a lane (or name a role) that maps to a known role."""
    allowed = set(roles)

    def check(spec: BpmnProcessSpec, subs: dict[str, BpmnProcessSpec]) -> list[Problem]:
        problems = []
        for task_spec in _user_tasks(spec, subs):
            role = (task_spec.extensions.get("properties") or {}).get("role") or role_of(task_spec.lane)
            if role is None:
                problems.append(Problem("the user task is in no lane, so nobody would see it",
                                        element_id=task_spec.bpmn_id, element_name=task_spec.bpmn_name,
                                        site="lane"))
            elif role not in allowed:
                problems.append(Problem(f"lane {task_spec.lane!r} maps to no known role "
                                        f"(known: {', '.join(sorted(allowed))})", element_id=task_spec.bpmn_id,
                                        element_name=task_spec.bpmn_name, site="lane"))
        return problems

    return check
