"""Field checks and cross-field rules through definition.validate(): dates, ranges, age, visibility."""

from __future__ import annotations

import datetime as dt

import pytest

from forms import FormRegistry
from forms.loader import parse_definition

from .conftest import CONTEXT, MINOR_FNR, TODAY, contract_data, evaluation_data, provider

GUARDIAN = ("guardian_name", "guardian_relation", "guardian_phone", "guardian_email")


def test_end_date_must_be_after_start_date(registry: FormRegistry) -> None:
    draft = registry.get("contract.draft")
    for end in ("2025-08-15", "2025-08-01"):
        _, errors = draft.validate(contract_data(end_date=end), choices_provider=provider, context=CONTEXT)
        assert errors == {"end_date": ["Datoen må være etter startdatoen (15.08.2025)."]}
    _, errors = draft.validate(contract_data(end_date="2025-08-01"), "en", provider, CONTEXT)
    assert errors == {"end_date": ["The date must be after the start date (2025-08-15)."]}
    data, errors = draft.validate(
        contract_data(end_date="2025-08-16"), choices_provider=provider, context=CONTEXT
    )
    assert errors == {} and data["end_date"] == dt.date(2025, 8, 16)


def test_registration_no_later_than_contract_end_minus_two_months(registry: FormRegistry) -> None:
    form = registry.get("tradetest.register")
    context = {**CONTEXT, "today": dt.date(2025, 12, 31), "contract_end_date": dt.date(2025, 8, 31)}
    base = {"county": "03", "receipt_ref": "OPP-1"}
    _, errors = form.validate(
        {**base, "registered_on": "2025-06-30"}, context=context, choices_provider=provider
    )
    assert errors == {}
    _, errors = form.validate(
        {**base, "registered_on": "2025-07-01"}, context=context, choices_provider=provider
    )
    assert errors == {
        "registered_on": ["Kandidaten må meldes opp senest to måneder før kontrakten slutter (30.06.2025)."]
    }
    _, errors = form.validate({**base, "registered_on": "2025-07-01"}, "en", provider, context)
    assert "no later than two months before the contract ends (2025-06-30)" in errors["registered_on"][0]


def test_a_rule_without_its_context_value_is_skipped(registry: FormRegistry) -> None:
    form = registry.get("tradetest.register")
    data, errors = form.validate(
        {"county": "03", "receipt_ref": "OPP-1", "registered_on": "2025-06-01"}, context=CONTEXT
    )
    assert errors == {} and data["registered_on"] == dt.date(2025, 6, 1)


def test_rule_reads_submitted_data_before_context() -> None:
    text = """key = "t.t"
title = { nb = "T", en = "T en" }
[[fields]]
name = "registered_on"
type = "date"
label = { nb = "Oppmeldt", en = "Registered" }
[[fields]]
name = "contract_end_date"
type = "date"
label = { nb = "Sluttdato", en = "End date" }
[[rules]]
kind = "date_not_after"
field = "registered_on"
ref = "contract_end_date"
months = -2
ref_label = { nb = "sluttdatoen", en = "the end date" }
"""
    form = parse_definition(text, "t.t.toml", {})
    context = {"contract_end_date": dt.date(2025, 12, 31)}
    _, errors = form.validate({"registered_on": "2025-09-01"}, context=context)
    assert errors == {}
    _, errors = form.validate(
        {"registered_on": "2025-09-01", "contract_end_date": "2025-10-31"}, context=context
    )
    assert errors == {
        "registered_on": ["Datoen kan ikke være senere enn 2 måneder før sluttdatoen (31.08.2025)."]
    }
    _, errors = form.validate({"registered_on": "2025-09-01", "contract_end_date": "2025-10-31"}, "en")
    assert errors == {
        "registered_on": ["The date cannot be later than 2 months before the end date (2025-08-31)."]
    }


