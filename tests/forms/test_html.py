"""WTForms compilation: forms built from MultiDict form data, without a Flask app."""

from __future__ import annotations

import datetime as dt
import json

import pytest
import wtforms
from werkzeug.datastructures import MultiDict
from wtforms.validators import InputRequired

from forms import FormRegistry, form_to_data

from .conftest import CONTEXT, MINOR_FNR, as_formdata, contract_data, evaluation_data, provider


def pairs(choices: list) -> list[tuple[str, str]]:
    """(value, label) of WTForms choices, whether SelectChoice objects or tuples."""
    return [tuple(choice)[:2] for choice in choices]


def build(registry: FormRegistry, key: str, data: dict, locale: str = "nb", **kwargs) -> wtforms.Form:
    """Build and validate the HTML form for `key` from what a browser would post."""
    form_class = registry.get(key).wtforms_class(locale, choices_provider=provider, context=CONTEXT)
    form = form_class(formdata=as_formdata(data), **kwargs)
    form.validate()
    return form


def test_valid_submission_gives_typed_cleaned_data(registry: FormRegistry) -> None:
    form = build(
        registry,
        "contract.draft",
        contract_data(missing_common_subjects=["english"], extra_terms="Engelsk tas våren 2026."),
    )
    assert form.errors == {}
    data = form_to_data(form)
    assert data["start_date"] == dt.date(2025, 8, 15)
    assert data["probation_months"] == 6 and isinstance(data["probation_months"], int)
    assert data["missing_common_subjects"] == ["english"]
    assert data["apprentice_mobile"] == "+4791234567"
    assert data["apprentice_middle_name"] is None


def test_invalid_submission_gives_field_errors_in_norwegian(registry: FormRegistry) -> None:
    data = contract_data(
        apprentice_fnr="31129956716",
        company_orgnr="123456784",
        end_date="2025-01-01",
        probation_months="abc",
        apprentice_email="kari",
    )
    del data["apprentice_last_name"]
    form = build(registry, "contract.draft", data)
    assert form.errors == {
        "apprentice_fnr": ["Fødselsnummeret er ugyldig (kontrollsifrene stemmer ikke)."],
        "apprentice_last_name": ["Feltet må fylles ut."],
        "apprentice_email": ["Skriv inn en gyldig e-postadresse."],
        "company_orgnr": ["Organisasjonsnummeret er ugyldig (kontrollsifferet stemmer ikke)."],
        "end_date": ["Datoen må være etter startdatoen (15.08.2025)."],
        "probation_months": ["Skriv inn et helt tall."],
    }
    with pytest.raises(ValueError, match="validate"):
        form_to_data(form)


def test_invalid_submission_gives_field_errors_in_english(registry: FormRegistry) -> None:
    form = build(registry, "contract.draft", contract_data(company_orgnr="12345", probation_months="9"), "en")
    assert form.errors == {
        "company_orgnr": ["The organisation number must have 9 digits."],
        "probation_months": ["The value cannot be more than 6."],
    }


def test_labels_and_help_follow_the_locale(registry: FormRegistry) -> None:
    draft = registry.get("contract.draft")
    nb = draft.wtforms_class("nb", choices_provider=provider)()
    en = draft.wtforms_class("en_GB", choices_provider=provider)()
    assert nb.apprentice_fnr.label.text == "Fødselsnummer eller D-nummer"
    assert en.apprentice_fnr.label.text == "National identity number or D-number"
    assert nb.probation_months.description == "Høyst 6 måneder."
    assert en.probation_months.description == "At most 6 months."
    assert ("model_2_2", "2+2 (two years in school, two in a company)") in pairs(en.training_model.choices)


