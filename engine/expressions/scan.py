"""Deploy-time scanner: find every expression site in parsed SpiffWorkflow 3.2.0 specs and check it."""

from __future__ import annotations

import ast
import keyword
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from datetime import datetime
from types import SimpleNamespace
from typing import Any

from SpiffWorkflow.bpmn.specs.event_definitions.conditional import ConditionalEventDefinition
from SpiffWorkflow.bpmn.specs.event_definitions.message import MessageEventDefinition
from SpiffWorkflow.bpmn.specs.event_definitions.multiple import MultipleEventDefinition
from SpiffWorkflow.bpmn.specs.event_definitions.timer import (
    CycleTimerEventDefinition,
    DurationTimerEventDefinition,
    TimeDateEventDefinition,
    TimerEventDefinition,
)
from SpiffWorkflow.bpmn.specs.mixins.multiinstance_task import MultiInstanceTask, StandardLoopTask
from SpiffWorkflow.bpmn.specs.mixins.script_task import ScriptTask
from SpiffWorkflow.dmn.engine.DMNEngine import DMNEngine
from SpiffWorkflow.spiff.specs.event_definitions import (
    ErrorEventDefinition,
    EscalationEventDefinition,
    SignalEventDefinition,
    SpiffItemAwareEventDefinition,
)

from ..errors import Problem, UnsafeExpression
from .checker import check_source
from .library import MAX_SOURCE_CHARS
from .script_engine import validate_expression

# spiffworkflow:properties the engine evaluates as expressions (see engine/projections.py)
EXPRESSION_PROPERTIES = ("dueDate", "scope", "assignee")
_DMN_INPUT_PLACEHOLDER = "dmn_input"


@dataclass(frozen=True)
class _Site:
    site: str                         # what the Problem calls the site: "script", "condition", ...
    source: str | None                # the text SpiffWorkflow evaluates
    mode: str = "eval"                # "eval", "exec", "name" (a plain data name) or "note" (message only)
    detail: str = ""                  # which part of the element: "flow to 'x'", "rule 2, input 'Age'"
    timer: type | None = None         # the timer event definition class, for the ISO-8601 check


def scan_specs(spec: Any, subprocess_specs: Mapping[str, Any]) -> list[Problem]:
    """Check every expression a process and its subprocesses can evaluate; one Problem per finding."""
    problems: list[Problem] = []
    for process in (spec, *subprocess_specs.values()):
        file = getattr(process, "file", None)
        condition = getattr(process, "completion_condition", None)
        if condition is not None:
            site = _Site("completion condition", condition)
            problems += _check(site, process.name, process.description, file)
        for task_spec in process.task_specs.values():
            element_id = getattr(task_spec, "bpmn_id", None) or task_spec.name
            for site in _sites(task_spec):
                problems += _check(site, element_id, getattr(task_spec, "bpmn_name", None), file)
    return problems


def _sites(task_spec: Any) -> Iterator[_Site]:
    if isinstance(task_spec, ScriptTask):
        yield _Site("script", task_spec.script, "exec")
    for attr, label in (("prescript", "pre-script"), ("postscript", "post-script")):
        if getattr(task_spec, attr, None) is not None:
            yield _Site(label, getattr(task_spec, attr), "exec")
    for condition, target in getattr(task_spec, "cond_task_specs", ()):
        if condition is not None:
            yield _Site("condition", condition.args[0], detail=f"flow to '{target}'")
    if getattr(task_spec, "event_definition", None) is not None:
        yield from _event_sites(task_spec.event_definition)
    if isinstance(task_spec, MultiInstanceTask):
        if task_spec.cardinality is not None:
            yield _Site("loop cardinality", task_spec.cardinality)
        if task_spec.condition is not None:
            yield _Site("completion condition", task_spec.condition)
        for ref in (task_spec.data_input, task_spec.data_output, task_spec.input_item, task_spec.output_item):
            if ref is not None:
                yield _Site("loop data", getattr(ref, "bpmn_id", None), "name")
    if isinstance(task_spec, StandardLoopTask) and task_spec.condition is not None:
        yield _Site("loop condition", task_spec.condition)
    for name, param in (getattr(task_spec, "operation_params", None) or {}).items():
        yield _Site("service parameter", param.get("value"), detail=f"parameter '{name}'")
    if getattr(task_spec, "dmnEngine", None) is not None:
        yield from _dmn_sites(task_spec.dmnEngine.decision_table)
    properties = (getattr(task_spec, "extensions", None) or {}).get("properties") or {}
    for name in EXPRESSION_PROPERTIES:
        if properties.get(name):
            yield _Site("task property", properties[name], detail=f"property '{name}'")


