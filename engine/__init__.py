"""Fagflyt's generic BPMN case engine: SpiffWorkflow with durable, concurrent-safe state.

Knows nothing of Flask, forms, the web or apprenticeships. The public face is `CaseEngine`.
"""

from .clock import Clock, FixedClock, SystemClock
from .errors import (
    EngineError,
    ExpressionFailed,
    InvalidState,
    NotFound,
    Problem,
    ProcessFailed,
    TaskConflict,
    UnsafeDefinition,
    UnsafeExpression,
)
from .runtime import CaseEngine

__all__ = [
    "CaseEngine",
    "Clock",
    "EngineError",
    "ExpressionFailed",
    "FixedClock",
    "InvalidState",
    "NotFound",
    "ProcessFailed",
    "Problem",
    "SystemClock",
    "TaskConflict",
    "UnsafeDefinition",
    "UnsafeExpression",
]
