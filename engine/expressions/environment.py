"""SafeEnvironment: Spiff's TaskDataEnvironment semantics, but only checked code runs, with safe builtins."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from SpiffWorkflow.bpmn.script_engine.python_environment import BasePythonScriptEngineEnvironment

from .checker import check_source
from .library import GUARDS, SAFE_BUILTINS, SAFE_HELPERS, metered


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
