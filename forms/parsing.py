"""Small checked readers for definition tables: bilingual texts, conditions, allowed keys."""

from __future__ import annotations

import datetime as dt
import keyword
import re
from collections.abc import Iterable, Mapping
from typing import Any

from .errors import DefinitionError
from .model import CONDITION_OPS, Condition, Text

IDENTIFIER = re.compile(r"^[a-z][a-z0-9_]*$")


class Reader:
    """Reads values from one definition file, raising DefinitionError that names the file and field."""

    def __init__(self, source: str) -> None:
        self.source = source

    def fail(self, problem: str, field: str | None = None) -> DefinitionError:
        """Build the error for a problem in this file (raise it)."""
        return DefinitionError(self.source, problem, field)

    def only_keys(
        self, table: Mapping[str, Any], allowed: Iterable[str], what: str, field: str | None
    ) -> None:
        """Reject keys that are not in `allowed` (catches typos such as 'requried')."""
        unknown = sorted(set(table) - set(allowed))
        if unknown:
            raise self.fail(f"unknown key(s) {', '.join(unknown)} in {what}", field)

    def table(self, value: Any, what: str, field: str | None) -> Mapping[str, Any]:
        """Require a table."""
        if not isinstance(value, Mapping):
            raise self.fail(f"{what} must be a table", field)
        return value

    def text(self, value: Any, what: str, field: str | None = None) -> Text:
        """Read a {nb = "...", en = "..."} table into a Text."""
        if not isinstance(value, Mapping):
            raise self.fail(f"{what} must be a table with 'nb' and 'en'", field)
        self.only_keys(value, ("nb", "en"), what, field)
        for locale in ("nb", "en"):
            text = value.get(locale)
            if not isinstance(text, str) or not text.strip():
                raise self.fail(f"{what} needs a non-empty '{locale}' text", field)
        return Text(nb=value["nb"].strip(), en=value["en"].strip())

    def optional_text(self, value: Any, what: str, field: str | None = None) -> Text | None:
        """Like text(), but None when the key is absent."""
        return None if value is None else self.text(value, what, field)

    def identifier(self, value: Any, what: str, field: str | None = None, keywords_ok: bool = False) -> str:
        """Require a lower-case ASCII identifier; Python keywords only if `keywords_ok` (choice values)."""
        if (
            not isinstance(value, str)
            or not IDENTIFIER.match(value)
            or (keyword.iskeyword(value) and not keywords_ok)
        ):
            raise self.fail(f"{what} {value!r} must be a lower-case ASCII identifier", field)
        return value

    def boolean(self, table: Mapping[str, Any], key: str, field: str | None) -> bool:
        """Read an optional true/false key (default false)."""
        value = table.get(key, False)
        if not isinstance(value, bool):
            raise self.fail(f"'{key}' must be true or false", field)
        return value

    def integer(self, value: Any, what: str, field: str | None, minimum: int | None = None) -> int:
        """Require an integer (not a boolean), optionally at least `minimum`."""
        if not isinstance(value, int) or isinstance(value, bool) or (minimum is not None and value < minimum):
            bound = f" of at least {minimum}" if minimum is not None else ""
            raise self.fail(f"{what} must be an integer{bound}", field)
        return value

    def condition(self, value: Any, what: str, field: str | None) -> Condition:
        """Read {field = "x", <op> = value} with exactly one operator."""
        table = self.table(value, what, field)
        self.only_keys(table, ("field", *CONDITION_OPS), what, field)
        target = self.identifier(table.get("field"), f"{what}.field", field)
        ops = [op for op in CONDITION_OPS if op in table]
        if len(ops) != 1:
            raise self.fail(f"{what} needs exactly one of {', '.join(CONDITION_OPS)}", field)
        op, operand = ops[0], table[ops[0]]
        if op in ("in", "not_in") and not (isinstance(operand, list) and operand):
            raise self.fail(f"{what}.{op} must be a non-empty list", field)
        if op in ("is_true", "not_empty") and not isinstance(operand, bool):
            raise self.fail(f"{what}.{op} must be true or false", field)
        if op in ("gt", "ge", "lt", "le") and (
            isinstance(operand, bool) or not isinstance(operand, int | float | dt.date)
        ):
            raise self.fail(f"{what}.{op} must be a number or a date", field)
        return Condition(field=target, op=op, value=operand)

    def conditions(self, value: Any, what: str, field: str | None) -> tuple[Condition, ...]:
        """Read one condition table or a list of them (all must hold)."""
        items = value if isinstance(value, list) else [value]
        return tuple(self.condition(item, what, field) for item in items)
