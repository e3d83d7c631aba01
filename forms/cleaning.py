"""The one validation path: raw input -> cleaned data and errors, shared by the HTML form and the API.

Order: convert and check each field; decide visibility from the converted values; drop hidden
fields (value and errors); check required / required_when on visible fields; run cross-field rules.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from .coerce import coerce_value, is_empty
from .errors import FieldError
from .messages import normalize_locale
from .model import ChoicesProvider, FieldDefinition, FormDefinition
from .rules import evaluate_rules, resolve


def allowed_choices(
    form: FormDefinition, choices_provider: ChoicesProvider | None, locale: str = "nb"
) -> dict[str, list[tuple[str, str]] | None]:
    """(value, label) choices per choice-like field: static, or the provider's (None without a provider)."""
    cache: dict[str, list[tuple[str, str]]] = {}
    result: dict[str, list[tuple[str, str]] | None] = {}
    for field in form.fields:
        if field.choices:
            result[field.name] = [(c.value, c.label.get(locale)) for c in field.choices]
        elif field.source is not None:
            if choices_provider is None:
                result[field.name] = None
                continue
            if field.source not in cache:
                cache[field.source] = [(str(v), str(label)) for v, label in choices_provider(field.source)]
            result[field.name] = cache[field.source]
    return result


def visible_fields(form: FormDefinition, values: Mapping[str, Any], context: Mapping[str, Any]) -> set[str]:
    """Names of the fields that are shown, given the values; a field behind a hidden field is hidden."""
    memo: dict[str, bool] = {}

    def visible(field: FieldDefinition) -> bool:
        if field.name not in memo:
            cond = field.visible_when
            if cond is None:
                memo[field.name] = True
            elif form.has_field(cond.field) and not visible(form.field(cond.field)):
                memo[field.name] = False
            else:
                memo[field.name] = cond.matches(resolve(cond.field, values, context))
        return memo[field.name]

    return {field.name for field in form.fields if visible(field)}


def clean(
    form: FormDefinition,
    raw: Mapping[str, Any],
    locale: str = "nb",
    choices_provider: ChoicesProvider | None = None,
    context: Mapping[str, Any] | None = None,
) -> tuple[dict[str, Any], dict[str, list[str]]]:
    """Return (cleaned data of the visible fields, messages by field name in `locale`)."""
    locale = normalize_locale(locale)
    context = context or {}
    choices = allowed_choices(form, choices_provider, locale)
    values: dict[str, Any] = {}
    problems: dict[str, list[FieldError]] = {}
    for field in form.fields:
        options = choices.get(field.name)
        allowed = [value for value, _ in options] if options is not None else None
        try:
            values[field.name] = coerce_value(field, raw.get(field.name), allowed, context)
        except FieldError as error:
            values[field.name] = None
            problems[field.name] = [error]
    shown = visible_fields(form, values, context)
    values = {name: value for name, value in values.items() if name in shown}
    problems = {name: found for name, found in problems.items() if name in shown}
    for field in form.fields:
        if field.name not in shown or field.name in problems or not is_empty(values[field.name]):
            continue
        needed = field.required or (
            field.required_when is not None
            and field.required_when.matches(resolve(field.required_when.field, values, context))
        )
        if needed:
            problems[field.name] = [FieldError("required")]
    valid = {name: value for name, value in values.items() if name not in problems}
    field_problems = set(problems)
    for name, error in evaluate_rules(form, valid, context):
        if name in shown and name not in field_problems:
            problems.setdefault(name, []).append(error)
    errors = {
        name: [error.message(locale) for error in problems[name]]
        for name in form.field_names
        if name in problems
    }
    return values, errors
