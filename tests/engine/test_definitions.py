"""Deploying definitions: versions, hashes, pinned dependencies, the spec cache and refusal of bad XML."""

from __future__ import annotations

import hashlib

import pytest
from sqlalchemy import func, select

from engine import UnsafeDefinition
from engine import deployment as deployment_module
from engine.models import Definition
from tests.engine.conftest import fixture_bytes


def _count(engine) -> int:
    with engine.db.read() as s:
        return s.scalar(select(func.count()).select_from(Definition))


def test_deploy_records_version_hash_who_and_when(engine, clock):
    files = fixture_bytes("review.bpmn")
    result = engine.deploy(files, "olga.owner")
    row = result.created[0]
    assert (row.key, row.version, row.kind, row.deployed_by) == ("review", 1, "bpmn", "olga.owner")
    assert row.sha256 == hashlib.sha256(files["review.bpmn"]).hexdigest()
    assert row.deployed_at == clock.now() and row.name == "Review an application"


def test_identical_bytes_create_no_new_version_and_a_change_does(engine):
    files = fixture_bytes("review.bpmn")
    engine.deploy(files, "olga")
    again = engine.deploy(files, "olga")
    assert again.created == [] and [d.version for d in again.unchanged] == [1]
    changed = {"review.bpmn": files["review.bpmn"].replace(b"Archive the papers", b"Archive the signed papers")}
    assert [d.version for d in engine.deploy(changed, "olga").created] == [2]
    assert _count(engine) == 2


def test_running_cases_keep_their_version_new_cases_take_the_new_one(driver, engine):
    driver.deploy("review.bpmn")
    old = driver.start("review")
    driver.complete(old.case_id, "Fill in the application", {"amount": 1})
    changed = fixture_bytes("review.bpmn")["review.bpmn"].replace(b"Archive the papers", b"File the papers")
    engine.deploy({"review.bpmn": changed}, "olga")
    new = driver.start("review")
    driver.complete(new.case_id, "Fill in the application", {"amount": 1})
    assert "Archive the papers" in driver.titles(old.case_id)
    assert "File the papers" in driver.titles(new.case_id)


def test_a_missing_called_process_is_refused_and_nothing_is_stored(engine):
    with pytest.raises(UnsafeDefinition) as err:
        engine.deploy(fixture_bytes("parent.bpmn"), "olga")
    assert any(p.element_id == "child" and "not deployed" in p.message for p in err.value.problems)
    assert _count(engine) == 0


def test_a_dmn_change_gives_the_bpmn_using_it_a_new_version(engine):
    engine.deploy(fixture_bytes("guardian.dmn", "decide.bpmn"), "olga")
    files = fixture_bytes("guardian.dmn", "decide.bpmn")
    files["guardian.dmn"] = files["guardian.dmn"].replace(b"&lt; 18", b"&lt; 19").replace(b"&gt;= 18", b"&gt;= 19")
    result = engine.deploy(files, "olga")
    assert sorted((d.key, d.version) for d in result.created) == [("decide", 2), ("guardian_rules", 2)]


def test_specs_are_parsed_once_per_version(engine, driver, monkeypatch):
    calls = []
    real = deployment_module.build_specs
    monkeypatch.setattr(deployment_module, "build_specs", lambda *a: calls.append(a) or real(*a))
    driver.deploy("review.bpmn")
    for _ in range(3):
        case = driver.start("review")
        driver.complete(case.case_id, "Fill in the application", {"amount": 1})
    assert len(calls) == 1


def test_parse_errors_name_the_element(engine):
    broken = fixture_bytes("review.bpmn")["review.bpmn"].replace(b'sourceRef="fill"', b'sourceRef="nowhere"')
    with pytest.raises(UnsafeDefinition) as err:
        engine.deploy({"review.bpmn": broken}, "olga")
    assert err.value.problems and err.value.problems[0].file == "review.bpmn"
    assert _count(engine) == 0


XXE = b"""<?xml version="1.0"?>
<!DOCTYPE d [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>
<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL" id="d">
  <bpmn:process id="p" isExecutable="true"><bpmn:scriptTask id="s"><bpmn:script>x = "&xxe;"</bpmn:script>
  </bpmn:scriptTask></bpmn:process></bpmn:definitions>"""

LAUGHS = b"""<?xml version="1.0"?>
<!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">
<!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">]>
<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL" id="d">
  <bpmn:process id="p" name="&lol3;"/></bpmn:definitions>"""

EXTERNAL_DTD = b"""<?xml version="1.0"?>
<!DOCTYPE d SYSTEM "http://127.0.0.1:9/evil.dtd">
<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL" id="d">
  <bpmn:process id="p"/></bpmn:definitions>"""

PARAMETER_ENTITY = b"""<?xml version="1.0"?>
<!DOCTYPE d [<!ENTITY % remote SYSTEM "http://127.0.0.1:9/x.dtd"> %remote;]>
<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL" id="d"><bpmn:process id="p"/>
</bpmn:definitions>"""


@pytest.mark.parametrize("payload", [XXE, LAUGHS, EXTERNAL_DTD, PARAMETER_ENTITY,
                                     XXE.replace(b"bpmn:", b"").replace(b"xmlns:bpmn", b"xmlns")],
                         ids=["xxe", "billion-laughs", "external-dtd", "parameter-entity", "xxe-default-ns"])
def test_hostile_xml_is_refused_before_spiffworkflow_sees_it(engine, payload):
    with pytest.raises(UnsafeDefinition, match="DOCTYPE"):
        engine.deploy({"evil.bpmn": payload}, "mallory")
    assert _count(engine) == 0


def test_not_xml_and_not_bpmn_are_refused(engine):
    with pytest.raises(UnsafeDefinition, match="not well-formed"):
        engine.deploy({"x.bpmn": b"<definitions"}, "olga")
    with pytest.raises(UnsafeDefinition, match="neither a BPMN nor a DMN"):
        engine.deploy({"x.bpmn": b'<definitions xmlns="urn:other"/>'}, "olga")


def test_unreachable_and_dead_end_elements_are_named(engine):
    xml = fixture_bytes("review.bpmn")["review.bpmn"].replace(
        b'<bpmn:sequenceFlow id="f10" sourceRef="join" targetRef="end"/>', b"")
    with pytest.raises(UnsafeDefinition) as err:
        engine.deploy({"review.bpmn": xml}, "olga")
    named = {(p.element_id, p.message.split(":")[0]) for p in err.value.problems}
    assert ("join", "has no outgoing sequence flow") in named
    assert ("end", "cannot be reached from a start event") in named


def test_validation_reports_problems_and_stores_nothing(engine):
    broken = fixture_bytes("review.bpmn")["review.bpmn"].replace(b"amount &gt; 100000", b"__import__('os')")
    problems = engine.validate_definitions({"review.bpmn": broken})
    assert problems and problems[0].element_id == "big" and "approve" in problems[0].message
    assert engine.validate_definitions(fixture_bytes("review.bpmn")) == []
    assert _count(engine) == 0
