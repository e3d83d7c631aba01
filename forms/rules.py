"""Cross-field rules as data: date comparisons, age-dependent requirements, conditional checks, sums.

A rule reads names from the form's cleaned data first and, when the form has no value for a
name, from the caller's `context` (for example `contract_end_date` or `result_date` taken from the
case). A rule whose inputs are missing is skipped: required-ness is a separate check.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from .errors import FieldError
from .messages import CATALOGUE, offset_phrase
from .model import Condition, Text
from .validators import age_on, birth_date_from_fnr, shift_date

if TYPE_CHECKING:
    from .model import FieldDefinition, FormDefinition
    from .parsing import Reader

Found = list[tuple[str, FieldError]]
DATE_KINDS = ("date_after", "date_not_after", "date_not_before")


def resolve(name: str, values: Mapping[str, Any], context: Mapping[str, Any]) -> Any:
    """The value of `name`: the form's cleaned value if there is one, else the context value."""
    value = values.get(name)
    return value if value not in (None, "", []) else context.get(name)


def _lower_label(text: Text) -> Text:
    """Lower-case the first letter of a label so it reads inside a sentence ('Startdato' -> 'startdato')."""

    def lower(s: str) -> str:
        return s[0].lower() + s[1:] if len(s) > 1 and s[1].islower() else s

    return Text(nb=lower(text.nb), en=lower(text.en))


@dataclass(frozen=True)
class DateRule:
    """`field` must be after / not after / not before `ref` shifted by months, weeks and days."""

    kind: str
    field: str
    ref: str
    ref_label: Text
    months: int = 0
    weeks: int = 0
    days: int = 0
    message: str | None = None

    def evaluate(self, values: Mapping[str, Any], context: Mapping[str, Any]) -> Found:
        """Return an error on `field` if the comparison fails."""
        value, ref = values.get(self.field), resolve(self.ref, values, context)
        if not isinstance(value, dt.date) or not isinstance(ref, dt.date):
            return []
        limit = shift_date(ref, months=self.months, weeks=self.weeks, days=self.days)
        ok = {
            "date_after": value > limit,
            "date_not_after": value <= limit,
            "date_not_before": value >= limit,
        }
        if ok[self.kind]:
            return []
        phrase = Text(
            nb=offset_phrase(self.months, self.weeks, self.days, "nb") + self.ref_label.nb,
            en=offset_phrase(self.months, self.weeks, self.days, "en") + self.ref_label.en,
        )
        return [(self.field, FieldError(self.message or self.kind, ref=phrase, limit=limit))]


@dataclass(frozen=True)
class AgeRule:
    """`fields` are required when the person born on `birth_from` (fnr or date) is under `age` on `on`."""

    age: int
    birth_from: str
    on: str
    fields: tuple[str, ...]
    message: str | None = None
    kind: str = "required_if_age_under"

    def evaluate(self, values: Mapping[str, Any], context: Mapping[str, Any]) -> Found:
        """Return a 'required' error on each empty field when the person is under age."""
        birth, day = resolve(self.birth_from, values, context), resolve(self.on, values, context)
        if isinstance(birth, str):
            try:
                birth = birth_date_from_fnr(birth)
            except FieldError:
                return []
        if not isinstance(birth, dt.date) or not isinstance(day, dt.date) or age_on(birth, day) >= self.age:
            return []
        error = FieldError(self.message or "required_minor", age=self.age, date=day)
        return [(name, error) for name in self.fields if values.get(name) in (None, "", [])]


@dataclass(frozen=True)
class CheckRule:
    """When all `when` conditions hold, `require` must hold too; else `message` on require.field."""

    when: tuple[Condition, ...]
    require: Condition
    message: str
    kind: str = "check"

    def evaluate(self, values: Mapping[str, Any], context: Mapping[str, Any]) -> Found:
        """Return an error on the required field if the condition is broken."""
        if not all(c.matches(resolve(c.field, values, context)) for c in self.when):
            return []
        if self.require.matches(resolve(self.require.field, values, context)):
            return []
        return [(self.require.field, FieldError(self.message))]


@dataclass(frozen=True)
class SumRule:
    """The sum of numeric `fields` must lie within min/max; the error goes on `field`."""

    fields: tuple[str, ...]
    field: str
    labels: Text
    min: int | None = None
    max: int | None = None
    kind: str = "sum_between"

    def evaluate(self, values: Mapping[str, Any], context: Mapping[str, Any]) -> Found:
        """Return an error when the sum of the given numbers is out of bounds."""
        numbers = [values.get(name) for name in self.fields]
        present = [n for n in numbers if isinstance(n, int | Decimal) and not isinstance(n, bool)]
        if not present:
            return []
        total = sum(present)
        if self.min is not None and total < self.min:
            return [(self.field, FieldError("sum_min", fields=self.labels, min=self.min))]
        if self.max is not None and total > self.max:
            return [(self.field, FieldError("sum_max", fields=self.labels, max=self.max))]
        return []