def test_appeal_within_three_weeks_of_the_result(registry: FormRegistry) -> None:
    form = registry.get("tradetest.appeal")
    context = {"today": dt.date(2025, 7, 1), "result_date": dt.date(2025, 5, 2), "result": "ikke_bestatt"}
    appeal = {"appeal": True, "grounds": "Feil i vurderingen av planleggingen."}
    data, errors = form.validate({**appeal, "appeal_on": "2025-05-23"}, context=context)
    assert errors == {} and data["appeal_on"] == dt.date(2025, 5, 23)
    _, errors = form.validate({**appeal, "appeal_on": "2025-05-24"}, context=context)
    assert errors == {"appeal_on": ["Klagefristen er tre uker etter at resultatet forelå (23.05.2025)."]}
    _, errors = form.validate({**appeal, "appeal_on": "2025-05-24"}, "en", context=context)
    assert errors == {
        "appeal_on": ["The deadline for an appeal is three weeks after the result (2025-05-23)."]
    }


def test_no_appeal_drops_the_hidden_appeal_fields(registry: FormRegistry) -> None:
    form = registry.get("tradetest.appeal")
    context = {"result_date": dt.date(2025, 5, 2), "result": "ikke_bestatt"}
    data, errors = form.validate(
        {"appeal": False, "appeal_on": "2025-09-01", "grounds": "x"}, context=context
    )
    assert errors == {}
    assert data == {"appeal": False}


def test_a_passed_result_cannot_be_appealed(registry: FormRegistry) -> None:
    form = registry.get("tradetest.appeal")
    context = {"today": TODAY, "result_date": dt.date(2025, 5, 2), "result": "bestatt"}
    _, errors = form.validate({"appeal": True, "appeal_on": "2025-05-05", "grounds": "x"}, context=context)
    assert errors == {"appeal": ["Det kan bare klages når resultatet er «Ikke bestått»."]}


@pytest.mark.parametrize(
    ("months", "message"),
    [
        (7, "Verdien kan ikke være høyere enn 6."),
        (-1, "Verdien må være minst 0."),
        ("seks", "Skriv inn et helt tall."),
    ],
)
def test_probation_is_zero_to_six_months(registry: FormRegistry, months: object, message: str) -> None:
    draft = registry.get("contract.draft")
    _, errors = draft.validate(
        contract_data(probation_months=months), choices_provider=provider, context=CONTEXT
    )
    assert errors == {"probation_months": [message]}
    data, errors = draft.validate(
        contract_data(probation_months="6"), choices_provider=provider, context=CONTEXT
    )
    assert errors == {} and data["probation_months"] == 6


def test_absence_days_cannot_be_negative(registry: FormRegistry) -> None:
    form = registry.get("followup.evaluation")
    _, errors = form.validate(evaluation_data(absence_days=-1), "en", context=CONTEXT)
    assert errors == {"absence_days": ["The value must be at least 0."]}
    data, errors = form.validate(evaluation_data(absence_days=0), context=CONTEXT)
    assert errors == {} and data["absence_days"] == 0


def test_must_be_true_checkboxes(registry: FormRegistry) -> None:
    form = registry.get("followup.evaluation")
    _, errors = form.validate(evaluation_data(signed_apprentice=False), context=CONTEXT)
    assert errors == {"signed_apprentice": ["Dette må bekreftes."]}
    _, errors = form.validate(evaluation_data(signed_apprentice=None), "en", context=CONTEXT)
    assert errors == {"signed_apprentice": ["This must be confirmed."]}


def test_guardian_required_when_apprentice_is_under_18_at_start(registry: FormRegistry) -> None:
    draft = registry.get("contract.draft")
    data = contract_data(apprentice_fnr=MINOR_FNR)  # 17 on 15 Aug 2025
    _, errors = draft.validate(data, choices_provider=provider, context=CONTEXT)
    assert set(errors) == set(GUARDIAN)
    assert errors["guardian_name"] == ["Må fylles ut fordi lærlingen er under 18 år per 15.08.2025."]
    _, errors = draft.validate(data, "en", provider, CONTEXT)
    assert errors["guardian_email"] == ["Required because the apprentice is under 18 on 2025-08-15."]
    guardian = {
        "guardian_name": "Ola Nordmann",
        "guardian_relation": "parent",
        "guardian_phone": "98765432",
        "guardian_email": "ola@example.no",
    }
    cleaned, errors = draft.validate({**data, **guardian}, choices_provider=provider, context=CONTEXT)
    assert errors == {} and cleaned["guardian_phone"] == "+4798765432"


