"""Trusted Python the processes' service tasks call, registered by operator name (`spiffworkflow:serviceTaskOperator`).

Handlers get an `engine.expressions.ServiceCall` (task data copy, evaluated parameters, and the engine call's
context with its database session) and return JSON-able data, stored in the task's result variable.
They run inside the engine's transaction: what they write is committed with the step, or not at all.
"""

from __future__ import annotations

import importlib
import pkgutil

from engine.expressions import ServiceRegistry


def register_services(registry: ServiceRegistry) -> ServiceRegistry:
    """Register every handler of the office's processes: each module here exports a `HANDLERS` dict."""
    for info in sorted(pkgutil.iter_modules(__path__), key=lambda m: m.name):
        module = importlib.import_module(f"{__name__}.{info.name}")
        for name, handler in getattr(module, "HANDLERS", {}).items():
            registry.register(name, handler)
    return registry
