"""Compile a form definition to a WTForms class for the HTML screens.

The WTForms field types give the right widgets (date, number, select, checkboxes ...); checking is
done once, in `validate()`, by the same `clean()` the API uses, so both paths always agree.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Mapping
from typing import Any

import wtforms
from wtforms import fields as wtf
from wtforms import widgets

try:  # WTForms 3.3+: tuples are deprecated
    from wtforms.fields.choices import SelectChoice
except ImportError:  # pragma: no cover - older WTForms
    SelectChoice = None

from .cleaning import allowed_choices, clean
from .coerce import DEFAULT_MAX_LENGTH, bound
from .messages import normalize_locale, render
from .model import ChoicesProvider, FieldDefinition, FormDefinition


class RequiredFlag:
    """Sets `field.flags.required` for templates; the check itself runs in the form's validate()."""

    field_flags = {"required": True}

    def __call__(self, form: wtforms.Form, field: wtforms.Field) -> None:
        """Do nothing: required-ness depends on visibility, decided in the form's validate()."""


class DefinitionFormMixin:
    """Behaviour of every generated form class: shared validation, cleaned data, context."""

    form_definition: FormDefinition
    form_locale: str
    choices_provider: ChoicesProvider | None
    form_context: Mapping[str, Any]
    _fields: dict[str, wtforms.Field]

    def __init__(self, *args: Any, context: Mapping[str, Any] | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.cleaned_data: dict[str, Any] | None = None
        if context is not None:
            self.form_context = dict(context)

    def raw_values(self) -> dict[str, Any]:
        """What the user sent, per definition field (strings/lists from formdata, else the field data)."""
        raw: dict[str, Any] = {}
        for definition in self.form_definition.fields:
            field = self._fields[definition.name]
            sent = getattr(field, "raw_data", None)
            if sent is None:
                raw[definition.name] = field.data
            elif definition.is_multi:
                raw[definition.name] = list(sent)
            else:
                raw[definition.name] = sent[0] if sent else None
        return raw

    def validate(self, extra_validators: Mapping[str, Any] | None = None) -> bool:
        """Validate other fields (e.g. CSRF) the WTForms way and definition fields through clean()."""
        extra = extra_validators or {}
        success = True
        for name, field in self._fields.items():
            if not self.form_definition.has_field(name) and not field.validate(self, extra.get(name, ())):
                success = False
        data, errors = clean(
            self.form_definition,
            self.raw_values(),
            self.form_locale,
            self.choices_provider,
            self.form_context,
        )
        for definition in self.form_definition.fields:
            self._fields[definition.name].errors = list(errors.get(definition.name, []))
        self.cleaned_data = None if errors else data
        return success and not errors


def form_to_data(form: wtforms.Form) -> dict[str, Any]:
    """Return the cleaned data of a validated form (dates as date, numbers as int, hidden fields dropped)."""
    cleaned = getattr(form, "cleaned_data", None)
    if cleaned is None:
        raise ValueError("the form has not been validated successfully; call form.validate() first")
    return dict(cleaned)


def _options(pairs: list[tuple[str, str]]) -> list[Any]:
    """Choices in the form this WTForms version wants (SelectChoice where it exists)."""
    if SelectChoice is None:
        return list(pairs)
    return [SelectChoice(value=value, label=label) for value, label in pairs]


def _render_kw(definition: FieldDefinition, context: Mapping[str, Any]) -> dict[str, Any]:
    kw: dict[str, Any] = {}
    if definition.visible_when is not None:
        kw["data-visible-when"] = json.dumps(definition.visible_when.as_json())
    if definition.required_when is not None:
        kw["data-required-when"] = json.dumps(definition.required_when.as_json())
    # The browser must not demand a field the user cannot see: WTForms would add `required`
    # from the flag, so switch it off for conditionally shown fields.
    kw["required"] = (definition.required or definition.must_be_true) and definition.visible_when is None
    if definition.type in ("text", "textarea", "email", "phone"):
        kw["maxlength"] = definition.max_length or DEFAULT_MAX_LENGTH[definition.type]
    for key in ("min", "max"):
        value = bound(getattr(definition, key), context)
        if value is not None:
            kw[key] = value.isoformat() if isinstance(value, dt.date) else value
    if definition.type in ("fnr", "orgnr"):
        kw.update(inputmode="numeric", autocomplete="off")
    if definition.type == "decimal":
        kw["inputmode"] = "decimal"
    return kw


def _unbound_field(
    definition: FieldDefinition,
    locale: str,
    choices: list[tuple[str, str]] | None,
    context: Mapping[str, Any],
) -> wtforms.Field:
    options: dict[str, Any] = {
        "label": definition.label.get(locale),
        "description": definition.help.get(locale) if definition.help else "",
        "validators": [RequiredFlag()] if definition.required or definition.must_be_true else [],
        "render_kw": _render_kw(definition, context),
    }
    if definition.default is not None:
        options["default"] = definition.default
    if choices is not None or definition.type in ("choice", "multichoice") or definition.source:
        listed = _options(list(choices or []))
        if definition.is_multi:
            if definition.display != "select":
                options.update(
                    widget=widgets.ListWidget(prefix_label=False), option_widget=widgets.CheckboxInput()
                )
            return wtf.SelectMultipleField(choices=listed, validate_choice=False, **options)
        if definition.display == "radio":
            return wtf.RadioField(choices=listed, validate_choice=False, **options)
        return wtf.SelectField(
            choices=[*_options([("", render("choose", locale))]), *listed], validate_choice=False, **options
        )
    simple: dict[str, type[wtforms.Field]] = {
        "text": wtf.StringField,
        "textarea": wtf.TextAreaField,
        "integer": wtf.IntegerField,
        "decimal": wtf.DecimalField,
        "date": wtf.DateField,
        "boolean": wtf.BooleanField,
        "email": wtf.EmailField,
        "phone": wtf.TelField,
        "fnr": wtf.StringField,
        "orgnr": wtf.StringField,
    }
    return simple[definition.type](**options)


def build_form_class(
    form: FormDefinition,
    locale: str = "nb",
    base: type[wtforms.Form] | None = None,
    choices_provider: ChoicesProvider | None = None,
    context: Mapping[str, Any] | None = None,
) -> type[wtforms.Form]:
    """Return a WTForms class for `form`; pass Flask-WTF's FlaskForm as `base` in the web layer."""
    locale = normalize_locale(locale)
    context = dict(context or {})
    choices = allowed_choices(form, choices_provider, locale)
    attrs: dict[str, Any] = {
        definition.name: _unbound_field(definition, locale, choices.get(definition.name), context)
        for definition in form.fields
    }
    attrs.update(
        form_definition=form,
        form_locale=locale,
        choices_provider=staticmethod(choices_provider) if choices_provider else None,
        form_context=context,
    )
    class_name = "".join(part.title() for part in form.key.replace(".", "_").split("_")) + "Form"
    return type(class_name, (DefinitionFormMixin, base or wtforms.Form), attrs)