def test_guardian_not_required_from_the_18th_birthday(registry: FormRegistry) -> None:
    draft = registry.get("contract.draft")
    # born 15 Aug 2006: 18 on a start date of 15 Aug 2024; still 17 the day before
    _, errors = draft.validate(
        contract_data(apprentice_fnr="15080651233", start_date="2024-08-15"),
        choices_provider=provider,
        context=CONTEXT,
    )
    assert errors == {}
    _, errors = draft.validate(
        contract_data(apprentice_fnr="15080651233", start_date="2024-08-14"),
        choices_provider=provider,
        context=CONTEXT,
    )
    assert set(errors) == set(GUARDIAN)


def test_hidden_required_field_is_not_required_and_its_value_is_dropped(registry: FormRegistry) -> None:
    form = registry.get("onboarding.capacity")
    data, errors = form.validate(
        {
            "trade": "SOA03-01",
            "company_decision": "declines",
            "decline_reason": "Ingen kapasitet i år.",
            "faglig_leder_name": "Skal bort",
        },
        choices_provider=provider,
    )
    assert errors == {}
    assert data == {
        "trade": "SOA03-01",
        "company_decision": "declines",
        "decline_reason": "Ingen kapasitet i år.",
    }
    _, errors = form.validate(
        {"trade": "SOA03-01", "company_decision": "continue"}, choices_provider=provider
    )
    assert set(errors) == {
        "curriculum_notes",  # required because covers_curriculum is not ticked
        "faglig_leder_name",
        "faglig_leder_email",
        "instructor_names",
        "instructor_count",
    }
    _, errors = form.validate(
        {"trade": "SOA03-01", "company_decision": "declines"}, choices_provider=provider
    )
    assert errors == {"decline_reason": ["Feltet må fylles ut."]}


def test_invalid_value_in_a_hidden_field_is_ignored(registry: FormRegistry) -> None:
    form = registry.get("onboarding.capacity")
    data, errors = form.validate(
        {
            "trade": "SOA03-01",
            "company_decision": "declines",
            "decline_reason": "Nei takk.",
            "instructor_count": "x",
        },
        choices_provider=provider,
    )
    assert errors == {} and "instructor_count" not in data


def test_required_when_a_number_is_positive(registry: FormRegistry) -> None:
    draft = registry.get("contract.draft")
    _, errors = draft.validate(contract_data(credit_months=6), choices_provider=provider, context=CONTEXT)
    assert errors == {"credit_documentation": ["Feltet må fylles ut."]}
    _, errors = draft.validate(
        contract_data(credit_months=6, credit_documentation="Seks måneder praksis, attest vedlagt."),
        choices_provider=provider,
        context=CONTEXT,
    )
    assert errors == {}


def test_extra_terms_required_when_common_subjects_are_missing(registry: FormRegistry) -> None:
    draft = registry.get("contract.draft")
    data = contract_data(missing_common_subjects=["mathematics", "english"])
    _, errors = draft.validate(data, "en", provider, CONTEXT)
    assert errors == {"extra_terms": ["This field is required."]}
    cleaned, errors = draft.validate(
        {**data, "extra_terms": "Matematikk tas som privatist våren 2026."},
        choices_provider=provider,
        context=CONTEXT,
    )
    assert errors == {} and cleaned["missing_common_subjects"] == ["english", "mathematics"]


def test_check_rule_on_grounds_for_cancellation(registry: FormRegistry) -> None:
    form = registry.get("conflict.cancel_application")
    data = {"applicant": "company", "grounds": "unreasonable_burden", "documentation": "Se vedlegg."}
    _, errors = form.validate(data, context=CONTEXT)
    assert errors == {
        "grounds": ["Bare lærlingen kan søke heving fordi det er en urimelig belastning å fortsette."]
    }
    cleaned, errors = form.validate({**data, "applicant": "apprentice"}, context=CONTEXT)
    assert errors == {} and "oral_explanation_offered" not in cleaned


