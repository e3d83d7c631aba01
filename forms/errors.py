"""Errors: a field error carries a message id; a definition error names the file and the field."""

from __future__ import annotations

from typing import Any

from .messages import DEFAULT_LOCALE, render


class FieldError(ValueError):
    """A value failed a check; `message(locale)` gives the text for the user."""

    def __init__(self, code: str, **params: Any) -> None:
        super().__init__(code)
        self.code = code
        self.params = params

    def message(self, locale: str = DEFAULT_LOCALE) -> str:
        """Return the user-facing message in `locale`."""
        return render(self.code, locale, **self.params)

    def __str__(self) -> str:
        return self.message(DEFAULT_LOCALE)


class DefinitionError(ValueError):
    """A form definition file is malformed; the message names the file and, where known, the field."""

    def __init__(self, source: str, problem: str, field: str | None = None) -> None:
        where = f"{source}: field {field!r}: " if field else f"{source}: "
        super().__init__(where + problem)
        self.source = source
        self.field = field
        self.problem = problem
