"""Application-composed deploy checks: form keys and lane roles."""

from __future__ import annotations

import pytest

from engine import CaseEngine, UnsafeDefinition
from engine.checks import require_known_form_keys, require_lane_roles
from engine.models import EngineBase
from tests.engine.conftest import fixture_bytes


@pytest.fixture
def make_engine(db_url):
    """Build engines with given checks on the test database; dispose them afterwards."""
    made: list[CaseEngine] = []

    def build(*checks) -> CaseEngine:
        engine = CaseEngine(db_url, definition_checks=list(checks))
        EngineBase.metadata.drop_all(engine.db.engine)
        engine.create_schema()
        made.append(engine)
        return engine

    yield build
    for engine in made:
        engine.db.engine.dispose()


def test_unknown_form_keys_and_roleless_lanes_are_named(make_engine):
    engine = make_engine(require_known_form_keys(lambda: {"test.application"}),
                         require_lane_roles({"saksbehandler", "faglig_leder"}))
    with pytest.raises(UnsafeDefinition) as err:
        engine.deploy(fixture_bytes("review.bpmn"), "olga")
    found = {(p.element_id, p.site) for p in err.value.problems}
    assert ("approve", "form") in found  # test.approval is not a known form
    assert ("archive", "form") in found  # no form key at all
    assert ("approve", "lane") in found  # lane "Leder" is no known role
    assert ("fill", "form") not in found and ("company_sign", "lane") not in found
    assert engine.latest_definitions() == {}


def test_a_definition_meeting_the_checks_deploys(make_engine):
    engine = make_engine(require_lane_roles({"saksbehandler", "faglig_leder", "leder"}))
    assert engine.deploy(fixture_bytes("review.bpmn"), "olga").keys == ["review"]
