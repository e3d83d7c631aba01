"""Authoring definitions in the browser: drafts (one per process), version lists with case counts, diffs
between versions, and deploying an edited file together with every process that calls it."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from SpiffWorkflow.bpmn.util.diff import SpecDiff
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from .definitions import read_definition
from .deployment import Deployer, latest_definitions
from .errors import NotFound, UnsafeDefinition
from .models import Definition, DefinitionDraft, ProcessInstance


@dataclass(frozen=True)
class VersionInfo:
    """One deployed version of a process and how many of its instances run or ended on it."""

    id: int
    version: int
    deployed_by: str
    deployed_at: datetime
    sha256: str
    running: int
    finished: int


@dataclass
class VersionDiff:
    """What changed between two versions, by element name."""

    added: list[str] = field(default_factory=list)
    removed: list[str] = field(default_factory=list)
    changed: list[str] = field(default_factory=list)

    @property
    def empty(self) -> bool:
        """Whether nothing visible changed (e.g. only a called process changed)."""
        return not (self.added or self.removed or self.changed)


def _label(spec) -> str:  # type: ignore[no-untyped-def]
    return spec.bpmn_name or spec.bpmn_id or spec.name


def versions(session: Session, key: str) -> list[VersionInfo]:
    """Every version of a process, newest first, with running and finished instance counts."""
    counts: dict[tuple[int, bool], int] = {}
    rows = session.execute(select(ProcessInstance.definition_id, ProcessInstance.status, func.count())
                           .join(Definition, Definition.id == ProcessInstance.definition_id)
                           .where(Definition.key == key)
                           .group_by(ProcessInstance.definition_id, ProcessInstance.status))
    for definition_id, status, count in rows:
        running = status == "running"
        counts[(definition_id, running)] = counts.get((definition_id, running), 0) + count
    found = session.scalars(select(Definition).where(Definition.key == key).order_by(Definition.version.desc()))
    return [VersionInfo(d.id, d.version, d.deployed_by, d.deployed_at, d.sha256, counts.get((d.id, True), 0),
                        counts.get((d.id, False), 0)) for d in found]


def diff(session: Session, deployer: Deployer, registry, old: Definition, new: Definition) -> VersionDiff:  # type: ignore[no-untyped-def]
    """Added, removed and changed elements of the main process from `old` to `new` (SpiffWorkflow's diff)."""
    old_spec = deployer.specs_for(session, old)[0]
    new_spec = deployer.specs_for(session, new)[0]
    spec_diff = SpecDiff(registry, old_spec, new_spec)
    visible = lambda s: bool(getattr(s, "bpmn_id", None))  # noqa: E731 - SpiffWorkflow's own start/end specs
    return VersionDiff(sorted(_label(s) for s in spec_diff.added if visible(s)),
                       sorted(_label(s) for s in spec_diff.removed if visible(s)),
                       sorted(_label(s) for s in spec_diff.changed if visible(s)))


def save_draft(session: Session, key: str, xml: str, actor: str, now: datetime) -> DefinitionDraft:
    """Keep an edit as the process's draft; refused (nothing stored) unless it is safe XML for this process."""
    current = latest_definitions(session).get(key)
    filename = current.filename if current else f"{key}.bpmn"
    described = read_definition(filename, xml.encode("utf-8"))
    if described.key != key:
        raise UnsafeDefinition(f"The document defines the process {described.key!r}, not {key!r}.")
    draft = session.get(DefinitionDraft, key) or DefinitionDraft(key=key)
    draft.filename, draft.xml, draft.saved_by, draft.saved_at = filename, xml, actor, now
    draft.base_version = current.version if current else None
    session.add(draft)
    return draft


def discard_draft(session: Session, key: str) -> None:
    """Throw a draft away (NotFound when there is none)."""
    draft = session.get(DefinitionDraft, key)
    if draft is None:
        raise NotFound(f"{key} has no draft")
    session.delete(draft)


def bundle_with(session: Session, filename: str, xml: bytes) -> dict[str, bytes]:
    """The newest version of every definition, with `filename` replaced by `xml`: deploying it gives the
    edited process a new version and re-pins every process that calls it, and changes nothing else."""
    files = {d.filename: d.xml.encode("utf-8") for d in latest_definitions(session).values()}
    files[filename] = xml
    return files
