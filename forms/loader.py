"""Read and check form definition files (TOML) into FormDefinition objects."""

from __future__ import annotations

import dataclasses
import datetime as dt
import tomllib
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from .coerce import coerce_value
from .errors import DefinitionError, FieldError
from .model import FIELD_TYPES, PROVIDER_TYPES, Choice, Condition, FieldDefinition, FormDefinition
from .parsing import Reader
from .rules import CheckRule, parse_rule

FORM_KEYS = ("key", "title", "intro", "help", "roles", "fields", "rules")
FIELD_KEYS = (
    "name",
    "type",
    "label",
    "help",
    "required",
    "required_when",
    "visible_when",
    "choices",
    "min",
    "max",
    "max_length",
    "default",
    "must_be_true",
    "sensitive",
    "multiple",
    "display",
)
ROLES = ("saksbehandler", "konsulent", "faglig_leder", "instruktor", "laerling")
# Names a generated WTForms class or marshmallow schema already uses for itself.
RESERVED_NAMES = frozenset(
    {
        "data",
        "errors",
        "form_errors",
        "meta",
        "validate",
        "populate_obj",
        "process",
        "context",
        "definition",
        "cleaned_data",
        "csrf_token",
        "hidden_tag",
        "is_submitted",
        "validate_on_submit",
        "fields",
        "opts",
        "load",
        "dump",
        "loads",
        "dumps",
        "many",
        "partial",
        "unknown",
    }
)
DISPLAYS = {"single": ("select", "radio"), "multi": ("checkboxes", "select")}


def load_shared_choices(path: Path) -> dict[str, tuple[Choice, ...]]:
    """Read `_choices.toml`: named choice sets shared by several forms."""
    reader = Reader(path.name)
    try:
        raw = tomllib.loads(path.read_text(encoding="utf-8"))
    except tomllib.TOMLDecodeError as exc:
        raise reader.fail(f"not valid TOML: {exc}") from None
    sets = {}
    for name, table in raw.items():
        reader.identifier(name, "choice set name")
        table = reader.table(table, f"choice set {name!r}", None)
        sets[name] = _choices_from_items(
            reader, [{"value": v, **reader.table(t, v, None)} for v, t in table.items()], name
        )
    return sets


def _choices_from_items(reader: Reader, items: Any, field: str) -> tuple[Choice, ...]:
    if not isinstance(items, list) or not items:
        raise reader.fail("choices must be a non-empty list or the name of a shared choice set", field)
    choices: list[Choice] = []
    for item in items:
        item = reader.table(item, "a choice", field)
        reader.only_keys(item, ("value", "nb", "en"), "a choice", field)
        value = reader.identifier(item.get("value"), "choice value", field, keywords_ok=True)
        if any(c.value == value for c in choices):
            raise reader.fail(f"choice value {value!r} appears twice", field)
        label = reader.text({"nb": item.get("nb"), "en": item.get("en")}, f"label of choice {value!r}", field)
        choices.append(Choice(value=value, label=label))
    return tuple(choices)


def _bounds(reader: Reader, table: Mapping[str, Any], kind: str, name: str) -> tuple[Any, Any]:
    low, high = table.get("min"), table.get("max")
    for key, value in (("min", low), ("max", high)):
        if value is None:
            continue
        if kind == "date":
            ok = value == "today" or (isinstance(value, dt.date) and not isinstance(value, dt.datetime))
        else:
            ok = (
                kind in ("integer", "decimal")
                and isinstance(value, int | float)
                and not isinstance(value, bool)
            )
        if not ok:
            raise reader.fail(f"'{key}' does not fit a {kind} field", name)
    if low is not None and high is not None and "today" not in (low, high) and low > high:
        raise reader.fail("'min' is greater than 'max'", name)
    return low, high


def _field_choices(
    reader: Reader, table: Mapping[str, Any], kind: str, shared: Mapping[str, tuple[Choice, ...]], name: str
) -> tuple[Choice, ...]:
    raw = table.get("choices")
    if kind not in ("choice", "multichoice"):
        if raw is not None:
            raise reader.fail(f"a {kind} field takes no 'choices'", name)
        return ()
    if isinstance(raw, str):
        if raw not in shared:
            raise reader.fail(f"unknown shared choice set {raw!r}", name)
        return shared[raw]
    return _choices_from_items(reader, raw, name)


def _field_flags(reader: Reader, table: Mapping[str, Any], kind: str, name: str) -> dict[str, Any]:
    flags: dict[str, Any] = {
        key: reader.boolean(table, key, name) for key in ("required", "must_be_true", "multiple")
    }
    if kind == "boolean" and flags["required"]:
        raise reader.fail("a checkbox is always answered; use must_be_true instead of required", name)
    if flags["must_be_true"] and kind != "boolean":
        raise reader.fail("must_be_true only applies to boolean fields", name)
    if flags["multiple"] and kind not in PROVIDER_TYPES:
        raise reader.fail("multiple only applies to trade, county and company fields", name)
    flags["max_length"] = table.get("max_length")
    if flags["max_length"] is not None:
        if kind not in ("text", "textarea", "email", "phone"):
            raise reader.fail("max_length only applies to text fields", name)
        reader.integer(flags["max_length"], "max_length", name, minimum=1)
    flags["sensitive"] = table.get("sensitive", kind == "fnr")
    if not isinstance(flags["sensitive"], bool):
        raise reader.fail("'sensitive' must be true or false", name)
    display = flags["display"] = table.get("display")
    if display is not None:
        if kind == "multichoice" or flags["multiple"]:
            allowed = DISPLAYS["multi"]
        elif kind == "choice" or kind in PROVIDER_TYPES:
            allowed = DISPLAYS["single"]
        else:
            allowed = ()
        if display not in allowed:
            raise reader.fail(f"display {display!r} does not fit a {kind} field", name)
    return flags


