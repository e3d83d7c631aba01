"""marshmallow compilation: JSON in, the same cleaned data as the HTML form, field-level errors."""

from __future__ import annotations

import datetime as dt

import pytest
from marshmallow import Schema, ValidationError

from forms import FormRegistry, form_to_data

from .conftest import CONTEXT, as_formdata, contract_data, evaluation_data, provider


def test_valid_json_loads_into_cleaned_data(registry: FormRegistry) -> None:
    schema = registry.get("contract.draft").schema(choices_provider=provider, context=CONTEXT)
    assert isinstance(schema, Schema)
    data = schema.load(contract_data())
    assert data["start_date"] == dt.date(2025, 8, 15)
    assert data["end_date"] == dt.date(2027, 8, 14)
    assert data["probation_months"] == 6
    assert data["company_orgnr"] == "123456785"
    assert set(data) == set(registry.get("contract.draft").field_names) - {"training_model_description"}


def test_invalid_json_gives_field_level_errors_in_the_locale(registry: FormRegistry) -> None:
    schema = registry.get("contract.draft").schema("en", choices_provider=provider, context=CONTEXT)
    with pytest.raises(ValidationError) as caught:
        schema.load(
            contract_data(start_date="15/08/2025", trade="XYZ", probation_months=True, apprentice_fnr=None)
        )
    assert caught.value.messages == {
        "trade": ["Choose one of the options in the list."],
        "apprentice_fnr": ["This field is required."],
        "start_date": ["Enter a valid date (YYYY-MM-DD)."],
        "probation_months": ["Enter a whole number."],
    }


def test_unknown_fields_are_rejected(registry: FormRegistry) -> None:
    form = registry.get("contract.precheck_fix")
    good = {"fixes_made": "Rettet mobilnummer.", "confirmed": True}
    with pytest.raises(ValidationError) as caught:
        form.schema().load({**good, "is_admin": True})
    assert caught.value.messages == {"is_admin": ["Ukjent felt."]}
    _, errors = form.validate({**good, "is_admin": True}, "en")
    assert errors == {"is_admin": ["Unknown field."]}


def test_unknown_and_rule_errors_are_reported_together(registry: FormRegistry) -> None:
    _, errors = registry.get("contract.precheck_fix").validate({"confirmed": False, "extra": 1})
    assert errors == {
        "extra": ["Ukjent felt."],
        "fixes_made": ["Feltet må fylles ut."],
        "confirmed": ["Dette må bekreftes."],
    }


def test_input_that_is_not_an_object_is_rejected(registry: FormRegistry) -> None:
    data, errors = registry.get("contract.precheck_fix").validate(["not", "an", "object"], "en")  # type: ignore[arg-type]
    assert data == {} and errors == {"_schema": ["Invalid input: expected an object."]}


def test_validate_returns_empty_data_on_errors(registry: FormRegistry) -> None:
    data, errors = registry.get("followup.evaluation").validate(
        evaluation_data(absence_days=-2), context=CONTEXT
    )
    assert data == {} and errors == {"absence_days": ["Verdien må være minst 0."]}


def test_dump_writes_dates_as_iso_strings(registry: FormRegistry) -> None:
    schema = registry.get("contract.draft").schema(choices_provider=provider, context=CONTEXT)
    dumped = schema.dump(schema.load(contract_data()))
    assert dumped["start_date"] == "2025-08-15" and dumped["probation_months"] == 6


SAME_INPUT = [
    (
        "contract.draft",
        contract_data(
            missing_common_subjects=["science"],
            extra_terms="Naturfag tas høsten 2025.",
            credit_months=3,
            credit_documentation="Attest fra sommerjobb.",
        ),
    ),
    (
        "followup.evaluation",
        evaluation_data(
            concern=True, concern_category="absence", concern_description="Mye fravær på mandager."
        ),
    ),
    ("followup.evaluation", evaluation_data(concern_category="absence")),
    (
        "onboarding.capacity",
        {
            "trade": "ITD03-01",
            "company_decision": "continue",
            "covers_curriculum": True,
            "faglig_leder_name": "Per",
            "faglig_leder_email": "per@example.no",
            "instructor_names": "Ola\nKari",
            "instructor_count": 2,
            "decline_reason": "drop",
        },
    ),
    (
        "conflict.cancel_agreement",
        {
            "apprentice_signed_on": "01.05.2025",
            "company_signed_on": "2025-05-02",
            "reason": "Lærlingen vil begynne på studiespesialisering.",
            "right_to_training_warning_given": True,
            "agreement_voluntary": True,
            "county_informed_on": "2025-05-05",
        },
    ),
    (
        "onboarding.lead",
        {
            "orgnr": "123 456 785",
            "company_name": "Statsbygg",
            "address": "Postboks 8106 Dep",
            "municipality": "Oslo",
            "county": "03",
            "sector": "state",
            "contact_name": "Kari",
            "contact_email": "kari@example.no",
            "contact_phone": "+47 912 34 567",
            "trades": ["ITD03-01", "SOA03-01"],
            "places": 3,
        },
    ),
]


@pytest.mark.parametrize(("key", "data"), SAME_INPUT)
def test_html_and_api_give_the_same_cleaned_data(registry: FormRegistry, key: str, data: dict) -> None:
    definition = registry.get(key)
    api_data, api_errors = definition.validate(data, choices_provider=provider, context=CONTEXT)
    form = definition.wtforms_class(choices_provider=provider, context=CONTEXT)(formdata=as_formdata(data))
    assert form.validate(), form.errors
    assert api_errors == {}
    assert form_to_data(form) == api_data


BAD_INPUT = [
    (
        "contract.draft",
        contract_data(apprentice_fnr="71529956709", end_date="2024-01-01", probation_months=8),
    ),
    ("followup.evaluation", evaluation_data(concern=True, absence_days="x", participants=["boss"])),
    ("onboarding.lead", {"orgnr": "912345670", "contact_email": "nope", "places": 0, "trades": ["NOPE"]}),
]


@pytest.mark.parametrize(("key", "data"), BAD_INPUT)
@pytest.mark.parametrize("locale", ["nb", "en"])
def test_html_and_api_give_the_same_errors(registry: FormRegistry, key: str, data: dict, locale: str) -> None:
    definition = registry.get(key)
    _, api_errors = definition.validate(data, locale, provider, CONTEXT)
    form = definition.wtforms_class(locale, choices_provider=provider, context=CONTEXT)(
        formdata=as_formdata(data)
    )
    assert not form.validate()
    assert api_errors and form.errors == api_errors
