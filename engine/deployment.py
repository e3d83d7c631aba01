"""Deploying definitions as versions: resolve what each file calls, validate, store, and load specs back."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from .definitions import (
    DefinitionCheck,
    DefinitionFile,
    SpecCache,
    Specs,
    build_specs,
    bundle_hash,
    read_definition,
)
from .errors import NotFound, Problem, UnsafeDefinition
from .models import Definition
from .structure import check_structure


@dataclass
class DeployResult:
    """What a deploy did: the new versions and the files that were already deployed unchanged."""

    created: list[Definition] = field(default_factory=list)
    unchanged: list[Definition] = field(default_factory=list)

    @property
    def keys(self) -> list[str]:
        """Keys of the definitions created by this deploy."""
        return [d.key for d in self.created]


def latest_definitions(session: Session) -> dict[str, Definition]:
    """Return the newest version of every definition key."""
    newest = select(Definition.key, func.max(Definition.version).label("v")).group_by(Definition.key).subquery()
    rows = session.scalars(select(Definition).join(newest, (Definition.key == newest.c.key)
                                                   & (Definition.version == newest.c.v)))
    return {row.key: row for row in rows}


def _as_file(row: Definition) -> DefinitionFile:
    f = read_definition(row.filename, row.xml.encode("utf-8"))
    return f


class Deployer:
    """Turns uploaded files into definition versions; gives back cached specs for a version."""

    def __init__(self, cache: SpecCache, checks: Sequence[DefinitionCheck] = ()) -> None:
        self.cache = cache
        self.checks = list(checks)

    def validate(self, session: Session, files: Mapping[str, bytes], now: datetime) -> list[Problem]:
        """Check files exactly as a deploy would, then roll the deploy back; return the problems found."""
        savepoint = session.begin_nested()
        try:
            self.deploy(session, files, "validation", now)
        except UnsafeDefinition as exc:
            return exc.problems or [Problem(exc.message)]
        finally:
            savepoint.rollback()
        return []

    def deploy(self, session: Session, files: Mapping[str, bytes], actor: str, now: datetime) -> DeployResult:
        """Deploy files whose bundle changed as new versions; all or nothing."""
        described = [read_definition(name, data) for name, data in files.items()]
        seen: dict[str, str] = {}
        for f in described:
            if f.key in seen:
                raise UnsafeDefinition(f"{f.filename} and {seen[f.key]} both define {f.key!r}")
            seen[f.key] = f.filename
        latest = latest_definitions(session)
        providers: dict[str, Definition] = {sym: row for row in latest.values() for sym in row.provides}
        pending: dict[str, DefinitionFile] = {sym: f for f in described for sym in f.provides}
        result, problems = DeployResult(), []
        for f in _dependency_order(described, pending):
            deps, missing = self._resolve(session, f, providers)
            problems += missing
            if missing:
                continue
            digest = bundle_hash([f, *[(d.filename, d.sha256) for d in deps]])
            current = latest.get(f.key)
            if current is not None and current.bundle_sha256 == digest:
                result.unchanged.append(current)
                continue
            specs, found = self._check(session, f, deps)
            problems += found
            if found:
                continue
            row = Definition(key=f.key, kind=f.kind, version=(current.version + 1) if current else 1,
                             name=f.name, filename=f.filename, xml=f.xml.decode("utf-8"), sha256=f.sha256,
                             bundle_sha256=digest, provides=f.provides, requires=sorted({d.id for d in deps}),
                             start_messages=f.start_messages, deployed_by=actor, deployed_at=now)
            session.add(row)
            session.flush()
            if specs is not None:
                self.cache.get(digest, lambda specs=specs: specs)
            result.created.append(row)
            latest[f.key] = row
            providers.update({sym: row for sym in f.provides})
        if problems:
            names = "; ".join(str(p) for p in problems[:5])
            raise UnsafeDefinition(f"Deploy refused: {names}", problems)
        return result

    def _resolve(self, session: Session, f: DefinitionFile,
                 providers: dict[str, Definition]) -> tuple[list[Definition], list[Problem]]:
        deps: dict[int, Definition] = {}
        missing = []
        for symbol in sorted(f.calls | f.decisions):
            row = providers.get(symbol)
            if row is None:
                what = "decision" if symbol in f.decisions else "process"
                missing.append(Problem(f"calls the {what} {symbol!r}, which is not deployed", file=f.filename,
                                       element_id=symbol, site="dependency"))
                continue
            deps[row.id] = row
            for dep_id in row.requires:
                if dep_id not in deps:
                    deps[dep_id] = session.get(Definition, dep_id)
        return list(deps.values()), missing

    def _check(self, session: Session, f: DefinitionFile, deps: list[Definition]) -> tuple[Specs | None,
                                                                                           list[Problem]]:
        if f.kind == "dmn":
            return None, []
        structural = check_structure(f.root, f.filename)
        if structural:
            return None, structural
        try:
            specs = build_specs([f, *[_as_file(d) for d in deps]], f.key)
        except UnsafeDefinition as exc:
            return None, [_with_file(p, f.filename) for p in (exc.problems or [Problem(exc.message)])]
        problems: list[Problem] = []
        for check in self.checks:
            problems += check(*specs)
        return specs, [_with_file(p, f.filename) for p in problems]

    def specs_for(self, session: Session, definition: Definition) -> Specs:
        """Return the parsed specs of a definition version, from the cache when possible."""
        def load() -> Specs:
            deps = [session.get(Definition, i) for i in definition.requires]
            if any(d is None for d in deps):
                raise NotFound(f"a file required by {definition.key} v{definition.version} is missing")
            return build_specs([_as_file(definition), *[_as_file(d) for d in deps if d]], definition.key)

        return self.cache.get(definition.bundle_sha256, load)


def _with_file(problem: Problem, filename: str) -> Problem:
    problem.file = problem.file or filename
    return problem


def _dependency_order(files: list[DefinitionFile], pending: dict[str, DefinitionFile]) -> list[DefinitionFile]:
    ordered: list[DefinitionFile] = []
    visiting: set[str] = set()

    def visit(f: DefinitionFile) -> None:
        if f in ordered or f.key in visiting:
            return
        visiting.add(f.key)
        for symbol in sorted(f.calls | f.decisions):
            dep = pending.get(symbol)
            if dep is not None and dep is not f:
                visit(dep)
        ordered.append(f)

    for f in sorted(files, key=lambda x: (x.kind != "dmn", x.filename)):
        visit(f)
    return ordered