Rule = DateRule | AgeRule | CheckRule | SumRule
RULE_KINDS = (*DATE_KINDS, "required_if_age_under", "check", "sum_between")
_KEYS = {
    "date": ("kind", "field", "ref", "ref_label", "months", "weeks", "days", "message"),
    "required_if_age_under": ("kind", "age", "birth_from", "on", "fields", "message"),
    "check": ("kind", "when", "require", "message"),
    "sum_between": ("kind", "fields", "field", "min", "max"),
}


def _message(reader: Reader, table: Mapping[str, Any], where: str) -> str | None:
    message = table.get("message")
    if message is not None and message not in CATALOGUE:
        raise reader.fail(f"{where}: unknown message id {message!r} (add it to forms/messages.py)")
    return message


def _form_field(reader: Reader, fields: Mapping[str, FieldDefinition], name: Any, where: str) -> str:
    if name not in fields:
        raise reader.fail(f"{where} names {name!r}, which is not a field of this form")
    return str(name)


def parse_rule(reader: Reader, table: Any, index: int, fields: Mapping[str, FieldDefinition]) -> Rule:
    """Read and check one [[rules]] table against the form's fields."""
    where = f"rules[{index}]"
    table = reader.table(table, where, None)
    kind = table.get("kind")
    if kind not in RULE_KINDS:
        raise reader.fail(f"{where}: kind must be one of {', '.join(RULE_KINDS)}, not {kind!r}")
    reader.only_keys(table, _KEYS["date" if kind in DATE_KINDS else kind], where, None)
    message = _message(reader, table, where)
    if kind in DATE_KINDS:
        name = _form_field(reader, fields, table.get("field"), where)
        if fields[name].type != "date":
            raise reader.fail(f"{where}: a date rule needs a date field", name)
        ref = reader.identifier(table.get("ref"), f"{where}.ref")
        label = reader.text(table.get("ref_label"), f"{where}.ref_label (how the message names the ref)")
        shifts = {
            unit: reader.integer(table.get(unit, 0), f"{where}.{unit}", None)
            for unit in ("months", "weeks", "days")
        }
        return DateRule(kind=kind, field=name, ref=ref, ref_label=label, message=message, **shifts)
    if kind == "required_if_age_under":
        names = table.get("fields")
        if not isinstance(names, list) or not names:
            raise reader.fail(f"{where}.fields must be a non-empty list")
        return AgeRule(
            age=reader.integer(table.get("age"), f"{where}.age", None, minimum=1),
            birth_from=reader.identifier(table.get("birth_from"), f"{where}.birth_from"),
            on=reader.identifier(table.get("on"), f"{where}.on"),
            fields=tuple(_form_field(reader, fields, n, where) for n in names),
            message=message,
        )
    if kind == "check":
        if message is None:
            raise reader.fail(f"{where}: a check rule needs a message id")
        require = reader.condition(table.get("require"), f"{where}.require", None)
        _form_field(reader, fields, require.field, f"{where}.require")
        when = reader.conditions(table.get("when"), f"{where}.when", None) if "when" in table else ()
        return CheckRule(when=when, require=require, message=message)
    names = table.get("fields")
    if not isinstance(names, list) or len(names) < 2:
        raise reader.fail(f"{where}.fields must list at least two fields")
    for name in names:
        if fields[_form_field(reader, fields, name, where)].type not in ("integer", "decimal"):
            raise reader.fail(f"{where}: sum_between needs number fields", name)
    bounds = {b: reader.integer(table[b], f"{where}.{b}", None) for b in ("min", "max") if b in table}
    if not bounds:
        raise reader.fail(f"{where}: sum_between needs min or max")
    target = _form_field(reader, fields, table.get("field", names[-1]), where)
    joiner = {loc: f" {CATALOGUE['and'][loc]} " for loc in ("nb", "en")}
    labels = Text(
        *(joiner[loc].join(_lower_label(fields[n].label).get(loc) for n in names) for loc in ("nb", "en"))
    )
    return SumRule(fields=tuple(names), field=target, labels=labels, **bounds)


def evaluate_rules(form: FormDefinition, values: Mapping[str, Any], context: Mapping[str, Any]) -> Found:
    """Run every rule of the form on cleaned values; return (field, error) pairs."""
    found: Found = []
    for rule in form.rules:
        found.extend(rule.evaluate(values, context))
    return found
