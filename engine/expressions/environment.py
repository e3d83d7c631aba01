"""The run-time guards checked code calls, and SafeEnvironment: Spiff's TaskDataEnvironment, made safe."""

from __future__ import annotations

import itertools
from collections.abc import Callable, Iterable, Iterator, Mapping
from typing import Any

from SpiffWorkflow.bpmn.script_engine.python_environment import BasePythonScriptEngineEnvironment

from ..errors import ExpressionFailed
from .checker import check_source
from .library import (
    ALLOWED_ATTRIBUTES,
    GROWING_METHODS,
    IMMUTABLE_OR_GUARDED,
    MEASURED,
    SAFE_BUILTINS,
    SAFE_HELPERS,
    SCANNED,
    SCANNING_METHODS,
    check_add,
    check_lshift,
    check_mul,
    check_pow,
    metered,
    spend,
)


def count_steps(value: Any) -> Iterable[Any]:
    """The iterable of a loop or comprehension: each step counts as work; lists stop at their start length."""
    if isinstance(value, list):
        size = len(value)
        spend(size)
        return itertools.islice(value, size)
    if isinstance(value, IMMUTABLE_OR_GUARDED):
        spend(len(value))
        return value
    return _counted(iter(value))


def _counted(items: Iterator[Any]) -> Iterator[Any]:
    for item in items:
        spend(1)
        yield item


def count_size(value: Any) -> Any:
    """Count the size of a value just built (call result, slice, f-string, unpacking) as work."""
    if isinstance(value, MEASURED):
        spend(len(value))
    return value


# -- guards: checked code calls these (by their reserved `_g_` names) instead of the risky operators --
def guarded_mul(a: Any, b: Any) -> Any:
    """`a * b` within the size limits."""
    check_mul(a, b)
    return a * b


def guarded_imul(a: Any, b: Any) -> Any:
    """`a *= b` (in place for lists) within the size limits."""
    check_mul(a, b)
    a *= b
    return a


def guarded_pow(a: Any, b: Any) -> Any:
    """`a ** b` within the size limits."""
    check_pow(a, b)
    return a ** b


def guarded_lshift(a: Any, b: Any) -> Any:
    """`a << b` within the size limits."""
    check_lshift(a, b)
    return a << b


def guarded_add(a: Any, b: Any) -> Any:
    """`a + b` within the size limits."""
    check_add(a, b)
    return a + b


def guarded_iadd(a: Any, b: Any) -> Any:
    """`a += b` (in place for lists) within the size limits."""
    check_add(a, b)
    a += b
    return a


def guarded_mod(a: Any, b: Any) -> Any:
    """`a % b` for numbers; %-formatting of text is refused (it can pad without limit)."""
    if isinstance(a, (str, bytes)):
        raise ExpressionFailed("'%' formatting of text is not available; use an f-string")
    return a % b


def guarded_in(item: Any, container: Any) -> bool:
    """`item in container`; scanning a list, tuple or text counts as work (dict and set lookups don't)."""
    if isinstance(container, SCANNED):
        spend(len(container))
    return item in container


def guarded_call(obj: Any, name: str, /, *args: Any, **kwargs: Any) -> Any:
    """`obj.name(*args, **kwargs)` for an allowlisted method; what it walks or builds counts as work."""
    if name not in ALLOWED_ATTRIBUTES:
        raise ExpressionFailed(f"the method '.{name}()' is not available")
    if name in GROWING_METHODS and args and hasattr(args[0], "__len__"):
        spend(len(args[0]))
    elif name in SCANNING_METHODS and hasattr(obj, "__len__"):
        spend(len(obj))
    return count_size(getattr(obj, name)(*args, **kwargs))


GUARDS: dict[str, Callable[..., Any]] = {
    "_g_mul": guarded_mul, "_g_imul": guarded_imul, "_g_pow": guarded_pow, "_g_lshift": guarded_lshift,
    "_g_add": guarded_add, "_g_iadd": guarded_iadd, "_g_mod": guarded_mod, "_g_in": guarded_in,
    "_g_iter": count_steps, "_g_size": count_size, "_g_call": guarded_call,
}


class SafeEnvironment(BasePythonScriptEngineEnvironment):
    """Evaluates expressions and runs scripts in task data, after check_source, with a work budget."""

    def __init__(self, helpers: Mapping[str, Callable[..., Any]] | None = None) -> None:
        merged = dict(SAFE_HELPERS)
        merged.update(helpers or {})
        for name, fn in merged.items():
            if not name.isidentifier() or name.startswith("_") or not callable(fn):
                raise ValueError(f"a helper needs a plain public name and a callable: {name!r}")
        super().__init__(merged)

    @staticmethod
    def _protect(target: dict[str, Any]) -> None:
        """Put guards and the safe builtins in last, so neither task data nor context can replace them."""
        target.update(GUARDS)
        target["__builtins__"] = SAFE_BUILTINS

    def evaluate(self, expression: str, context: Mapping[str, Any],
                 external_context: Mapping[str, Any] | None = None) -> Any:
        """Evaluate a checked expression with helpers, external context and task data as globals."""
        code = check_source(expression, "eval")
        scope = dict(self.globals)
        scope.update(external_context or {})
        scope.update(context)
        self._protect(scope)
        with metered():
            return eval(code, scope)  # noqa: S307 - code passed check_source and runs with safe builtins

    def execute(self, script: str, context: dict[str, Any],
                external_context: Mapping[str, Any] | None = None) -> bool:
        """Run a checked script in the task data dict, then remove helpers, builtins and callables."""
        code = check_source(script, "exec")
        external = dict(external_context or {})
        self.check_for_overwrite(context, external)
        context.update(self.globals)
        context.update(external)
        self._protect(context)
        try:
            with metered():
                exec(code, context)  # noqa: S102 - code passed check_source and runs with safe builtins
        finally:
            self._clean(context, external)
        return True

    def _clean(self, context: dict[str, Any], external: Mapping[str, Any]) -> None:
        for key in list(context):
            if key == "__builtins__" or key in GUARDS or key in self.globals or key in external \
                    or callable(context[key]):
                context.pop(key)

    def check_for_overwrite(self, context: Mapping[str, Any], external_context: Mapping[str, Any]) -> None:
        """Refuse task data that would hide a helper: the script could no longer call it."""
        clashes = (set(self.globals) | set(external_context)) & set(context)
        if clashes:
            raise ValueError("You have task data that overwrites a predefined function(s). Please change the "
                             f"following variable or field name(s) to something else: {sorted(clashes)}")