def parse_field(reader: Reader, table: Any, shared: Mapping[str, tuple[Choice, ...]]) -> FieldDefinition:
    """Read one [[fields]] table (conditions are checked later, against the whole form)."""
    table = reader.table(table, "a field", None)
    name = reader.identifier(table.get("name"), "field name")
    reader.only_keys(table, FIELD_KEYS, "the field", name)
    if name in RESERVED_NAMES:
        raise reader.fail("this name is reserved by the form and schema classes", name)
    kind = table.get("type")
    if kind not in FIELD_TYPES:
        raise reader.fail(f"unknown type {kind!r}; use one of {', '.join(FIELD_TYPES)}", name)
    low, high = _bounds(reader, table, kind, name)
    conditions = {
        key: reader.condition(table[key], key, name) if key in table else None
        for key in ("visible_when", "required_when")
    }
    field = FieldDefinition(
        name=name,
        type=kind,
        label=reader.text(table.get("label"), "label", name),
        help=reader.optional_text(table.get("help"), "help", name),
        choices=_field_choices(reader, table, kind, shared, name),
        min=low,
        max=high,
        **_field_flags(reader, table, kind, name),
        **conditions,
    )
    if "default" in table:
        allowed = [c.value for c in field.choices] if field.choices else None
        try:
            default = coerce_value(field, table["default"], allowed, {})
        except FieldError as exc:
            problem = f"default {table['default']!r} is not valid: {exc.message('en')}"
            raise reader.fail(problem, name) from None
        field = dataclasses.replace(field, default=default)
    return field


def _check_condition(
    reader: Reader,
    cond: Condition,
    fields: Mapping[str, FieldDefinition],
    owner: str | None,
    what: str,
    context_allowed: bool,
) -> None:
    target = fields.get(cond.field)
    if target is None:
        if context_allowed:
            return
        raise reader.fail(f"{what} names {cond.field!r}, which is not a field of this form", owner)
    if cond.field == owner:
        raise reader.fail(f"{what} cannot depend on the field itself", owner)
    if cond.op == "is_true" and target.type != "boolean":
        raise reader.fail(f"{what}: is_true needs a boolean field, {cond.field!r} is {target.type}", owner)
    if target.choices and cond.op in ("equals", "not_equals", "in", "not_in"):
        values = cond.value if isinstance(cond.value, list) else [cond.value]
        unknown = [v for v in values if v not in {c.value for c in target.choices}]
        if unknown:
            raise reader.fail(f"{what}: {unknown!r} is not a choice of {cond.field!r}", owner)


def _check_no_cycles(reader: Reader, fields: Mapping[str, FieldDefinition]) -> None:
    for start in fields.values():
        seen, current = {start.name}, start
        while current.visible_when is not None and current.visible_when.field in fields:
            current = fields[current.visible_when.field]
            if current.name in seen:
                raise reader.fail("visible_when conditions form a cycle", start.name)
            seen.add(current.name)


def parse_definition(text: str, source: str, shared: Mapping[str, tuple[Choice, ...]]) -> FormDefinition:
    """Parse and check one definition file's text; `source` names it in errors."""
    reader = Reader(source)
    try:
        raw = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise reader.fail(f"not valid TOML: {exc}") from None
    reader.only_keys(raw, FORM_KEYS, "the form", None)
    key = raw.get("key")
    if not isinstance(key, str) or not all(
        reader.identifier(part, "form key part") for part in key.split(".")
    ):
        raise reader.fail(f"key {key!r} must look like 'contract.draft'")
    roles = raw.get("roles", [])
    if not isinstance(roles, list) or any(role not in ROLES for role in roles):
        raise reader.fail(f"roles must be a list drawn from {', '.join(ROLES)}")
    items = raw.get("fields")
    if not isinstance(items, list) or not items:
        raise reader.fail("a form needs a non-empty [[fields]] list")
    fields: dict[str, FieldDefinition] = {}
    for item in items:
        field = parse_field(reader, item, shared)
        if field.name in fields:
            raise reader.fail("the field name appears twice", field.name)
        fields[field.name] = field
    for field in fields.values():
        for what in ("visible_when", "required_when"):
            cond = getattr(field, what)
            if cond is not None:
                _check_condition(reader, cond, fields, field.name, what, context_allowed=False)
    _check_no_cycles(reader, fields)
    rule_items = raw.get("rules", [])
    if not isinstance(rule_items, list):
        raise reader.fail("rules must be a list of [[rules]] tables")
    rules = tuple(parse_rule(reader, item, i, fields) for i, item in enumerate(rule_items))
    for i, rule in enumerate(rules):
        if isinstance(rule, CheckRule):
            for cond in (*rule.when, rule.require):
                _check_condition(reader, cond, fields, None, f"rules[{i}]", context_allowed=True)
    return FormDefinition(
        key=key,
        title=reader.text(raw.get("title"), "title"),
        intro=reader.optional_text(raw.get("intro"), "intro"),
        help=reader.optional_text(raw.get("help"), "help"),
        roles=tuple(roles),
        fields=tuple(fields.values()),
        rules=rules,
        source=source,
    )


def load_definition(path: Path, shared: Mapping[str, tuple[Choice, ...]] | None = None) -> FormDefinition:
    """Load one definition file; its key must equal the file name without '.toml'."""
    definition = parse_definition(path.read_text(encoding="utf-8"), path.name, shared or {})
    if definition.key != path.stem:
        raise DefinitionError(path.name, f"key {definition.key!r} does not match the file name")
    return definition
