"""Reading BPMN/DMN files: what they provide and need, and turning a pinned bundle into specs (cached)."""

from __future__ import annotations

import hashlib
import threading
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field

from lxml import etree
from SpiffWorkflow.bpmn.parser.ValidationException import ValidationException
from SpiffWorkflow.bpmn.specs.bpmn_process_spec import BpmnProcessSpec
from SpiffWorkflow.spiff.parser import VALIDATOR, SpiffBpmnParser

from .errors import Problem, UnsafeDefinition
from .xmlsafe import parse_xml

BPMN_NS = "http://www.omg.org/spec/BPMN/20100524/MODEL"
SPIFF_NS = "http://spiffworkflow.org/bpmn/schema/1.0/core"
NS = {"bpmn": BPMN_NS, "spiffworkflow": SPIFF_NS}

Specs = tuple[BpmnProcessSpec, dict[str, BpmnProcessSpec]]
DefinitionCheck = Callable[[BpmnProcessSpec, dict[str, BpmnProcessSpec]], list[Problem]]


def sha256(data: bytes) -> str:
    """Return the hex sha256 of `data`."""
    return hashlib.sha256(data).hexdigest()


@dataclass
class DefinitionFile:
    """One BPMN or DMN document, read safely, with what it provides and what it calls."""

    filename: str
    kind: str
    xml: bytes
    root: etree._Element
    key: str
    name: str | None
    provides: list[str] = field(default_factory=list)
    calls: set[str] = field(default_factory=set)
    decisions: set[str] = field(default_factory=set)
    start_messages: list[str] = field(default_factory=list)

    @property
    def sha256(self) -> str:
        """The hash of the file's exact bytes."""
        return sha256(self.xml)


def read_definition(filename: str, data: bytes | str) -> DefinitionFile:
    """Parse one uploaded document with the hardened parser and describe it."""
    xml = data.encode("utf-8") if isinstance(data, str) else data
    root = parse_xml(xml, filename)
    namespace = etree.QName(root).namespace or ""
    if etree.QName(root).localname != "definitions":
        raise UnsafeDefinition(f"{filename}: the root element must be <definitions>")
    if namespace == BPMN_NS:
        return _describe_bpmn(filename, xml, root)
    if "DMN" in namespace.upper():
        return _describe_dmn(filename, xml, root, namespace)
    raise UnsafeDefinition(f"{filename}: neither a BPMN nor a DMN document (namespace {namespace!r})")


def _describe_bpmn(filename: str, xml: bytes, root: etree._Element) -> DefinitionFile:
    processes = root.findall(f"{{{BPMN_NS}}}process")
    if not processes:
        raise UnsafeDefinition(f"{filename}: the document defines no process")
    ids = [p.get("id") for p in processes]
    calls = {c.get("calledElement") for c in root.iterfind(".//bpmn:callActivity", NS) if c.get("calledElement")}
    main = next((p for p in processes if p.get("id") not in calls and p.get("isExecutable") != "false"),
                processes[0])
    decisions = {el.text.strip() for el in root.iterfind(".//bpmn:businessRuleTask//spiffworkflow:calledDecisionId",
                                                          NS) if el.text}
    messages = {m.get("id"): m.get("name") for m in root.iterfind("bpmn:message", NS)}
    starts = [messages.get(ed.get("messageRef")) or "" for ed in
              main.iterfind("bpmn:startEvent/bpmn:messageEventDefinition", NS)]
    return DefinitionFile(filename, "bpmn", xml, root, main.get("id"), main.get("name"), provides=ids,
                          calls=calls - set(ids), decisions=decisions, start_messages=[s for s in starts if s])


def _describe_dmn(filename: str, xml: bytes, root: etree._Element, namespace: str) -> DefinitionFile:
    decisions = [d.get("id") for d in root.iterfind(f"{{{namespace}}}decision")]
    if not decisions:
        raise UnsafeDefinition(f"{filename}: the DMN document defines no decision")
    return DefinitionFile(filename, "dmn", xml, root, root.get("id") or decisions[0], root.get("name"),
                          provides=decisions)


def bundle_hash(files: Iterable[DefinitionFile | tuple[str, str]]) -> str:
    """Hash a main file plus its pinned dependencies (order-independent after the first)."""
    hashes = [f.sha256 if isinstance(f, DefinitionFile) else f[1] for f in files]
    return sha256(("\n".join(hashes[:1] + sorted(hashes[1:]))).encode())


def build_specs(files: Sequence[DefinitionFile], process_id: str) -> Specs:
    """Parse a bundle with SpiffBpmnParser (XSD-validated) and return the process spec and subprocess specs."""
    parser = SpiffBpmnParser(validator=VALIDATOR)
    try:
        for f in files:
            root = parse_xml(f.xml, f.filename)
            if f.kind == "dmn":
                parser.add_dmn_xml(root, f.filename)
            else:
                parser.add_bpmn_xml(root.getroottree(), f.filename)
        spec = parser.get_spec(process_id)
        subs = parser.get_subprocess_specs(process_id)
    except ValidationException as exc:
        problem = Problem(str(exc).split(". ")[0], element_id=exc.id or None, element_name=exc.name or None,
                          file=exc.file_name or None, line=exc.line_number or None, site="parse")
        raise UnsafeDefinition(f"The definition is invalid: {problem}", [problem]) from None
    except UnsafeDefinition:
        raise
    except Exception as exc:  # the parser raises plain exceptions for some malformed documents
        problem = Problem(f"{type(exc).__name__}: {exc}", site="parse")
        raise UnsafeDefinition(f"The definition could not be parsed: {problem}", [problem]) from None
    return spec, subs


class SpecCache:
    """Parsed specs keyed by bundle hash: a definition is parsed once per process, never per request."""

    def __init__(self, max_entries: int = 256) -> None:
        self._entries: dict[str, Specs] = {}
        self._lock = threading.Lock()
        self._max = max_entries

    def get(self, key: str, load: Callable[[], Specs]) -> Specs:
        """Return the cached specs for `key`, parsing them with `load` on first use."""
        found = self._entries.get(key)
        if found is not None:
            return found
        specs = load()
        with self._lock:
            if len(self._entries) >= self._max:
                self._entries.pop(next(iter(self._entries)))
            self._entries.setdefault(key, specs)
            return self._entries[key]

    def __contains__(self, key: str) -> bool:
        return key in self._entries
