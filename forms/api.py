"""Compile a form definition to a marshmallow schema for the JSON API (same cleaning as the HTML form)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from decimal import Decimal
from typing import Any

import marshmallow
from marshmallow import RAISE, ValidationError, fields, post_load, validates_schema

from .cleaning import clean
from .messages import normalize_locale, render
from .model import ChoicesProvider, FieldDefinition, FormDefinition


class DefinedField(fields.Field):
    """Carries one definition field; loading passes the raw JSON value on to the shared cleaning."""

    def __init__(self, definition: FieldDefinition, locale: str) -> None:
        metadata = {
            "type": definition.type,
            "label": definition.label.get(locale),
            "required": definition.required,
            "multiple": definition.is_multi,
            "choices": [c.value for c in definition.choices] or None,
        }
        super().__init__(allow_none=True, metadata=metadata)

    def _deserialize(
        self, value: Any, attr: str | None, data: Mapping[str, Any] | None, **kwargs: Any
    ) -> Any:
        return value

    def _serialize(self, value: Any, attr: str | None, obj: Any, **kwargs: Any) -> Any:
        if isinstance(value, dt.date):
            return value.isoformat()
        if isinstance(value, Decimal):
            return str(value)
        return value


class DefinitionSchema(marshmallow.Schema):
    """Base of generated schemas: unknown fields are errors; clean() decides values and messages."""

    form_definition: FormDefinition
    form_locale: str = "nb"
    choices_provider: ChoicesProvider | None = None
    form_context: Mapping[str, Any] = {}

    class Meta:
        unknown = RAISE

    def _clean(self, data: Mapping[str, Any]) -> tuple[dict[str, Any], dict[str, list[str]]]:
        return clean(self.form_definition, data, self.form_locale, self.choices_provider, self.form_context)

    @validates_schema(skip_on_field_errors=False, pass_original=True)
    def _check(self, data: Mapping[str, Any], original: Any, **kwargs: Any) -> None:
        if not isinstance(original, Mapping):  # marshmallow has already reported the wrong type
            return
        errors = self._clean(data)[1]
        if errors:
            raise ValidationError(errors)

    @post_load
    def _to_cleaned(self, data: Mapping[str, Any], **kwargs: Any) -> dict[str, Any]:
        return self._clean(data)[0]


def build_schema(
    form: FormDefinition,
    locale: str = "nb",
    choices_provider: ChoicesProvider | None = None,
    context: Mapping[str, Any] | None = None,
) -> marshmallow.Schema:
    """Return a schema instance whose load() gives cleaned data or raises ValidationError in `locale`."""
    locale = normalize_locale(locale)
    attrs: dict[str, Any] = {name_field.name: DefinedField(name_field, locale) for name_field in form.fields}
    attrs.update(
        form_definition=form,
        form_locale=locale,
        choices_provider=staticmethod(choices_provider) if choices_provider else None,
        form_context=dict(context or {}),
        error_messages={"unknown": render("unknown_field", locale), "type": render("invalid_input", locale)},
    )
    class_name = "".join(part.title() for part in form.key.replace(".", "_").split("_")) + "Schema"
    schema_class = type(class_name, (DefinitionSchema,), attrs)
    return schema_class()


def validate_with_schema(
    form: FormDefinition,
    data: Mapping[str, Any],
    locale: str = "nb",
    choices_provider: ChoicesProvider | None = None,
    context: Mapping[str, Any] | None = None,
) -> tuple[dict[str, Any], dict[str, list[str]]]:
    """Load `data` through the schema: (cleaned data, {}) or ({}, messages by field)."""
    try:
        return build_schema(form, locale, choices_provider, context).load(data), {}
    except ValidationError as exc:
        messages = exc.messages if isinstance(exc.messages, dict) else {"_schema": exc.messages}
        return {}, {str(name): list(msgs) for name, msgs in messages.items()}
