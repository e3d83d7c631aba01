"""The one hardened XML parser every BPMN/DMN byte string goes through before SpiffWorkflow sees it."""

from __future__ import annotations

from lxml import etree

from .errors import UnsafeDefinition

MAX_DOCUMENT_BYTES = 5 * 1024 * 1024


def _parser() -> etree.XMLParser:
    return etree.XMLParser(
        resolve_entities=False,
        no_network=True,
        load_dtd=False,
        dtd_validation=False,
        huge_tree=False,
        remove_comments=False,
    )


def parse_xml(data: bytes | str, name: str = "document") -> etree._Element:
    """Parse untrusted XML safely: any DOCTYPE, entity or DTD is refused, nothing is fetched."""
    if isinstance(data, str):
        data = data.encode("utf-8")
    if len(data) > MAX_DOCUMENT_BYTES:
        raise UnsafeDefinition(f"{name}: the document is larger than {MAX_DOCUMENT_BYTES // 1024} KiB")
    if b"<!DOCTYPE" in data.upper() or b"<!ENTITY" in data.upper():
        raise UnsafeDefinition(f"{name}: a DOCTYPE or entity declaration is not allowed in BPMN or DMN")
    try:
        root = etree.fromstring(data, parser=_parser())
    except etree.XMLSyntaxError as exc:
        raise UnsafeDefinition(f"{name}: not well-formed XML: {exc}") from None
    tree = root.getroottree()
    if tree.docinfo.doctype or tree.docinfo.internalDTD is not None:
        raise UnsafeDefinition(f"{name}: a DOCTYPE is not allowed in BPMN or DMN")
    return root
