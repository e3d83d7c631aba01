"""Read-only rendering for the case page: labels, choice labels, dates, yes/no, masking."""

from __future__ import annotations

import datetime as dt

from forms import FormRegistry, ReadonlyField, render_readonly

from .conftest import CONTEXT, contract_data, evaluation_data, provider


def rows_by_name(rows: list[ReadonlyField]) -> dict[str, ReadonlyField]:
    """Index the rendered rows by field name."""
    return {row.name: row for row in rows}


def test_labels_choice_labels_and_dates_in_norwegian(registry: FormRegistry) -> None:
    draft = registry.get("contract.draft")
    data, _ = draft.validate(
        contract_data(missing_common_subjects=["english", "science"], extra_terms="Tas i 2026."),
        choices_provider=provider,
        context=CONTEXT,
    )
    rows = rows_by_name(render_readonly(draft, data, choices_provider=provider))
    assert rows["contract_type"] == ReadonlyField("contract_type", "Kontrakttype", "Lærekontrakt (lærling)")
    assert rows["start_date"].value_text == "15.08.2025"
    assert rows["trade"].value_text == "Service- og administrasjonsfaget"
    assert rows["missing_common_subjects"].value_text == "Engelsk, Naturfag"
    assert rows["apprentice_middle_name"].value_text == "–"
    assert rows["probation_months"].value_text == "6"


def test_english_uses_iso_dates_and_english_labels(registry: FormRegistry) -> None:
    draft = registry.get("contract.draft")
    data, _ = draft.validate(contract_data(), choices_provider=provider, context=CONTEXT)
    rows = rows_by_name(render_readonly(draft, data, "en"))
    assert rows["start_date"] == ReadonlyField("start_date", "Training period starts", "2025-08-15")
    assert rows["training_model"].value_text == "2+2 (two years in school, two in a company)"
    assert rows["trade"].value_text == "SOA03-01"  # no provider: the raw code


def test_booleans_are_yes_or_no(registry: FormRegistry) -> None:
    form = registry.get("followup.evaluation")
    data, _ = form.validate(evaluation_data(), context=CONTEXT)
    assert rows_by_name(render_readonly(form, data))["concern"].value_text == "Nei"
    assert rows_by_name(render_readonly(form, data, "en"))["signed_apprentice"].value_text == "Yes"


def test_sensitive_fields_are_masked_unless_revealed(registry: FormRegistry) -> None:
    form = registry.get("followup.evaluation")
    data, _ = form.validate(
        evaluation_data(concern=True, concern_category="hms", concern_description="Mangler verneutstyr."),
        context=CONTEXT,
    )
    rows = rows_by_name(render_readonly(form, data))
    assert rows["concern_description"].value_text == "*****"
    assert rows["concern_category"].value_text == "HMS (helse, miljø og sikkerhet)"
    revealed = rows_by_name(render_readonly(form, data, reveal_sensitive=True))
    assert revealed["concern_description"].value_text == "Mangler verneutstyr."
    draft = registry.get("contract.draft")
    assert rows_by_name(render_readonly(draft, {"apprentice_fnr": "31129956715"}))[
        "apprentice_fnr"
    ].value_text == ("311299*****")


def test_hidden_fields_are_left_out_and_stored_dates_can_be_strings(registry: FormRegistry) -> None:
    form = registry.get("contract.county_decision")
    rows = render_readonly(form, {"decision": "approved", "decided_on": "2025-05-02", "reference": "2025/77"})
    assert [row.name for row in rows] == ["decision", "decided_on", "reference"]
    assert rows[0].value_text == "Godkjent" and rows[1].value_text == "02.05.2025"
    rows = render_readonly(form, {"decision": "rejected", "decided_on": dt.date(2025, 5, 2)}, "en")
    assert [(row.label, row.value_text) for row in rows] == [
        ("Decision", "Rejected"),
        ("Date of decision", "2025-05-02"),
        ("Case number or decision reference", "–"),
        ("Reason for the rejection", "–"),
    ]
