"""Every workaround for a SpiffWorkflow 3.2.0 defect, in one place (see engine-notes §5 and docs/engine.md).

Each fix is a small, named function applied once by `apply_all()`; each has a test in
tests/engine/test_spiff_defects.py that fails when the fix is switched off.
"""

from __future__ import annotations

from copy import deepcopy
from datetime import date, datetime
from decimal import Decimal

from SpiffWorkflow.bpmn.specs.event_definitions import timer as spiff_timer
from SpiffWorkflow.bpmn.specs.event_definitions.message import MessageEventDefinition
from SpiffWorkflow.bpmn.util.task import BpmnTaskIterator
from SpiffWorkflow.task import Task
from SpiffWorkflow.util.deep_merge import DeepMerge
from SpiffWorkflow.util.task import TaskIterator, TaskState

from .clock import active_clock

DEEP_ITERATION_LIMIT = 10**7
_ORIGINALS: dict[str, object] = {}
_IMMUTABLE = (str, int, float, bool, type(None), date, datetime, Decimal, bytes)


def data_copy(value: object) -> object:
    """Deep-copy JSON-like task data quickly (dicts, lists, sets, tuples of immutable leaves)."""
    if isinstance(value, _IMMUTABLE):
        return value
    if isinstance(value, dict):
        return {k: data_copy(v) for k, v in value.items()}
    if isinstance(value, list):
        return [data_copy(v) for v in value]
    if isinstance(value, tuple):
        return tuple(data_copy(v) for v in value)
    if isinstance(value, set):
        return {data_copy(v) for v in value}
    return deepcopy(value)


# 1. Task-data aliasing (3.2.0 copies parent data one level deep, so nested dicts are shared
#    between a task and its completed ancestors; a script mutating a nested value rewrites history).
def _inherit_data_deep(self: Task) -> None:
    self.data = DeepMerge.merge(self.data, data_copy(self.parent.data))


def fix_data_aliasing() -> None:
    """Make a task inherit a deep copy of its parent's data, as 3.1 did."""
    _ORIGINALS.setdefault("inherit", Task._inherit_data)
    Task._inherit_data = _inherit_data_deep  # type: ignore[method-assign]


def unalias_after_load(workflow: object) -> None:
    """Deep-copy the data of unfinished tasks after deserializing (the loader also copies one level)."""
    workflows = [workflow, *getattr(workflow, "subprocesses", {}).values()]
    for wf in workflows:
        for task in wf.tasks.values():  # type: ignore[attr-defined]
            if not task.has_state(TaskState.FINISHED_MASK):
                task.data = data_copy(task.data)


# 2. The silent depth-1000 stall: TaskIterator stops descending at depth 1000, so in long-lived
#    loops READY tasks become invisible to get_tasks() and do_engine_steps() without any error.
def _with_default(func: object, name: str, value: object) -> None:
    code = func.__code__  # type: ignore[attr-defined]
    names = code.co_varnames[1 : code.co_argcount]
    defaults = list(func.__defaults__)  # type: ignore[attr-defined]
    index = len(defaults) - (len(names) - names.index(name))
    defaults[index] = value
    func.__defaults__ = tuple(defaults)  # type: ignore[attr-defined]


def fix_depth_limit(limit: int = DEEP_ITERATION_LIMIT) -> None:
    """Raise the default max_depth of every task iterator so deep trees stay visible."""
    _with_default(TaskIterator.__init__, "max_depth", limit)
    _with_default(BpmnTaskIterator.__init__, "max_depth", limit)


# 3. Timers read datetime.now() directly (no clock injection). Route them to the active clock.
class _ClockDatetime(datetime):
    @classmethod
    def now(cls, tz=None):  # type: ignore[no-untyped-def, override]
        current = active_clock().now()
        return current.astimezone(tz) if tz is not None else current.replace(tzinfo=None)


def fix_timer_clock() -> None:
    """Make SpiffWorkflow's timer events read the engine's clock instead of the wall clock."""
    _ORIGINALS.setdefault("timer_datetime", spiff_timer.datetime)
    spiff_timer.datetime = _ClockDatetime  # type: ignore[misc]


# 4. Correlation accepts a partial key match: `any(...)` over the event's keys. Require all.
def _catches_all_keys(self: MessageEventDefinition, my_task: Task, event: object) -> bool:
    if self != event.event_definition:  # type: ignore[attr-defined]
        return False
    known = my_task.workflow.correlations
    if not self.correlation_properties or not known:
        return True
    incoming = event.correlations  # type: ignore[attr-defined]
    shared = [key for key in incoming if key in known]
    return all(incoming[key] == known[key] for key in shared)


def fix_partial_correlation() -> None:
    """Deliver a message only when every shared correlation key matches."""
    _ORIGINALS.setdefault("catches", MessageEventDefinition.catches)
    MessageEventDefinition.catches = _catches_all_keys  # type: ignore[method-assign]


# 5. to_dict() is not JSON-safe with dates, and `date`/`Decimal` are not registered at all.
def register_data_types(registry: object) -> None:
    """Teach a serializer registry the value types form data carries (date, Decimal)."""
    registry.register(date, lambda v: {"value": v.isoformat()},  # type: ignore[attr-defined]
                      lambda v: date.fromisoformat(v["value"]))
    registry.register(Decimal, lambda v: {"value": str(v)},  # type: ignore[attr-defined]
                      lambda v: Decimal(v["value"]))


_applied = False


def apply_all() -> None:
    """Apply every workaround once; safe to call repeatedly."""
    global _applied
    if _applied:
        return
    fix_data_aliasing()
    fix_depth_limit()
    fix_timer_clock()
    fix_partial_correlation()
    _applied = True


def undo_for_test(name: str) -> None:
    """Switch one workaround off again (tests prove each fix is needed)."""
    global _applied
    if name == "aliasing":
        Task._inherit_data = _ORIGINALS["inherit"]  # type: ignore[method-assign, assignment]
    elif name == "depth":
        fix_depth_limit(1000)
    elif name == "clock":
        spiff_timer.datetime = _ORIGINALS["timer_datetime"]  # type: ignore[misc, assignment]
    elif name == "correlation":
        MessageEventDefinition.catches = _ORIGINALS["catches"]  # type: ignore[method-assign, assignment]
    _applied = False
