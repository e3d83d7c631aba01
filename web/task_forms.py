"""Forms on screens: a task's or an answer's form definition compiled for this request (language, choices,
validation context), and submitted data rendered read-only with its labels."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date
from typing import Any

from flask import current_app, request
from flask_wtf import FlaskForm

from forms import load_registry
from forms.model import FormDefinition
from forms.readonly import ReadonlyField, render_readonly
from workflows.conventions import form_variable
from workflows.task_forms import choices_provider, form_context, form_prefill

from .db import db_session
from .i18n import current_locale
from .services import case_engine


def definition(form_key: str | None) -> FormDefinition | None:
    """The form definition for a key, or None when the key is unknown."""
    if not form_key:
        return None
    try:
        return load_registry().get(form_key)
    except KeyError:
        return None


def today() -> date:
    """Today's date by the engine's clock (tests may fix it)."""
    return case_engine().clock.now().date()


def build_form(form: FormDefinition, task_data: Mapping[str, Any] | None = None) -> FlaskForm:
    """A Flask-WTF form (with CSRF) for `form`, prefilled from the task on GET, bound to the POST otherwise."""
    data = dict(task_data or {})
    context = form_context(form.key, data, today(),
                           allow_synthetic_ids=bool(current_app.config.get("ALLOW_SYNTHETIC_IDS")))
    cls = form.wtforms_class(current_locale(), base=FlaskForm,
                             choices_provider=choices_provider(db_session(), today()), context=context)
    if request.method == "POST":
        return cls(context=context)
    return cls(formdata=None, data=_typed(form, form_prefill(form.key, data)), context=context)


def _typed(form: FormDefinition, values: dict[str, Any]) -> dict[str, Any]:
    """Prefill values as the widgets want them: ISO strings from process data become dates."""
    out: dict[str, Any] = {}
    for name, value in values.items():
        if not form.has_field(name):
            continue
        if form.field(name).type == "date" and isinstance(value, str):
            try:
                value = date.fromisoformat(value[:10])
            except ValueError:
                continue
        out[name] = value
    return out


def readonly(form_key: str | None, data: Mapping[str, Any] | None) -> list[ReadonlyField]:
    """Submitted data as label/value lines in the user's language (national ids masked)."""
    form = definition(form_key)
    if form is None or not isinstance(data, Mapping):
        return []
    payload = data.get(form_variable(form.key), data)
    if not isinstance(payload, Mapping):
        return []
    return render_readonly(form, payload, current_locale(), choices_provider(db_session(), today()))


def title(form: FormDefinition | None, fallback: str) -> str:
    """The form's title in the user's language."""
    return form.title.get(current_locale()) if form is not None else fallback
