"""Give a BPMN file a readable diagram (BPMN DI): columns by flow order, one band per lane.

Process files are written semantically first; this tool adds the shapes and edges that bpmn-js draws.
Usage: python -m workflows.tools.layout workflows/*.bpmn   (rewrites each file in place)
"""

from __future__ import annotations

import sys
from collections import defaultdict
from dataclasses import dataclass
from pathlib import Path

from lxml import etree

BPMN = "http://www.omg.org/spec/BPMN/20100524/MODEL"
BPMNDI = "http://www.omg.org/spec/BPMN/20100524/DI"
DC = "http://www.omg.org/spec/DD/20100524/DC"
DI = "http://www.omg.org/spec/DD/20100524/DI"
SIZES = {"event": (36, 36), "gateway": (50, 50), "task": (110, 80)}
COLUMN, ROW, LEFT, POOL_LABEL = 170, 120, 60, 30


def _kind(tag: str) -> str | None:
    if tag.endswith("Event"):
        return "event"
    if tag.endswith("Gateway"):
        return "gateway"
    if tag.endswith("Task") or tag in ("task", "callActivity", "subProcess"):
        return "task"
    return None


@dataclass
class Box:
    """A shape's bounds."""

    x: float
    y: float
    w: float
    h: float

    @property
    def mid_y(self) -> float:
        """Vertical centre."""
        return self.y + self.h / 2


def _layers(nodes: dict[str, etree._Element], edges: dict[str, list[str]]) -> dict[str, int]:
    """Longest-path column of each node from the start events, ignoring edges that close loops."""
    starts = [n for n, el in nodes.items() if etree.QName(el).localname == "startEvent"] or list(nodes)[:1]
    order, state = [], {}

    def visit(n: str) -> None:
        state[n] = 1
        for m in edges.get(n, []):
            if state.get(m) is None:
                visit(m)
        state[n] = 2
        order.append(n)

    for s in starts:
        if s not in state:
            visit(s)
    for n in nodes:
        if n not in state:
            visit(n)
    rank = {n: i for i, n in enumerate(reversed(order))}
    column = {n: 0 for n in nodes}
    for n in reversed(order):
        for m in edges.get(n, []):
            if rank[m] > rank[n]:
                column[m] = max(column[m], column[n] + 1)
    return column


def layout_process(process: etree._Element) -> tuple[dict[str, Box], dict[str, list[tuple[float, float]]],
                                                      list[tuple[str, Box]], Box]:
    """Compute shapes, edge waypoints, lane bands and the pool for one process."""
    nodes = {el.get("id"): el for el in process if isinstance(el.tag, str) and _kind(etree.QName(el).localname)}
    hosts = {n: el.get("attachedToRef") for n, el in nodes.items() if el.get("attachedToRef")}
    flows = [el for el in process if isinstance(el.tag, str) and etree.QName(el).localname == "sequenceFlow"]
    edges: dict[str, list[str]] = defaultdict(list)
    for f in flows:
        edges[f.get("sourceRef")].append(f.get("targetRef"))
    for boundary, host in hosts.items():
        edges[host].append(boundary)
    column = _layers({n: el for n, el in nodes.items()}, edges)
    for boundary, host in hosts.items():
        column[boundary] = column[host]
    lanes = [(lane.get("name") or lane.get("id"), [r.text for r in lane.iter(f"{{{BPMN}}}flowNodeRef")])
             for lane in process.iter(f"{{{BPMN}}}lane")] or [("", list(nodes))]
    lane_of = {n: i for i, (_, refs) in enumerate(lanes) for n in refs}
    preds: dict[str, list[str]] = defaultdict(list)
    for f in flows:
        preds[f.get("targetRef")].append(f.get("sourceRef"))
    taken: dict[tuple[int, int], set[int]] = defaultdict(set)
    slot_of: dict[str, int] = {}
    for n in sorted((n for n in nodes if n not in hosts), key=lambda n: (column[n], n)):
        placed = [p for p in preds.get(n, []) if p in slot_of or p in hosts]
        wanted = 0
        if placed:
            first = placed[0]
            wanted = slot_of[hosts[first]] + 1 if first in hosts else slot_of[first]
            if lane_of.get(hosts.get(first, first), 0) != lane_of.get(n, 0):
                wanted = 0
        key = (lane_of.get(n, 0), column[n])
        while wanted in taken[key]:
            wanted += 1
        taken[key].add(wanted)
        slot_of[n] = wanted
    slots = {key: max(rows) + 1 for key, rows in taken.items()}
    lane_rows = [max([slots.get((i, c), 0) for c in set(column.values())] + [1]) for i in range(len(lanes))]
    lane_top, y = [], 0.0
    for rows in lane_rows:
        lane_top.append(y)
        y += rows * ROW + 40
    boxes: dict[str, Box] = {}
    for n, el in nodes.items():
        if n in hosts:
            continue
        w, h = SIZES[_kind(etree.QName(el).localname)]
        cx = LEFT + POOL_LABEL + 40 + column[n] * COLUMN + SIZES["task"][0] / 2
        cy = lane_top[lane_of.get(n, 0)] + 20 + slot_of[n] * ROW + ROW / 2
        boxes[n] = Box(cx - w / 2, cy - h / 2, w, h)
    attached: dict[str, int] = defaultdict(int)
    for boundary, host in hosts.items():
        hb = boxes[host]
        boxes[boundary] = Box(hb.x + hb.w - 28 - 40 * attached[host], hb.y + hb.h - 18, 36, 36)
        attached[host] += 1
    waypoints = {f.get("id"): _route(boxes[f.get("sourceRef")], boxes[f.get("targetRef")])
                 for f in flows if f.get("sourceRef") in boxes and f.get("targetRef") in boxes}
    width = LEFT + POOL_LABEL + 80 + (max(column.values(), default=0) + 1) * COLUMN
    bands = [(name, Box(LEFT + POOL_LABEL, lane_top[i], width - POOL_LABEL, lane_rows[i] * ROW + 40))
             for i, (name, _) in enumerate(lanes)]
    return boxes, waypoints, bands, Box(LEFT, 0, width, y)


