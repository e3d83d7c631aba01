"""Structural checks of a BPMN document that SpiffWorkflow's parser lets through: dangling flows, dead ends,
elements no path reaches."""

from __future__ import annotations

from collections import defaultdict

from lxml import etree

from .errors import Problem

BPMN_NS = "http://www.omg.org/spec/BPMN/20100524/MODEL"
_NODES = {"task", "userTask", "manualTask", "scriptTask", "serviceTask", "sendTask", "receiveTask",
          "businessRuleTask", "callActivity", "subProcess", "transaction", "exclusiveGateway", "parallelGateway",
          "inclusiveGateway", "eventBasedGateway", "complexGateway", "startEvent", "endEvent",
          "intermediateCatchEvent", "intermediateThrowEvent", "boundaryEvent"}


def _local(el: etree._Element) -> str:
    return etree.QName(el).localname if isinstance(el.tag, str) else ""


def check_structure(root: etree._Element, filename: str | None = None) -> list[Problem]:
    """Find flows that point nowhere, nodes without a way in or out, and nodes unreachable from a start."""
    problems: list[Problem] = []
    for container in root.iter(f"{{{BPMN_NS}}}process", f"{{{BPMN_NS}}}subProcess", f"{{{BPMN_NS}}}transaction"):
        problems += _check_container(container, filename)
    return problems


def _check_container(container: etree._Element, filename: str | None) -> list[Problem]:
    nodes = {el.get("id"): el for el in container if _local(el) in _NODES}
    flows = [el for el in container if _local(el) == "sequenceFlow"]
    out_edges: dict[str, list[str]] = defaultdict(list)
    incoming: set[str] = set()
    problems: list[Problem] = []
    for flow in flows:
        src, dst = flow.get("sourceRef"), flow.get("targetRef")
        for end, ref in (("source", src), ("target", dst)):
            if ref not in nodes:
                problems.append(Problem(f"the sequence flow's {end} {ref!r} does not exist in this process",
                                        element_id=flow.get("id"), element_name=flow.get("name"), file=filename,
                                        site="structure"))
        if src in nodes and dst in nodes:
            out_edges[src].append(dst)
            incoming.add(dst)
    for node_id, el in nodes.items():
        boundary_of = el.get("attachedToRef")
        if boundary_of:
            out_edges[boundary_of].append(node_id)
    starts = [i for i, el in nodes.items() if _local(el) == "startEvent"]
    event_sub = container.get("triggeredByEvent") == "true"
    if not starts and not event_sub and _local(container) == "process" and nodes:
        problems.append(Problem("the process has no start event", element_id=container.get("id"),
                                element_name=container.get("name"), file=filename, site="structure"))
    reached = _reach(starts, out_edges)
    for node_id, el in nodes.items():
        kind = _local(el)
        name = el.get("name")
        if kind not in ("endEvent",) and node_id not in out_edges and not _is_terminal_ok(el):
            problems.append(Problem("has no outgoing sequence flow: the process cannot continue from here",
                                    element_id=node_id, element_name=name, file=filename, site="structure"))
        if starts and node_id not in reached and kind != "boundaryEvent":
            problems.append(Problem("cannot be reached from a start event", element_id=node_id,
                                    element_name=name, file=filename, site="structure"))
    return problems


def _is_terminal_ok(el: etree._Element) -> bool:
    return _local(el) == "subProcess" and el.get("triggeredByEvent") == "true"


def _reach(starts: list[str], edges: dict[str, list[str]]) -> set[str]:
    seen: set[str] = set()
    stack = list(starts)
    while stack:
        node = stack.pop()
        if node in seen:
            continue
        seen.add(node)
        stack.extend(edges.get(node, ()))
    return seen