def _event_sites(definition: Any) -> Iterator[_Site]:
    if isinstance(definition, MultipleEventDefinition):
        for inner in definition.event_definitions:
            yield from _event_sites(inner)
    elif isinstance(definition, TimerEventDefinition):
        yield _Site("timer", definition.expression, timer=type(definition))
    elif isinstance(definition, ConditionalEventDefinition):
        yield _Site("event condition", definition.expression)
    elif isinstance(definition, MessageEventDefinition):
        if getattr(definition, "expression", None) is not None:
            yield _Site("message payload", definition.expression)
        for prop in [*definition.correlation_properties, *getattr(definition, "process_correlations", [])]:
            yield _Site("correlation", prop.retrieval_expression, detail=f"property '{prop.name}'")
        if getattr(definition, "message_var", None) is not None:
            yield _Site("message variable", definition.message_var, "name")
    elif isinstance(definition, SpiffItemAwareEventDefinition):
        kind = {SignalEventDefinition: "signal", ErrorEventDefinition: "error",
                EscalationEventDefinition: "escalation"}.get(type(definition), "event")
        if definition.expression is not None:
            yield _Site(f"{kind} payload", definition.expression)
        if definition.variable is not None:
            yield _Site(f"{kind} variable", definition.variable, "name")


class _Recorder:
    """Stands in for the script engine so Spiff's own DMNEngine shows which strings it would evaluate."""

    def __init__(self) -> None:
        self.seen: list[str] = []

    def validate(self, expression: str) -> None:
        validate_expression(expression)

    def evaluate(self, task: Any, expression: str, external_context: Any = None) -> bool:
        self.seen.append(expression)
        return True


def _dmn_sites(table: Any) -> Iterator[_Site]:
    usable: set[str] = set()
    for item in table.inputs:
        label = item.label or item.name or item.id
        if item.expression is None:
            yield _Site("DMN input expression", "has no input expression (SpiffWorkflow would fall back to "
                        "the task data field named by its label)", "note", f"input '{label}'")
            continue
        yield _Site("DMN input expression", item.expression, detail=f"input '{label}'")
        if _is_safe(item.expression):
            usable.add(item.expression)
    for rule in table.rules:
        for entry in rule.inputEntries:
            column = entry.input
            expression = column.expression if column.expression in usable else _DMN_INPUT_PLACEHOLDER
            detail = f"rule {rule.row_number}, input '{column.label or column.name or column.id}'"
            for text in (t for t in entry.lhs if t is not None):
                yield from _entry_sites(table, expression, text, detail)
        for out in rule.outputEntries:
            if out.text:
                label = out.output.label or out.output.name or out.output.id
                yield _Site("DMN output entry", out.text, detail=f"rule {rule.row_number}, output '{label}'")


def _entry_sites(table: Any, input_expr: str, text: str, detail: str) -> Iterator[_Site]:
    """Let Spiff's own DMNEngine build the strings it would evaluate for one input entry, and check them."""
    recorder = _Recorder()
    task = SimpleNamespace(workflow=SimpleNamespace(script_engine=recorder), data={})
    try:
        DMNEngine(table).evaluate(input_expr, text, task)
    except UnsafeExpression as exc:
        yield _Site("DMN input entry", str(exc.details.get("reason", exc.message)), "note", detail)
        return
    except SyntaxError as exc:
        yield _Site("DMN input entry", f"syntax error: {exc.msg}", "note", detail)
        return
    for source in recorder.seen:
        if source == input_expr + text and _glued(input_expr, text):
            yield _Site("DMN input entry", f"SpiffWorkflow joins the input and this entry without a space "
                        f"({source!r}); start the entry with a space or use '?', e.g. '? {text.strip()}'",
                        "note", detail)
        elif source != input_expr:
            yield _Site("DMN input entry", source, detail=detail)


