"""Application-composed deploy checks: form keys and lane roles."""

from __future__ import annotations

import pytest

from engine import CaseEngine, UnsafeDefinition
from engine.checks import require_known_form_keys, require_lane_roles
from tests.engine.conftest import fixture_bytes


def _engine(db_url, **checks) -> CaseEngine:
    engine = CaseEngine(db_url, definition_checks=list(checks.values()))
    engine.create_schema()
    return engine


def test_unknown_form_keys_and_roleless_lanes_are_named(db_url):
    engine = _engine(db_url, forms=require_known_form_keys(lambda: {"test.application"}),
                     roles=require_lane_roles({"saksbehandler", "faglig_leder"}))
    with pytest.raises(UnsafeDefinition) as err:
        engine.deploy(fixture_bytes("review.bpmn"), "olga")
    found = {(p.element_id, p.site) for p in err.value.problems}
    assert ("approve", "form") in found  # test.approval is not a known form
    assert ("archive", "form") in found  # no form key at all
    assert ("approve", "lane") in found  # lane "Leder" is no known role
    assert ("fill", "form") not in found and ("company_sign", "lane") not in found
    assert engine.latest_definitions() == {}


def test_a_definition_meeting_the_checks_deploys(db_url):
    engine = _engine(db_url, roles=require_lane_roles({"saksbehandler", "faglig_leder", "leder"}))
    assert engine.deploy(fixture_bytes("review.bpmn"), "olga").keys == ["review"]