def test_choices_come_from_the_provider(registry: FormRegistry) -> None:
    form_class = registry.get("onboarding.lead").wtforms_class(choices_provider=provider)
    form = form_class()
    assert pairs(form.trades.choices) == [
        ("SOA03-01", "Service- og administrasjonsfaget"),
        ("ITD03-01", "IT-driftsfaget"),
    ]
    assert pairs(form.county.choices) == [("", "– Velg –"), ("03", "Oslo"), ("32", "Akershus")]
    posted = MultiDict(
        [
            ("orgnr", "123456785"),
            ("company_name", "Statsbygg"),
            ("address", "Biskop Gunnerus' gate 6"),
            ("municipality", "Oslo"),
            ("county", "99"),
            ("sector", "state"),
            ("contact_name", "Kari"),
            ("contact_email", "kari@example.no"),
            ("contact_phone", "91234567"),
            ("trades", "ITD03-01"),
            ("trades", "SOA03-01"),
            ("places", "2"),
        ]
    )
    form = form_class(formdata=posted)
    assert not form.validate()
    assert form.errors == {"county": ["Velg et av alternativene i listen."]}
    posted.setlist("county", ["03"])
    form = form_class(formdata=posted)
    assert form.validate(), form.errors
    assert form_to_data(form)["trades"] == ["SOA03-01", "ITD03-01"]  # in the provider's order
    assert form_to_data(form)["county"] == "03"


def test_unticked_checkbox_is_false_and_hidden_fields_are_dropped(registry: FormRegistry) -> None:
    form = build(registry, "followup.evaluation", evaluation_data(concern_description="Skjult tekst"))
    assert form.errors == {}
    data = form_to_data(form)
    assert data["concern"] is False
    assert "concern_description" not in data and "concern_category" not in data
    form = build(registry, "followup.evaluation", evaluation_data(concern=True))
    assert form.errors == {
        "concern_category": ["Feltet må fylles ut."],
        "concern_description": ["Feltet må fylles ut."],
    }


def test_guardian_rule_runs_in_the_html_form(registry: FormRegistry) -> None:
    form = build(registry, "contract.draft", contract_data(apprentice_fnr=MINOR_FNR), "en")
    assert form.errors["guardian_name"] == ["Required because the apprentice is under 18 on 2025-08-15."]


def test_context_can_be_given_when_the_form_is_built(registry: FormRegistry) -> None:
    form_class = registry.get("tradetest.register").wtforms_class(choices_provider=provider)
    posted = MultiDict({"registered_on": "2025-07-01", "county": "03", "receipt_ref": "R-1"})
    form = form_class(formdata=posted, context={"contract_end_date": dt.date(2025, 8, 31)})
    assert not form.validate()
    assert list(form.errors) == ["registered_on"]
    assert form_class(formdata=posted).validate()


def test_a_base_class_keeps_its_own_fields_and_validation(registry: FormRegistry) -> None:
    class TokenForm(wtforms.Form):
        """Stands in for Flask-WTF's FlaskForm and its csrf_token."""

        token = wtforms.StringField(validators=[InputRequired()])

    form_class = registry.get("contract.precheck_fix").wtforms_class(base=TokenForm)
    assert issubclass(form_class, TokenForm)
    good = {"fixes_made": "Rettet e-post til faglig leder.", "confirmed": "y"}
    form = form_class(formdata=MultiDict(good))
    assert not form.validate() and list(form.errors) == ["token"]
    form = form_class(formdata=MultiDict({**good, "token": "abc"}))
    assert form.validate() and form_to_data(form) == {
        "fixes_made": "Rettet e-post til faglig leder.",
        "confirmed": True,
    }


def test_widgets_and_attributes_for_templates(registry: FormRegistry) -> None:
    form = registry.get("onboarding.capacity").wtforms_class(choices_provider=provider)()
    assert isinstance(form.company_decision, wtforms.RadioField)
    assert form.company_decision.flags.required
    reason_html = form.decline_reason()
    assert "data-visible-when" in reason_html and "required" not in reason_html.replace("data-", "")
    assert json.loads(form.decline_reason.render_kw["data-visible-when"]) == {
        "field": "company_decision",
        "op": "equals",
        "value": "declines",
    }
    assert 'min="1"' in form.instructor_count()
    participants = registry.get("followup.meeting").wtforms_class()().participants()
    assert 'type="checkbox"' in participants and "Opplæringskontoret" in participants


def test_wtforms_parse_errors_are_replaced_by_catalogue_messages(registry: FormRegistry) -> None:
    form = build(
        registry,
        "followup.evaluation",
        evaluation_data(absence_days="mange", meeting_date="32.05.2025"),
        "en",
    )
    assert form.errors == {
        "absence_days": ["Enter a whole number."],
        "meeting_date": ["Enter a valid date (YYYY-MM-DD)."],
    }