def _glued(left: str, right: str) -> bool:
    return bool(left) and bool(right) and (left[-1].isalnum() or left[-1] == "_") \
        and (right[0].isalnum() or right[0] == "_")


def _is_safe(source: str) -> bool:
    try:
        check_source(source, "eval")
    except UnsafeExpression:
        return False
    return True


def _check(site: _Site, element_id: str | None, element_name: str | None, file: str | None) -> list[Problem]:
    if site.mode == "note":
        findings = [(site.source or "", None)]
    elif site.mode == "name":
        findings = [] if _usable_name(site.source) else \
            [(f"'{site.source}' is not a usable data name (letters, digits and '_', not starting with '_' or "
              "a digit, not a Python keyword)", None)]
    elif site.timer is not None:
        findings = _timer_findings(site.source, site.timer)
    else:
        findings = _code_findings(site.source, site.mode)
    prefix = f"{site.detail}: " if site.detail else ""
    return [Problem(prefix + reason, element_id=element_id, element_name=element_name, file=file, line=line,
                    site=site.site) for reason, line in findings]


def _code_findings(source: str | None, mode: str) -> list[tuple[str, int | None]]:
    try:
        check_source(source, mode)  # type: ignore[arg-type]
    except UnsafeExpression as exc:
        return [(str(exc.details.get("reason", exc.message)), exc.line)]
    return []


def _usable_name(name: str | None) -> bool:
    return bool(name) and name.isidentifier() and not keyword.iskeyword(name) and not name.startswith("_")


def _timer_findings(source: str | None, timer: type) -> list[tuple[str, int | None]]:
    text = (source or "").strip()
    literal = _string_literal(text)
    if text and literal is None and _iso_valid(text, timer):
        return [(f"the timer expression {text} is read as Python, not as text; did you mean \"{text}\" in "
                 "quotes?", None)]
    findings = _code_findings(source, "eval")
    if not findings and literal is not None:
        problem = _iso_problem(literal, timer)
        findings = [(problem, None)] if problem else []
    return findings


def _string_literal(text: str) -> str | None:
    if len(text) > MAX_SOURCE_CHARS:
        return None
    try:
        body = ast.parse(text, mode="eval").body
    except (SyntaxError, ValueError, MemoryError, RecursionError):
        return None
    return body.value if isinstance(body, ast.Constant) and isinstance(body.value, str) else None


def _is_duration(text: str) -> bool:
    return text.upper().startswith("P") and bool(TimerEventDefinition.parse_iso_duration(text))


def _is_cycle(text: str) -> bool:
    TimerEventDefinition.parse_iso_recurring_interval(text)
    return text.upper().startswith("R")


def _is_moment(text: str) -> bool:
    return isinstance(TimerEventDefinition.parse_time_or_duration(text), datetime)


_TIMER_FORMATS: dict[type, tuple[Callable[[str], bool], str]] = {
    DurationTimerEventDefinition: (_is_duration, 'an ISO-8601 duration such as "P14D" or "PT1H"'),
    CycleTimerEventDefinition: (_is_cycle, 'an ISO-8601 repeating interval such as "R3/P1D"'),
    TimeDateEventDefinition: (_is_moment, 'an ISO-8601 date and time such as "2026-08-01T09:00:00+02:00"'),
}


def _iso_valid(text: str, timer: type) -> bool:
    """Whether SpiffWorkflow's own timer parser accepts `text` for this kind of timer."""
    valid = next((v for cls, (v, _) in _TIMER_FORMATS.items() if issubclass(timer, cls)), None)
    try:
        return valid is not None and valid(text)
    except Exception:  # noqa: BLE001 - Spiff's parsers raise bare Exception, AttributeError, ValueError...
        return False


def _iso_problem(text: str, timer: type) -> str | None:
    """Why `text` is not a usable value for this timer (None when it is fine)."""
    wanted = next((w for cls, (_, w) in _TIMER_FORMATS.items() if issubclass(timer, cls)), None)
    if wanted is None:
        return None
    if not _iso_valid(text, timer):
        return f"\"{text}\" is not {wanted}"
    if timer is TimeDateEventDefinition and "W" not in text.upper() \
            and datetime.fromisoformat(text).tzinfo is None:
        return (f"\"{text}\" has no time zone offset, so it would be read in the server's local time; add "
                "one, e.g. +02:00 or Z")
    return None
