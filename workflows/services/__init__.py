"""Trusted Python the processes' service tasks call, registered by operator name (`spiffworkflow:serviceTaskOperator`).

Handlers get an `engine.expressions.ServiceCall` (task data copy, evaluated parameters, and the engine call's
context with its database session) and return JSON-able data, stored in the task's result variable.
They run inside the engine's transaction: what they write is committed with the step, or not at all.
"""

from __future__ import annotations

from engine.expressions import ServiceRegistry

from . import contracts, notifications


def register_services(registry: ServiceRegistry) -> ServiceRegistry:
    """Register every handler of the office's processes."""
    for module in (contracts, notifications):
        for name, handler in module.HANDLERS.items():
            registry.register(name, handler)
    return registry
