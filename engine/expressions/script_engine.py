"""SafeScriptEngine: SpiffWorkflow's script engine on SafeEnvironment, with service tasks from a registry."""

from __future__ import annotations

import json
import sys
import traceback
from collections.abc import Callable, Mapping
from copy import deepcopy
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any

from SpiffWorkflow.bpmn.exceptions import WorkflowTaskException
from SpiffWorkflow.bpmn.script_engine import PythonScriptEngine
from SpiffWorkflow.bpmn.specs.mixins.multiinstance_task import MultiInstanceTask
from SpiffWorkflow.exceptions import SpiffWorkflowException

from ..context import CallContext, current_call
from ..errors import UnsafeExpression
from .checker import check_source
from .environment import SafeEnvironment

MAX_INSTANCES = 1_000  # largest multi-instance loop cardinality
_SHOWN = 200            # characters of an expression quoted in an error message


@dataclass
class ServiceCall:
    """What a service-task handler receives: a copy of the task data, evaluated parameters, the call."""

    task_data: dict[str, Any]
    params: dict[str, Any]
    context: CallContext | None
    operation: str = ""


ServiceHandler = Callable[[ServiceCall], Any]


class ServiceRegistry:
    """The trusted service-task operators, by name (spiffworkflow:serviceTaskOperator id)."""

    def __init__(self) -> None:
        self._handlers: dict[str, ServiceHandler] = {}

    def register(self, name: str, fn: ServiceHandler) -> ServiceHandler:
        """Register `fn` as operator `name`; returns `fn` so it also works as a decorator target."""
        if not isinstance(name, str) or not name.strip():
            raise ValueError("a service operator needs a name")
        if not callable(fn):
            raise TypeError(f"the handler for service operator {name!r} is not callable")
        if self._handlers.get(name, fn) is not fn:
            raise ValueError(f"service operator {name!r} is already registered")
        self._handlers[name] = fn
        return fn

    def names(self) -> list[str]:
        """The registered operator names, sorted."""
        return sorted(self._handlers)

    def get(self, name: str) -> ServiceHandler | None:
        """The handler registered as `name`, or None."""
        return self._handlers.get(name)

    def __contains__(self, name: object) -> bool:
        return name in self._handlers


def _json_default(value: Any) -> Any:
    if isinstance(value, date):  # date and datetime
        return value.isoformat()
    if isinstance(value, Decimal):
        return str(value)
    raise TypeError(f"a service result may not contain {type(value).__name__} values")


def _check_cardinality(task: Any, result: Any) -> None:
    """Spiff creates one child task per number without a limit; refuse absurd counts first."""
    if isinstance(result, bool) or not isinstance(result, int) or not 0 <= result <= MAX_INSTANCES:
        raise WorkflowTaskException(f"The loop cardinality must be a whole number from 0 to "
                                    f"{MAX_INSTANCES:,}, not {_shown(repr(result))}", task=task)


def _shown(text: Any) -> str:
    text = str(text)
    return text if len(text) <= _SHOWN else text[:_SHOWN] + "…"


def validate_expression(expression: str) -> None:
    """check_source in eval mode, but a syntax error is raised as a SyntaxError with a line number."""
    try:
        check_source(expression, "eval")
    except UnsafeExpression as exc:
        if exc.details.get("construct") != "syntax":
            raise
        line = exc.line or 1
        lines = str(expression or "").splitlines()
        text = lines[line - 1] if line <= len(lines) else ""
        raise SyntaxError(exc.details.get("reason", exc.message), ("<string>", line, 1, text)) from exc


class SafeScriptEngine(PythonScriptEngine):
    """The engine's script engine: every expression and script is checked before it runs."""

    def __init__(self, services: ServiceRegistry | None = None,
                 helpers: Mapping[str, Callable[..., Any]] | None = None) -> None:
        super().__init__(environment=SafeEnvironment(helpers))
        self.services = services if services is not None else ServiceRegistry()

    def validate(self, expression: str) -> None:
        """Check an expression; a syntax error is raised as SyntaxError (Spiff's DMN engine relies on it)."""
        validate_expression(expression)

    def evaluate(self, task: Any, expression: str, external_context: Mapping[str, Any] | None = None) -> Any:
        """Evaluate in the task's data; failures become WorkflowTaskException naming the reason."""
        try:
            result = self.environment.evaluate(expression, task.data, external_context)
        except SpiffWorkflowException as exc:
            exc.add_note(f"Error evaluating expression '{_shown(expression)}'")
            raise
        except Exception as exc:
            wte = WorkflowTaskException(f"Error evaluating expression '{_shown(expression)}': {exc}",
                                        task=task, exception=exc, line_number=getattr(exc, "line", None))
            wte.exception = exc
            raise wte from exc
        spec = getattr(task, "task_spec", None)
        cardinality = spec.cardinality if isinstance(spec, MultiInstanceTask) else None
        if cardinality is not None and expression == cardinality:
            _check_cardinality(task, result)
        return result

    def call_service(self, task: Any, operation_name: str | None = None,
                     operation_params: Mapping[str, Any] | None = None, **kwargs: Any) -> str:
        """Run the registered handler for `operation_name`; return its result as JSON text."""
        handler = self.services.get(operation_name) if operation_name else None
        if handler is None:
            known = ", ".join(self.services.names()) or "none"
            raise WorkflowTaskException(f"The service task operator '{operation_name}' is not registered "
                                        f"(registered: {known})", task=task)
        params = {name: p["value"] if isinstance(p, Mapping) and "value" in p else p
                  for name, p in (operation_params or {}).items()}
        call = ServiceCall(task_data=deepcopy(task.data), params=params, context=current_call(),
                           operation=operation_name)
        try:
            return json.dumps(handler(call), default=_json_default)
        except Exception as exc:
            wte = WorkflowTaskException(f"The service task operator '{operation_name}' failed: "
                                        f"{type(exc).__name__}: {exc}", task=task, exception=exc)
            wte.exception = exc
            raise wte from exc

    def create_task_exec_exception(self, task: Any, script: str, err: Exception) -> Exception:
        """Like Spiff's, but safe for non-text exception arguments and aware of refused lines."""
        line_number, error_line = self.get_error_line_number_and_content(script, err)
        if isinstance(err, SpiffWorkflowException):
            err.line_number, err.error_line = line_number, error_line
            err.add_note(f"Python script error on line {line_number}: '{error_line}'")
            return err
        detail = type(err).__name__ + (f": {err.args[0]}" if err.args else "")
        wte = WorkflowTaskException(detail, task=task, exception=err, line_number=line_number,
                                    error_line=error_line)
        wte.exception = err
        wte.__cause__ = err
        return wte

    def get_error_line_number_and_content(self, script: str, err: Exception) -> tuple[int, str]:
        """The script line an error happened on (0 and '' when unknown)."""
        line_number = 0
        if isinstance(err, UnsafeExpression):
            line_number = err.line or 0
        elif isinstance(err, SyntaxError):
            line_number = err.lineno or 0
        else:
            for frame in traceback.extract_tb(sys.exc_info()[2] or err.__traceback__):
                if frame.filename == "<string>":
                    line_number = frame.lineno or 0
        lines = (script or "").splitlines()
        error_line = lines[line_number - 1] if 0 < line_number <= len(lines) else ""
        return line_number, error_line
