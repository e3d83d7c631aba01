"""Moving a running process instance to another version of its definition, after a check.

SpiffWorkflow aligns the old and new specs by BPMN id (`SpiffWorkflow.bpmn.util.diff`). A migration is
refused when a step the instance stands on — or has passed — is gone from the new version (its saved
state could not be restored), or when a subprocess it runs is missing; otherwise the waiting part of the
instance is re-predicted on the new version and the instance points at the new definition row.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from SpiffWorkflow.bpmn.util.diff import SpecDiff, WorkflowDiff, migrate_workflow
from SpiffWorkflow.util.task import TaskState

ACTIVE = TaskState.READY | TaskState.WAITING | TaskState.STARTED


def _label(spec) -> str:  # type: ignore[no-untyped-def]
    return spec.bpmn_name or spec.bpmn_id or spec.name


def _visible(spec) -> bool:  # type: ignore[no-untyped-def]
    """Whether a task spec is a BPMN element (not one of SpiffWorkflow's internal start/end specs)."""
    return bool(getattr(spec, "bpmn_id", None))


@dataclass
class MigrationCheck:
    """What moving one instance to a target version would change, and why it would be refused."""

    instance_id: int
    from_version: int
    to_version: int
    added: list[str] = field(default_factory=list)
    removed: list[str] = field(default_factory=list)
    changed: list[str] = field(default_factory=list)
    active_steps: list[str] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)

    @property
    def allowed(self) -> bool:
        """Whether the migration may go ahead."""
        return not self.problems


def plan(workflow, new_spec, new_subprocesses, registry) -> tuple[WorkflowDiff, dict, MigrationCheck]:  # type: ignore[no-untyped-def]
    """Diff a live workflow against a new spec (and its subprocess specs); name what would block it."""
    spec_diff = SpecDiff(registry, workflow.spec, new_spec)
    top = WorkflowDiff(workflow, spec_diff)
    check = MigrationCheck(0, 0, 0)
    check.added = sorted(_label(s) for s in spec_diff.added if _visible(s))
    check.removed = sorted(_label(s) for s in spec_diff.removed if _visible(s))
    check.changed = sorted(_label(s) for s in spec_diff.changed if _visible(s))
    check.active_steps = sorted({_label(t.task_spec) for t in workflow.get_tasks(state=ACTIVE, skip_subprocesses=True)
                                 if _visible(t.task_spec)})
    for task in top.removed:
        where = "stands on" if task.state & ACTIVE else "has passed"
        check.problems.append(f"The case {where} “{_label(task.task_spec)}”, which the new version no longer has.")
    # SpiffWorkflow may align a removed step with a different one by its position; a step the case stands on
    # must exist under its own id, or the case would silently continue somewhere else.
    for task in workflow.get_tasks(state=ACTIVE, skip_subprocesses=True):
        if _visible(task.task_spec) and task.task_spec.name not in new_spec.task_specs:
            check.problems.append(f"The case stands on “{_label(task.task_spec)}”, which the new version "
                                  "no longer has.")
    sub_diffs = {}
    for sp_id, sub in workflow.subprocesses.items():
        new_sub = new_subprocesses.get(sub.spec.name)
        if new_sub is None:
            check.problems.append(f"The case runs the subprocess “{sub.spec.name}”, which the new version lacks.")
            continue
        sub_diff = WorkflowDiff(sub, SpecDiff(registry, sub.spec, new_sub))
        for task in sub_diff.removed:
            check.problems.append(f"The case stands on or has passed “{_label(task.task_spec)}” in "
                                  f"“{sub.spec.name}”, which the new version no longer has.")
        sub_diffs[sp_id] = (sub_diff, new_sub)
    check.problems = sorted(set(check.problems))
    return top, sub_diffs, check


def apply(workflow, new_spec, top: WorkflowDiff, sub_diffs: dict) -> None:  # type: ignore[no-untyped-def]
    """Point the workflow and its subprocesses at the new specs and re-predict what waits."""
    for sp_id, (sub_diff, new_sub) in sub_diffs.items():
        migrate_workflow(sub_diff, workflow.subprocesses[sp_id], new_sub)
    migrate_workflow(top, workflow, new_spec)
