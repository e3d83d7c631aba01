"""Read-only rendering of submitted data, for the case page history (and later the PDF)."""

from __future__ import annotations

from collections.abc import Mapping
from decimal import Decimal
from typing import Any, NamedTuple

from .cleaning import allowed_choices, visible_fields
from .coerce import parse_date
from .errors import FieldError
from .messages import format_date, format_number, normalize_locale, render
from .model import ChoicesProvider, FieldDefinition, FormDefinition
from .validators import mask_fnr


class ReadonlyField(NamedTuple):
    """One line of a read-only view: field name, label and the value as display text."""

    name: str
    label: str
    value_text: str


def _value_text(
    field: FieldDefinition, value: Any, locale: str, labels: Mapping[str, str], reveal: bool
) -> str:
    if value is None or value == "" or value == []:
        return render("empty", locale)
    if field.sensitive and not reveal:
        return mask_fnr(value) if field.type == "fnr" else render("masked", locale)
    if field.type == "boolean":
        return render("yes" if value else "no", locale)
    if isinstance(value, list):
        return ", ".join(labels.get(str(item), str(item)) for item in value)
    if field.choices or field.source:
        return labels.get(str(value), str(value))
    if field.type == "date":
        try:
            return format_date(parse_date(value), locale)
        except FieldError:
            return str(value)
    if isinstance(value, int | Decimal | float) and not isinstance(value, bool):
        return format_number(value, locale)
    return str(value)


def render_readonly(
    definition: FormDefinition,
    data: Mapping[str, Any],
    locale: str = "nb",
    choices_provider: ChoicesProvider | None = None,
    reveal_sensitive: bool = False,
) -> list[ReadonlyField]:
    """Label and display text per shown field: choice labels, localized dates and yes/no, masked secrets."""
    locale = normalize_locale(locale)
    choices = allowed_choices(definition, choices_provider, locale)
    shown = visible_fields(definition, data, {})
    rows = []
    for field in definition.fields:
        if field.name not in shown:
            continue
        labels = dict(choices.get(field.name) or [])
        text = _value_text(field, data.get(field.name), locale, labels, reveal_sensitive)
        rows.append(ReadonlyField(field.name, field.label.get(locale), text))
    return rows
