"""The shipped definitions load, are bilingual, and keep the field names the BPMN files rely on."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from forms import DefinitionError, FormRegistry, load_registry
from forms.loader import parse_definition
from forms.registry import DEFINITIONS_DIR, read_registry

# The contract with the BPMN files: form key -> field names that must exist.
CONTRACT_FIELDS = {
    "onboarding.lead": "orgnr subunit_orgnr company_name address municipality county sector contact_name "
    "contact_email contact_phone trades places",
    "onboarding.capacity": "covers_curriculum faglig_leder_name faglig_leder_email faglig_leder_phone "
    "instructor_names instructor_count company_decision decline_reason",
    "onboarding.agreement_company": "signer_name signed_on duties_accepted company_decision",
    "onboarding.agreement_office": "signer_name signed_on document_ref",
    "onboarding.vigo_registration": "vigo_id registered_on",
    "onboarding.county_application": "county trades sent_on check_address_in_county check_instructor "
    "check_faglig_leder",
    "onboarding.county_decision": "decision decided_on reference approved_trades reason",
    "onboarding.courses": "faglig_leder_course_on instructor_course_on training_plan_ready",
    "contract.draft": "contract_type trade apprentice_fnr apprentice_first_name apprentice_middle_name "
    "apprentice_last_name apprentice_mobile apprentice_email apprentice_address company_orgnr "
    "faglig_leder_name faglig_leder_birth_date faglig_leder_email start_date end_date training_model "
    "probation_months credit_months credit_documentation missing_common_subjects extra_terms "
    "employment_contract_ref responsibilities guardian_name guardian_relation guardian_phone guardian_email",
    "contract.precheck_fix": "fixes_made confirmed",
    "contract.guardian_informed": "informed_on channel",
    "contract.sign_apprentice": "signer_name signed_on method",
    "contract.sign_faglig_leder": "signer_name signed_on method",
    "contract.sign_office": "signer_name signed_on method",
    "contract.submit_county": "submitted_on vigo_reference",
    "contract.county_decision": "decision decided_on reference reason",
    "contract.correct": "action corrections",
    "contract.expired": "action note",
    "followup.evaluation": "period meeting_date participants planning_status planning_comment "
    "execution_status "
    "execution_comment documentation_status documentation_comment hms_quality_status hms_quality_comment "
    "mastered goals_next absence_days wellbeing apprentice_comments concern concern_category "
    "concern_description signed_faglig_leder signed_instructor signed_apprentice",
    "followup.escalation": "action_taken note",
    "followup.meeting": "meeting_date participants notes wellbeing concern concern_category "
    "concern_description",
    "conflict.register": "category description raised_by raised_on",
    "conflict.dialogue": "meeting_date participants minutes outcome",
    "conflict.mediation": "meeting_date representative_present action_plan warnings_documented "
    "follow_up_weeks",
    "conflict.choose_path": "path reasoning",
    "conflict.move_company": "new_company_orgnr new_faglig_leder_name new_faglig_leder_email move_on "
    "evaluation_before_move_done employment_contract_ref vigo_updated",
    "conflict.change_type": "new_contract_type county_consent_ref changed_on",
    "conflict.interruption": "interruption_from interruption_to reason county_consent_ref",
    "conflict.cancel_agreement": "apprentice_signed_on company_signed_on reason "
    "right_to_training_warning_given "
    "agreement_voluntary county_informed_on",
    "conflict.cancel_application": "applicant grounds documentation other_party_heard_on "
    "oral_explanation_offered",
    "conflict.county_decision": "decision decided_on end_date right_to_training_kept reference",
    "tradetest.prerequisites": "vg1_passed vg2_passed missing_common_subjects evaluations_complete "
    "documentation_complete outcome note",
    "tradetest.readiness": "period_from period_to test_site accommodations ready",
    "tradetest.register": "registered_on county receipt_ref",
    "tradetest.board_assignment": "board_name assignment_letter_on test_from test_to",
    "tradetest.result": "result tested_on protocol_ref addendum",
    "tradetest.appeal": "appeal appeal_on grounds",
    "tradetest.appeal_decision": "outcome new_result",
    "tradetest.retest": "action note",
}

# Values BPMN gateways compare: exactly these.
BRANCH_VALUES = {
    ("onboarding.capacity", "company_decision"): {"continue", "declines"},
    ("onboarding.agreement_company", "company_decision"): {"signed", "withdraws"},
    ("onboarding.county_decision", "decision"): {"approved", "rejected"},
    ("contract.draft", "contract_type"): {
        "laerekontrakt",
        "opplaeringskontrakt",
        "praksisbrev",
        "fagbrev_paa_jobb",
    },
    ("contract.draft", "training_model"): {"model_2_2", "model_1_3", "model_0_4", "other"},
    ("contract.county_decision", "decision"): {"approved", "rejected"},
    ("contract.correct", "action"): {"resubmit", "withdraw"},
    ("contract.expired", "action"): {"restart", "withdraw"},
    ("contract.sign_apprentice", "method"): {"bankid", "minid", "paper"},
    ("followup.escalation", "action_taken"): {
        "contacted_company",
        "meeting_scheduled",
        "evaluation_received",
    },
    ("followup.meeting", "wellbeing"): {"good", "some_concerns", "serious_concerns"},
    ("conflict.register", "category"): {
        "absence",
        "performance",
        "cooperation",
        "hms",
        "company_cannot_continue",
        "apprentice_wants_to_stop",
    },
    ("conflict.register", "raised_by"): {"apprentice", "company", "office", "county"},
    ("conflict.dialogue", "outcome"): {"resolved", "not_resolved"},
    ("conflict.choose_path", "path"): {
        "resolved",
        "move_company",
        "change_contract_type",
        "interruption",
        "cancel_by_agreement",
        "cancel_by_decision",
    },
    ("conflict.interruption", "reason"): {"leave", "military_service", "illness", "other"},
    ("conflict.cancel_application", "applicant"): {"company", "apprentice"},
    ("conflict.cancel_application", "grounds"): {
        "serious_breach",
        "unable_to_continue",
        "unreasonable_burden",
    },
    ("conflict.county_decision", "decision"): {"cancelled", "rejected"},
    ("tradetest.prerequisites", "outcome"): {"ready", "not_ready"},
    ("tradetest.result", "result"): {"bestatt_meget_godt", "bestatt", "ikke_bestatt"},
    ("tradetest.appeal_decision", "outcome"): {"upheld", "changed", "new_test"},
    ("tradetest.retest", "action"): {"register_retest", "extend_training", "close"},
}


def test_every_definition_file_loads_under_its_file_name(registry: FormRegistry) -> None:
    stems = {p.stem for p in DEFINITIONS_DIR.glob("*.toml") if not p.name.startswith("_")}
    assert set(registry.keys()) == stems
    assert set(registry.keys()) == set(CONTRACT_FIELDS)
    for definition in registry:
        assert definition.source == f"{definition.key}.toml"


def test_keys_are_unique_across_files() -> None:
    keys = []
    for path in DEFINITIONS_DIR.glob("*.toml"):
        match = re.search(r'^key = "([^"]+)"', path.read_text(encoding="utf-8"), re.M)
        if not path.name.startswith("_"):
            assert match, path.name
            keys.append(match.group(1))
    assert len(keys) == len(set(keys))


def test_every_field_has_distinct_norwegian_and_english_labels(registry: FormRegistry) -> None:
    for definition in registry:
        assert definition.title.nb and definition.title.en and definition.title.nb != definition.title.en
        assert definition.roles, definition.key
        for field in definition.fields:
            where = f"{definition.key}.{field.name}"
            assert field.label.nb.strip() and field.label.en.strip(), where
            assert field.label.nb != field.label.en, where
            if field.help is not None:
                assert field.help.nb.strip() and field.help.en.strip(), where


def test_every_choice_has_labels_in_both_languages_and_an_ascii_value(registry: FormRegistry) -> None:
    seen = 0
    for definition in registry:
        for field in definition.fields:
            if field.type in ("choice", "multichoice"):
                assert field.choices, f"{definition.key}.{field.name}"
            for choice in field.choices:
                seen += 1
                assert re.fullmatch(r"[a-z][a-z0-9_]*", choice.value)
                assert choice.label.nb.strip() and choice.label.en.strip()
    assert seen > 100


@pytest.mark.parametrize("key", sorted(CONTRACT_FIELDS))
def test_field_names_agreed_with_the_bpmn_files_exist(registry: FormRegistry, key: str) -> None:
    names = set(registry.get(key).field_names)
    missing = set(CONTRACT_FIELDS[key].split()) - names
    assert not missing, f"{key} lacks {sorted(missing)}"


@pytest.mark.parametrize(("key", "field"), sorted(BRANCH_VALUES))
def test_branching_fields_offer_exactly_the_agreed_values(
    registry: FormRegistry, key: str, field: str
) -> None:
    definition = registry.get(key).field(field)
    assert {c.value for c in definition.choices} == BRANCH_VALUES[(key, field)]


def test_concern_category_is_the_same_enum_everywhere(registry: FormRegistry) -> None:
    reference = registry.get("conflict.register").field("category").choices
    for key in ("followup.evaluation", "followup.meeting"):
        assert registry.get(key).field("concern_category").choices == reference


def test_registry_lookup_and_cache(registry: FormRegistry) -> None:
    assert load_registry() is load_registry()
    assert "contract.draft" in registry
    assert "contract.nope" not in registry
    assert registry.get("contract.draft").key == "contract.draft"
    with pytest.raises(KeyError, match="contract.nope"):
        registry.get("contract.nope")


GOOD_FIELD = '[[fields]]\nname = "a"\ntype = "text"\nlabel = { nb = "A", en = "A en" }\n'
HEAD = 'key = "x.y"\ntitle = { nb = "T", en = "T en" }\n'


@pytest.mark.parametrize(
    ("body", "fragment"),
    [
        (
            '[[fields]]\nname = "b"\ntype = "dat"\nlabel = { nb = "B", en = "B" }\n',
            "field 'b': unknown type 'dat'",
        ),
        (
            '[[fields]]\nname = "b"\ntype = "text"\nlabel = { nb = "B" }\n',
            "field 'b': label needs a non-empty 'en'",
        ),
        (
            '[[fields]]\nname = "b"\ntype = "text"\nrequried = true\nlabel = { nb = "B", en = "B" }\n',
            "requried",
        ),
        (
            '[[fields]]\nname = "b"\ntype = "boolean"\nrequired = true\nlabel = { nb = "B", en = "B" }\n',
            "use must_be_true",
        ),
        (
            '[[fields]]\nname = "b"\ntype = "text"\nlabel = { nb = "B", en = "B" }\n'
            'visible_when = { field = "zz", equals = "x" }\n',
            "field 'b': visible_when names 'zz'",
        ),
        (
            '[[fields]]\nname = "b"\ntype = "choice"\nlabel = { nb = "B", en = "B" }\n'
            'choices = [{ value = "yes", nb = "Ja", en = "Yes" }]\n'
            '[[fields]]\nname = "c"\ntype = "text"\nlabel = { nb = "C", en = "C" }\n'
            'visible_when = { field = "b", equals = "ja" }\n',
            "field 'c': visible_when: ['ja'] is not a choice of 'b'",
        ),
        (
            '[[fields]]\nname = "b"\ntype = "choice"\nlabel = { nb = "B", en = "B" }\nchoices = "nope"\n',
            "unknown shared choice set 'nope'",
        ),
        (
            '[[fields]]\nname = "a"\ntype = "text"\nlabel = { nb = "B", en = "B" }\n',
            "field 'a': the field name appears twice",
        ),
        ('[[fields]]\nname = "class"\ntype = "text"\nlabel = { nb = "B", en = "B" }\n', "'class'"),
        ('[[fields]]\nname = "data"\ntype = "text"\nlabel = { nb = "B", en = "B" }\n', "reserved"),
        (
            '[[fields]]\nname = "n"\ntype = "integer"\nmin = 5\nmax = 1\nlabel = { nb = "B", en = "B" }\n',
            "'min' is greater than 'max'",
        ),
        (
            '[[fields]]\nname = "n"\ntype = "integer"\ndefault = "x"\nlabel = { nb = "B", en = "B" }\n',
            "field 'n': default 'x' is not valid",
        ),
        ('[[rules]]\nkind = "date_after"\nfield = "a"\nref = "b"\n', "a date rule needs a date field"),
        ('[[rules]]\nkind = "later_than"\n', "kind must be one of"),
        (
            '[[rules]]\nkind = "check"\nrequire = { field = "a", equals = "x" }\n'
            'message = "no_such_message"\n',
            "unknown message id 'no_such_message'",
        ),
    ],
)
def test_malformed_definitions_name_the_file_and_the_field(body: str, fragment: str) -> None:
    with pytest.raises(DefinitionError) as caught:
        parse_definition(HEAD + GOOD_FIELD + body, "broken.toml", {})
    assert str(caught.value).startswith("broken.toml: ")
    assert fragment in str(caught.value)


def test_date_rule_needs_a_label_for_its_reference() -> None:
    text = HEAD + '[[fields]]\nname = "d"\ntype = "date"\nlabel = { nb = "D", en = "D en" }\n'
    text += '[[rules]]\nkind = "date_not_after"\nfield = "d"\nref = "contract_end_date"\nmonths = -2\n'
    with pytest.raises(DefinitionError, match="ref_label"):
        parse_definition(text, "broken.toml", {})


def test_visibility_cycles_are_rejected() -> None:
    text = HEAD
    text += '[[fields]]\nname = "a"\ntype = "boolean"\nlabel = { nb = "A", en = "A en" }\n'
    text += 'visible_when = { field = "b", is_true = true }\n'
    text += '[[fields]]\nname = "b"\ntype = "boolean"\nlabel = { nb = "B", en = "B en" }\n'
    text += 'visible_when = { field = "a", is_true = true }\n'
    with pytest.raises(DefinitionError, match="cycle"):
        parse_definition(text, "broken.toml", {})


def test_a_key_that_does_not_match_its_file_name_is_rejected(tmp_path: Path) -> None:
    (tmp_path / "contract.other.toml").write_text(HEAD.replace("x.y", "contract.draft") + GOOD_FIELD)
    with pytest.raises(DefinitionError, match="contract.other.toml: key 'contract.draft' does not match"):
        read_registry(tmp_path)


def test_invalid_toml_names_the_file(tmp_path: Path) -> None:
    (tmp_path / "x.y.toml").write_text(HEAD + "fields = [\n")
    with pytest.raises(DefinitionError, match=r"x\.y\.toml: not valid TOML"):
        read_registry(tmp_path)
