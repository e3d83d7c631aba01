"""Every shipped process file deploys with all checks, names known forms, and has a complete diagram."""

from __future__ import annotations

import pytest
from lxml import etree

from engine.xmlsafe import parse_xml
from forms import load_registry
from workflows.catalog import ROLES, role_of_lane, shipped_files

BPMN = "http://www.omg.org/spec/BPMN/20100524/MODEL"
BPMNDI = "http://www.omg.org/spec/BPMN/20100524/DI"
SPIFF = "http://spiffworkflow.org/bpmn/schema/1.0/core"
FILES = shipped_files()


def test_the_five_processes_are_shipped():
    keys = {parse_xml(data).find(f"{{{BPMN}}}process").get("id") for data in FILES.values()}
    assert {"membership_onboarding", "contract_signing", "follow_up", "conflict_handling", "trade_test"} <= keys


def test_all_shipped_files_deploy_together(office):
    definitions = office.engine.latest_definitions()
    assert {d.filename for d in definitions.values()} == set(FILES)


@pytest.mark.parametrize("name", sorted(FILES))
def test_user_tasks_name_known_forms_in_role_lanes(name):
    root = parse_xml(FILES[name], name)
    forms = load_registry()
    lanes = {ref.text: lane.get("name") for lane in root.iter(f"{{{BPMN}}}lane")
             for ref in lane.iter(f"{{{BPMN}}}flowNodeRef")}
    for task in root.iter(f"{{{BPMN}}}userTask"):
        props = {p.get("name"): p.get("value") for p in task.iter(f"{{{SPIFF}}}property")}
        assert props.get("formKey") in forms, f"{name}: {task.get('id')} names {props.get('formKey')!r}"
        assert role_of_lane(lanes.get(task.get("id"))) in ROLES, f"{name}: {task.get('id')} is in no role's lane"


@pytest.mark.parametrize("name", sorted(FILES))
def test_every_element_has_a_place_in_the_diagram(name):
    root = parse_xml(FILES[name], name)
    drawn = {el.get("bpmnElement") for el in root.iter(f"{{{BPMNDI}}}BPMNShape", f"{{{BPMNDI}}}BPMNEdge")}
    elements = [el.get("id") for process in root.iter(f"{{{BPMN}}}process") for el in process
                if isinstance(el.tag, str) and etree.QName(el).localname not in ("laneSet", "extensionElements")]
    missing = [e for e in elements if e not in drawn]
    assert not missing, f"{name}: not drawn: {missing}"