def _route(a: Box, b: Box) -> list[tuple[float, float]]:
    if b.x > a.x + a.w:
        start, end = (a.x + a.w, a.mid_y), (b.x, b.mid_y)
        if abs(start[1] - end[1]) < 1:
            return [start, end]
        mid = (start[0] + end[0]) / 2
        return [start, (mid, start[1]), (mid, end[1]), end]
    below = max(a.y + a.h, b.y + b.h) + 25
    return [(a.x + a.w / 2, a.y + a.h), (a.x + a.w / 2, below), (b.x + b.w / 2, below), (b.x + b.w / 2, b.y + b.h)]


def add_diagram(root: etree._Element) -> None:
    """Replace any diagram in the document with a computed one (pool, lanes, shapes, edges)."""
    for old in root.findall(f"{{{BPMNDI}}}BPMNDiagram"):
        root.remove(old)
    processes = root.findall(f"{{{BPMN}}}process")
    collaboration = root.find(f"{{{BPMN}}}collaboration")
    if collaboration is None:
        collaboration = etree.Element(f"{{{BPMN}}}collaboration", id=f"{processes[0].get('id')}_collaboration")
        root.insert(0, collaboration)
    participants = {p.get("processRef"): p for p in collaboration.findall(f"{{{BPMN}}}participant")}
    diagram = etree.SubElement(root, f"{{{BPMNDI}}}BPMNDiagram", id=f"{collaboration.get('id')}_diagram")
    plane = etree.SubElement(diagram, f"{{{BPMNDI}}}BPMNPlane", id=f"{collaboration.get('id')}_plane",
                             bpmnElement=collaboration.get("id"))
    offset = 0.0
    for process in processes:
        if process.get("id") not in participants:
            participants[process.get("id")] = etree.SubElement(
                collaboration, f"{{{BPMN}}}participant", id=f"{process.get('id')}_pool",
                name=process.get("name") or process.get("id"), processRef=process.get("id"))
        boxes, waypoints, bands, pool = layout_process(process)
        _shape(plane, participants[process.get("id")].get("id"), Box(pool.x, pool.y + offset, pool.w, pool.h),
               horizontal=True)
        for lane, (_, band) in zip(process.iter(f"{{{BPMN}}}lane"), bands, strict=False):
            _shape(plane, lane.get("id"), Box(band.x, band.y + offset, band.w, band.h), horizontal=True)
        for node, box in boxes.items():
            _shape(plane, node, Box(box.x, box.y + offset, box.w, box.h))
        for flow, points in waypoints.items():
            edge = etree.SubElement(plane, f"{{{BPMNDI}}}BPMNEdge", id=f"{flow}_di", bpmnElement=flow)
            for x, y in points:
                etree.SubElement(edge, f"{{{DI}}}waypoint", x=_n(x), y=_n(y + offset))
        offset += pool.h + 60


def _shape(plane: etree._Element, element: str, box: Box, horizontal: bool = False) -> None:
    shape = etree.SubElement(plane, f"{{{BPMNDI}}}BPMNShape", id=f"{element}_di", bpmnElement=element)
    if horizontal:
        shape.set("isHorizontal", "true")
    etree.SubElement(shape, f"{{{DC}}}Bounds", x=_n(box.x), y=_n(box.y), width=_n(box.w), height=_n(box.h))


def _n(value: float) -> str:
    return str(round(value))


def layout_file(path: Path) -> None:
    """Rewrite one BPMN file with a computed diagram."""
    parser = etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False, remove_blank_text=True)
    tree = etree.parse(str(path), parser)
    root = tree.getroot()
    nsmap = {**root.nsmap, "bpmndi": BPMNDI, "dc": DC, "di": DI}
    if nsmap != root.nsmap:
        new_root = etree.Element(root.tag, nsmap=nsmap, attrib=dict(root.attrib))
        new_root.extend(list(root))
        root = new_root
        tree = etree.ElementTree(root)
    add_diagram(root)
    etree.indent(tree, space="  ")
    path.write_bytes(etree.tostring(tree, xml_declaration=True, encoding="UTF-8", pretty_print=True))


if __name__ == "__main__":
    for name in sys.argv[1:]:
        layout_file(Path(name))
        print(f"laid out {name}")