def test_ready_for_test_needs_passed_subjects_unless_training_candidate(registry: FormRegistry) -> None:
    form = registry.get("tradetest.prerequisites")
    data = {
        "outcome": "ready",
        "missing_common_subjects": 1,
        "vg1_passed": True,
        "vg2_passed": False,
        "evaluations_complete": True,
        "documentation_complete": True,
    }
    _, errors = form.validate(data)
    assert errors == {"vg2_passed": ["Må være oppfylt før kandidaten kan meldes klar til prøve."]}
    _, errors = form.validate({**data, "training_candidate": True})
    assert errors == {}
    _, errors = form.validate({**data, "missing_common_subjects": 3, "outcome": "not_ready"})
    assert errors == {
        "missing_common_subjects": ["Verdien kan ikke være høyere enn 2."],
        "note": ["Feltet må fylles ut."],
    }


def test_dates_in_the_future_are_rejected_where_max_is_today(registry: FormRegistry) -> None:
    form = registry.get("contract.sign_office")
    data = {"signer_name": "Leder", "signed_on": "2025-06-03", "method": "bankid"}
    _, errors = form.validate(data, context=CONTEXT)
    assert errors == {"signed_on": ["Datoen kan ikke være fram i tid."]}
    _, errors = form.validate({**data, "signed_on": "02.06.2025"}, context=CONTEXT)
    assert errors == {}


def test_interruption_end_after_start_from_submitted_data(registry: FormRegistry) -> None:
    form = registry.get("conflict.interruption")
    data = {
        "interruption_from": "2025-09-01",
        "interruption_to": "2025-08-01",
        "reason": "military_service",
        "county_consent_ref": "2025/123",
    }
    _, errors = form.validate(data)
    assert errors == {"interruption_to": ["Datoen må være etter avbruddets startdato (01.09.2025)."]}


SUM_FORM = """key = "t.sum"
title = { nb = "T", en = "T en" }
[[fields]]
name = "a"
type = "integer"
label = { nb = "Skoleår", en = "School years" }
[[fields]]
name = "b"
type = "integer"
label = { nb = "Bedriftsår", en = "Company years" }
[[rules]]
kind = "sum_between"
fields = ["a", "b"]
min = 3
max = 4
"""


def test_sum_rule() -> None:
    form = parse_definition(SUM_FORM, "t.sum.toml", {})
    assert form.validate({"a": 2, "b": 2}) == ({"a": 2, "b": 2}, {})
    assert form.validate({"a": 2, "b": 3})[1] == {
        "b": ["Summen av skoleår og bedriftsår kan ikke være mer enn 4."]
    }
    assert form.validate({"a": 1, "b": 1}, "en")[1] == {
        "b": ["The sum of school years and company years must be at least 3."]
    }


CHAIN_FORM = """key = "t.chain"
title = { nb = "T", en = "T en" }
[[fields]]
name = "a"
type = "boolean"
label = { nb = "A", en = "A en" }
[[fields]]
name = "b"
type = "choice"
label = { nb = "B", en = "B en" }
choices = [{ value = "x", nb = "X", en = "X en" }, { value = "y", nb = "Y", en = "Y en" }]
visible_when = { field = "a", is_true = true }
[[fields]]
name = "c"
type = "text"
required = true
label = { nb = "C", en = "C en" }
visible_when = { field = "b", equals = "x" }
"""


def test_a_field_behind_a_hidden_field_is_hidden_too() -> None:
    form = parse_definition(CHAIN_FORM, "t.chain.toml", {})
    assert form.validate({"a": False, "b": "x", "c": "drop"}) == ({"a": False}, {})
    assert form.validate({"a": True, "b": "x"})[1] == {"c": ["Feltet må fylles ut."]}
    assert form.validate({"a": True, "b": "y", "c": "drop"}) == ({"a": True, "b": "y"}, {})
