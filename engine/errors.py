"""Errors the engine raises to its callers; each carries a message fit to show a user."""

from __future__ import annotations


class EngineError(Exception):
    """Base class of every error the case engine raises on purpose."""

    code = "engine_error"

    def __init__(self, message: str, **details: object) -> None:
        super().__init__(message)
        self.message = message
        self.details = details

    def to_dict(self) -> dict[str, object]:
        """Return a JSON-safe description of the error for an API body."""
        return {"error": self.code, "message": self.message, **{k: v for k, v in self.details.items()}}


class NotFound(EngineError):
    """The case, task, definition or subscription asked for does not exist."""

    code = "not_found"


class TaskConflict(EngineError):
    """Someone else changed the task first (completed, claimed or cancelled it)."""

    code = "conflict"


class InvalidState(EngineError):
    """The call does not fit the current state of the case (e.g. it is suspended)."""

    code = "invalid_state"


class UnsafeDefinition(EngineError):
    """A BPMN/DMN document was refused: unsafe XML, a parse error or an unsafe expression."""

    code = "invalid_definition"

    def __init__(self, message: str, problems: list[Problem] | None = None, **details: object) -> None:
        super().__init__(message, **details)
        self.problems = problems or []

    def to_dict(self) -> dict[str, object]:
        """Return the message and every problem found, each naming its element."""
        out = super().to_dict()
        out["problems"] = [p.to_dict() for p in self.problems]
        return out


class UnsafeExpression(EngineError):
    """An expression or script uses syntax or names outside the allowlist."""

    code = "unsafe_expression"

    def __init__(self, message: str, line: int | None = None, **details: object) -> None:
        super().__init__(message, line=line, **details)
        self.line = line


class ExpressionFailed(EngineError):
    """An allowed expression failed while it ran (bad data, missing name, limit reached)."""

    code = "expression_failed"


class ProcessFailed(EngineError):
    """A step of the process failed; the case was left as it was and an incident recorded."""

    code = "process_failed"


class Problem:
    """One validation finding in a definition, tied to the element it concerns."""

    def __init__(self, message: str, element_id: str | None = None, element_name: str | None = None,
                 file: str | None = None, line: int | None = None, site: str | None = None) -> None:
        self.message = message
        self.element_id = element_id
        self.element_name = element_name
        self.file = file
        self.line = line
        self.site = site

    def to_dict(self) -> dict[str, object]:
        """Return the finding as plain data."""
        return {k: v for k, v in vars(self).items() if v is not None}

    def __str__(self) -> str:
        where = self.element_name or self.element_id
        prefix = f"{where}: " if where else ""
        line = f" (line {self.line})" if self.line else ""
        return f"{prefix}{self.message}{line}"

    def __repr__(self) -> str:
        return f"Problem({str(self)!r})"
