"""CaseEngine: the engine's one public face. Each method is a use case run in one transaction."""

from __future__ import annotations

import traceback
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from copy import deepcopy
from dataclasses import dataclass
from datetime import datetime
from types import SimpleNamespace
from typing import Any
from uuid import UUID

from SpiffWorkflow.util.task import TaskState
from sqlalchemy import Engine, and_, func, insert, or_, select, update
from sqlalchemy.orm import Session

from . import authoring, jobs, migration, spiff_defects, statements
from .clock import Clock, SystemClock, using_clock
from .context import CallContext, engine_call
from .db import Database, make_db_engine
from .definitions import DefinitionCheck, SpecCache
from .deployment import Deployer, DeployResult, latest_definitions
from .errors import EngineError, InvalidState, NotFound, Problem, ProcessFailed, TaskConflict, UnsafeDefinition
from .expressions import SafeScriptEngine, ServiceRegistry, scan_specs
from .migration import MigrationCheck
from .models import (
    Case,
    Definition,
    DefinitionDraft,
    EngineBase,
    Incident,
    JobRow,
    MessageSubscription,
    ProcessInstance,
    TaskRow,
    TimerRow,
)
from .projections import ProjectionWriter, RoleResolver, correlation_key, default_role
from .queues import QueueReads
from .reading import CaseReads
from .results import StepResult, TaskInfo
from .serialization import InstanceSerializer
from .stepping import Loaded, Stepper, audit, one_per_instance


@dataclass
class _Call:
    session: Session
    now: datetime
    actor: str


MAX_COMMENT = 4000


class CaseEngine(CaseReads, QueueReads):
    """Deploy definitions, start cases, work tasks, deliver messages and fire timers — each call atomic."""

    def __init__(self, db: Database | Engine | str, *, clock: Clock | None = None,
                 services: ServiceRegistry | None = None, helpers: dict[str, Callable[..., Any]] | None = None,
                 role_of: RoleResolver = default_role,
                 summary_fields: Sequence[str] | Mapping[str, str] = (),
                 definition_checks: Sequence[DefinitionCheck] = (), task_jobs: bool = False) -> None:
        spiff_defects.apply_all()
        if isinstance(db, str):
            db = make_db_engine(db)
        self.db = db if isinstance(db, Database) else Database(db)
        self.clock = clock or SystemClock()
        self.services = services or ServiceRegistry()
        self.script_engine = SafeScriptEngine(services=self.services, helpers=helpers)
        self.deployer = Deployer(SpecCache(), checks=[scan_specs, *definition_checks])
        self.stepper = Stepper(self.deployer, InstanceSerializer(), self.script_engine,
                               ProjectionWriter(role_of, summary_fields, task_jobs=task_jobs), self.db.locks_rows)

    def create_schema(self) -> None:
        """Create the engine's tables (tests and first runs; production uses the migrations)."""
        EngineBase.metadata.create_all(self.db.engine)

    # -- the transaction around every call ---------------------------------------------------------
    @contextmanager
    def _call(self, action: str, actor: str, *, case_id: int | None = None,
              task_id: str | None = None) -> Iterator[_Call]:
        now = self.clock.now()
        ctx = CallContext(session=None, now=now, actor=actor, case_id=case_id)
        try:
            with self.db.write() as session, using_clock(self.clock), engine_call(ctx):
                ctx.session = session
                yield _Call(session, now, actor)
        except EngineError:
            raise
        except Exception as exc:  # any failure inside a step: nothing was saved; keep the error for admins
            case_id = ctx.case_id
            self._record_incident(action, actor, case_id, task_id, exc, now)
            raise ProcessFailed(f"The step failed and nothing was changed: {_short(exc)}",
                                case_id=case_id, task_id=task_id) from exc

    def _record_incident(self, action: str, actor: str, case_id: int | None, task_id: str | None,
                         exc: BaseException, now: datetime) -> None:
        with self.db.write() as session:
            session.add(Incident(case_id=case_id, task_id=task_id, at=now, actor=actor, action=action,
                                 error_type=type(exc).__name__, message=_short(exc, 2000),
                                 details="".join(traceback.format_exception(exc))[-20000:]))

    # -- definitions ---------------------------------------------------------------------------------
    def deploy(self, files: Mapping[str, bytes], deployed_by: str) -> DeployResult:
        """Deploy BPMN/DMN files; files whose bundle is unchanged create no new version."""
        with self._call("deploy", deployed_by) as call:
            return self.deployer.deploy(call.session, files, deployed_by, call.now)

    def validate_definitions(self, files: Mapping[str, bytes], actor: str = "validation") -> list[Problem]:
        """Return the problems a deploy of `files` would be refused for (empty when valid); stores nothing."""
        with self._call("validate", actor) as call:
            return self.deployer.validate(call.session, files, call.now)

    # -- authoring in the browser -------------------------------------------------------------------
    def versions(self, key: str) -> list[authoring.VersionInfo]:
        """Every version of a process, newest first, with how many instances run on each."""
        with self.db.read() as s:
            return authoring.versions(s, key)

    def version_diff(self, old_id: int, new_id: int) -> authoring.VersionDiff:
        """What changed in a process between two of its versions."""
        with self.db.read() as s:
            old, new = s.get(Definition, old_id), s.get(Definition, new_id)
            if old is None or new is None or old.key != new.key:
                raise NotFound("both versions must exist and belong to one process")
            return authoring.diff(s, self.deployer, self.stepper.serializer.registry, old, new)

    def definition(self, key: str, version: int | None = None) -> Definition:
        """One version of a definition (the newest when `version` is None)."""
        with self.db.read() as s:
            q = select(Definition).where(Definition.key == key)
            q = q.where(Definition.version == version) if version else q.order_by(Definition.version.desc())
            found = s.scalars(q.limit(1)).first()
            if found is None:
                raise NotFound(f"{key} has no version {version}" if version else f"{key} is not deployed")
            return found

    def draft(self, key: str) -> DefinitionDraft | None:
        """The process owner's draft of a process, if any."""
        with self.db.read() as s:
            return s.get(DefinitionDraft, key)

    def drafts(self) -> dict[str, DefinitionDraft]:
        """Every draft, by process key."""
        with self.db.read() as s:
            return {d.key: d for d in s.scalars(select(DefinitionDraft))}

    def save_draft(self, key: str, xml: str, actor: str) -> DefinitionDraft:
        """Keep an edit as the process's draft (hardened parse first: unsafe XML is refused, nothing stored)."""
        with self._call("save_draft", actor) as call:
            return authoring.save_draft(call.session, key, xml, actor, call.now)

    def discard_draft(self, key: str, actor: str) -> None:
        """Throw a process's draft away."""
        with self._call("discard_draft", actor) as call:
            authoring.discard_draft(call.session, key)

    def validate_edit(self, key: str, xml: str, actor: str = "validation") -> list[Problem]:
        """The problems deploying an edit of `key` would be refused for (nothing stored)."""
        with self._call("validate", actor) as call:
            current = latest_definitions(call.session).get(key)
            filename = current.filename if current else f"{key}.bpmn"
            try:
                described = authoring.read_definition(filename, xml.encode("utf-8"))
            except UnsafeDefinition as exc:
                return exc.problems or [Problem(exc.message, file=filename)]
            if described.key != key:
                return [Problem(f"The document defines the process {described.key!r}, not {key!r}.")]
            files = authoring.bundle_with(call.session, filename, xml.encode("utf-8"))
            return self.deployer.validate(call.session, files, call.now)

    def deploy_edit(self, key: str, xml: str, actor: str) -> DeployResult:
        """Deploy an edit of `key` as its next version (with every caller re-pinned) and drop its draft."""
        with self._call("deploy", actor) as call:
            current = latest_definitions(call.session).get(key)
            filename = current.filename if current else f"{key}.bpmn"
            described = authoring.read_definition(filename, xml.encode("utf-8"))
            if described.key != key:
                raise UnsafeDefinition(f"The document defines the process {described.key!r}, not {key!r}.")
            files = authoring.bundle_with(call.session, filename, xml.encode("utf-8"))
            result = self.deployer.deploy(call.session, files, actor, call.now)
            draft = call.session.get(DefinitionDraft, key)
            if draft is not None:
                call.session.delete(draft)
            return result

    # -- cases ---------------------------------------------------------------------------------------
    def start_case(self, process_key: str, actor: str, data: dict[str, Any] | None = None, *,
                   title: str | None = None, case_id: int | None = None, message: str | None = None) -> StepResult:
        """Start a new case (or a further process in an existing case) on the newest version of a process.

        A process that begins with a message start event is started with `message` (its name) and `data` as
        the message's payload — e.g. a case handler registering a concern from a case.
        """
        with self._call("start_case", actor, case_id=case_id) as call:
            s = call.session
            definition = latest_definitions(s).get(process_key)
            if definition is None or definition.kind != "bpmn":
                raise NotFound(f"no process {process_key!r} is deployed")
            summary: dict[str, Any] = {}
            status = "open"
            if case_id is None:
                label = title or definition.name or process_key
                case_id = s.execute(insert(Case).values(
                    process_key=process_key, title=label, status="open", current_step="", summary={},
                    created_by=actor, created_at=call.now, updated_at=call.now).returning(Case.id)).scalar_one()
                s.execute(update(Case).where(Case.id == case_id).values(number=f"{call.now.year}-{case_id:06d}"))
                audit(s, case_id, None, actor, "case_started", call.now, data=data, detail=label)
            else:
                case = self._case(s, case_id)
                summary, status = case.summary or {}, case.status
            loaded = self.stepper.start(s, case_id, summary, definition, deepcopy(data), actor, call.now,
                                        message=message, case_status=status)
            return self._result(s, case_id, loaded.id)

    def _result(self, session: Session, case_id: int, instance_id: int | None,
                loaded: Loaded | None = None) -> StepResult:
        conn = session.connection()
        if loaded is not None and loaded.case_number:
            number, status = loaded.case_number, loaded.case_status
        else:
            number, status = conn.execute(statements.CASE_HEAD, {"case_id": case_id}).one()
        rows = conn.execute(statements.OPEN_TASKS, {"case_id": case_id})
        return StepResult(case_id, number or "", status, instance_id, [TaskInfo.of(r) for r in rows])

    # -- tasks ---------------------------------------------------------------------------------------
    def complete_task(self, task_id: str, data: Mapping[str, Any], actor: str) -> StepResult:
        """Complete a ready human task with (validated) form data and run the process to its next wait."""
        with self._call("complete_task", actor, task_id=task_id) as call:
            s = call.session
            loaded, head = self._open_task(s, task_id, actor)
            wf = self.stepper.restore(s, loaded)
            task = wf.get_task_from_id(UUID(task_id))
            if task is None or task.state != TaskState.READY:
                raise TaskConflict("This task is no longer open.", task_id=task_id)
            before = self.stepper.snapshot(wf).without(task_id)
            task.set_data(**deepcopy(dict(data)))
            task.run()
            wf.do_engine_steps()
            s.connection().execute(statements.COMPLETE_TASK, {"task_id": task_id, "actor": actor, "now": call.now})
            audit(s, loaded.case_id, loaded.id, actor, "task_completed", call.now, task_id=task_id,
                  task_title=head.title, form_key=head.form_key, data=dict(data))
            self.stepper.save(s, loaded, wf, before, actor, call.now)
            return self._result(s, loaded.case_id, loaded.id, loaded)

    def _open_task(self, s: Session, task_id: str, actor: str) -> tuple[Loaded, Any]:
        if self.db.locks_rows:
            head = s.connection().execute(statements.TASK_HEAD, {"task_id": task_id}).first()
            if head is None:
                raise NotFound(f"task {task_id} does not exist")
            loaded = self.stepper.lock(s, head.instance_id)
            # read again now that the instance is locked: the first read may be stale
            head = s.connection().execute(statements.TASK_HEAD, {"task_id": task_id}).first()
        else:
            row = s.connection().execute(statements.TASK_WITH_INSTANCE, {"task_id": task_id}).first()
            if row is None:
                raise NotFound(f"task {task_id} does not exist")
            loaded = self.stepper.loaded(row[:11])
            head = SimpleNamespace(state=row.task_state, assignee=row.task_assignee, title=row.task_title,
                                   completed_by=row.task_completed_by, form_key=row.task_form_key)
        _check_ready(head, actor)
        if loaded.suspended:
            raise InvalidState("The case is suspended; resume it before working on it.")
        return loaded, head

    def claim(self, task_id: str, actor: str) -> TaskInfo:
        """Take a ready task; refused if someone else holds it."""
        return self._set_assignee(task_id, actor, actor, "task_claimed",
                                  or_(TaskRow.assignee.is_(None), TaskRow.assignee == actor))

    def unclaim(self, task_id: str, actor: str, *, force: bool = False) -> TaskInfo:
        """Return a task to its queue; only its holder may, unless `force` (a lead or administrator)."""
        guard = TaskRow.id == task_id if force else TaskRow.assignee == actor
        return self._set_assignee(task_id, None, actor, "task_unclaimed", guard)

    def assign(self, task_id: str, assignee: str, actor: str) -> TaskInfo:
        """Give a ready task to a named colleague."""
        return self._set_assignee(task_id, assignee, actor, "task_assigned", TaskRow.id == task_id)

    def _set_assignee(self, task_id: str, assignee: str | None, actor: str, action: str, guard: Any) -> TaskInfo:
        with self._call(action, actor, task_id=task_id) as call:
            s = call.session
            done = s.execute(update(TaskRow).where(TaskRow.id == task_id, TaskRow.state == "ready", guard)
                             .values(assignee=assignee, claimed_at=call.now if assignee else None))
            trow = s.get(TaskRow, task_id)
            if trow is None:
                raise NotFound(f"task {task_id} does not exist")
            s.refresh(trow)
            if done.rowcount != 1:
                _check_ready(trow, actor)
                raise TaskConflict(f"The task is held by {trow.assignee}.", assignee=trow.assignee)
            audit(s, trow.case_id, trow.instance_id, actor, action, call.now, task_id=task_id,
                  task_title=trow.title, detail=assignee)
            if self.stepper.projections.task_jobs and action == "task_assigned" and assignee and assignee != actor:
                jobs.enqueue(s, "task.assigned", f"task.assigned:{task_id}:{assignee}:{call.now.isoformat()}",
                             {"task_id": task_id, "assignee": assignee, "by": actor}, call.now, case_id=trow.case_id)
            return TaskInfo.of(trow)

    # -- messages and timers -------------------------------------------------------------------------
    def deliver_message(self, name: str, payload: Mapping[str, Any], actor: str, *,
                        correlation: Mapping[str, Any] | None = None, case_id: int | None = None) -> list[int]:
        """Deliver an external message to the instance(s) waiting for it; all correlation keys must match."""
        with self._call("deliver_message", actor, case_id=case_id) as call:
            s = call.session
            subs = self._subscribers(s, name, dict(payload), correlation, case_id)
            delivered = []
            for sub in subs:
                loaded = self.stepper.lock(s, sub.instance_id)
                if loaded.suspended:
                    raise InvalidState("The case is suspended; resume it before delivering messages.")
                wf = self.stepper.restore(s, loaded)
                before = self.stepper.snapshot(wf)
                self.stepper.catch(wf, sub.task_id, dict(payload), sub.correlation)
                audit(s, loaded.case_id, loaded.id, actor, "message_received", call.now, data=dict(payload),
                      detail=name)
                self.stepper.save(s, loaded, wf, before, actor, call.now)
                delivered.append(loaded.id)
            return delivered

    def _subscribers(self, s: Session, name: str, payload: dict[str, Any], correlation: Mapping[str, Any] | None,
                     case_id: int | None) -> list[MessageSubscription]:
        q = select(MessageSubscription).where(MessageSubscription.message_name == name).order_by(MessageSubscription.id)
        if case_id is not None:
            q = q.where(MessageSubscription.case_id == case_id)
        candidates = list(s.scalars(q))
        if correlation is not None:
            wanted = correlation_key(dict(correlation))
            candidates = [c for c in candidates if c.correlation_key == wanted]
        elif case_id is None:
            candidates = [c for c in candidates if c.correlation and all(
                k in payload for k in c.correlation) and correlation_key(
                {k: payload[k] for k in c.correlation}) == c.correlation_key]
        if not candidates:
            where = f" in case {case_id}" if case_id is not None else ""
            keys = f" with correlation {dict(correlation)}" if correlation else ""
            raise NotFound(f"No process{where} is waiting for the message {name!r}{keys}.")
        return one_per_instance(candidates)

    def fire_due_timers(self, limit: int = 100) -> int:
        """Advance every instance with a due timer (each in its own transaction); return how many moved."""
        now = self.clock.now()
        with self.db.read() as s:
            q = (select(ProcessInstance.id).join(TimerRow, TimerRow.instance_id == ProcessInstance.id)
                 .where(and_(TimerRow.due_at < now, ProcessInstance.suspended.is_(False),
                             ProcessInstance.status == "running"))
                 .group_by(ProcessInstance.id).order_by(func.min(TimerRow.due_at)).limit(limit))
            due = list(s.scalars(q))
        fired = 0
        for instance_id in due:
            try:
                self._fire(instance_id)
                fired += 1
            except EngineError:
                continue  # recorded as an incident; the other cases still move
        return fired

    def _fire(self, instance_id: int) -> None:
        with self._call("fire_timers", "system") as call:
            s = call.session
            loaded = self.stepper.lock(s, instance_id)
            wf = self.stepper.restore(s, loaded)
            before = self.stepper.snapshot(wf)
            names = [t.name for t in s.scalars(select(TimerRow).where(
                TimerRow.instance_id == instance_id, TimerRow.due_at < call.now))]
            wf.refresh_timers()
            wf.do_engine_steps()
            if self.stepper.snapshot(wf) == before and wf.completed == (loaded.status != "running"):
                return  # nothing was due after all (SpiffWorkflow fires strictly after the due instant)
            audit(s, loaded.case_id, loaded.id, "system", "timer_fired", call.now, detail=", ".join(names))
            self.stepper.save(s, loaded, wf, before, "system", call.now)

    # -- background jobs -----------------------------------------------------------------------------
    def enqueue_job(self, kind: str, key: str, payload: Mapping[str, Any], *, run_at: datetime | None = None,
                    case_id: int | None = None) -> None:
        """Queue a job (idempotent by key) in its own transaction."""
        with self.db.write() as s:
            jobs.enqueue(s, kind, key, payload, self.clock.now(), run_at=run_at, case_id=case_id)

    def run_jobs(self, handlers: Mapping[str, jobs.Handler], worker: str, limit: int = 50) -> tuple[int, int]:
        """Claim due jobs and run each in its own transaction; return (done, failed)."""
        with self.db.write() as s:
            ids = jobs.claim(s, worker, self.clock.now(), limit)
        done = failed = 0
        for job_id in ids:
            try:
                with self.db.write() as s, using_clock(self.clock):
                    if jobs.run_one(s, job_id, worker, self.clock.now(), handlers):
                        done += 1
            except Exception as exc:  # noqa: BLE001 - any handler failure is kept on the job and retried
                failed += 1
                with self.db.write() as s:
                    jobs.record_failure(s, job_id, f"{type(exc).__name__}: {_short(exc, 2000)}", self.clock.now())
        return done, failed

    def job_list(self, statuses: Sequence[str], limit: int = 100) -> list[JobRow]:
        """Jobs in the given states, soonest first (for the administrators' view)."""
        with self.db.read() as s:
            return list(s.scalars(select(JobRow).where(JobRow.status.in_(list(statuses)))
                                  .order_by(JobRow.run_at, JobRow.id).limit(limit)))

    def retry_job(self, job_id: int, actor: str) -> None:
        """Run a failed job again (after its cause was fixed); audited on its case."""
        with self._call("retry_job", actor) as call:
            job = jobs.retry(call.session, job_id, call.now)
            if job is None:
                raise InvalidState("Only a failed job can be retried.")
            audit(call.session, job.case_id, None, actor, "job_retried", call.now, detail=f"{job.kind} #{job.id}")

    def next_timer_due(self) -> datetime | None:
        """When the next timer of a running, not suspended instance falls due (None when none waits)."""
        with self.db.read() as s:
            return s.scalar(select(func.min(TimerRow.due_at)).join(ProcessInstance,
                                                                    ProcessInstance.id == TimerRow.instance_id)
                            .where(ProcessInstance.status == "running", ProcessInstance.suspended.is_(False)))

    def pending_timers(self, limit: int = 100) -> list[TimerRow]:
        """Timers still to fire, soonest first."""
        with self.db.read() as s:
            return list(s.scalars(select(TimerRow).join(ProcessInstance, ProcessInstance.id == TimerRow.instance_id)
                                  .where(ProcessInstance.status == "running")
                                  .order_by(TimerRow.due_at).limit(limit)))

    def comment(self, case_id: int, actor: str, text: str) -> None:
        """Add a comment to a case's history (plain text, kept like every other event)."""
        text = text.strip()
        if not text:
            raise InvalidState("A comment cannot be empty.")
        with self._call("comment", actor, case_id=case_id) as call:
            self._case(call.session, case_id)
            audit(call.session, case_id, None, actor, "comment", call.now, detail=text[:MAX_COMMENT])

    # -- lifecycle -----------------------------------------------------------------------------------
    def migration_check(self, instance_id: int, definition_id: int) -> MigrationCheck:
        """What moving an instance to another version of its process would change; stores nothing."""
        with self.db.read() as s:
            row = s.get(ProcessInstance, instance_id)
            if row is None:
                raise NotFound(f"process instance {instance_id} does not exist")
            _wf, _new, _plan, check = self._migration_plan(s, row, definition_id)
            return check

    def migrate(self, instance_id: int, definition_id: int, actor: str) -> MigrationCheck:
        """Move a running instance to another version of its process, after the same check; audited."""
        with self._call("migrate", actor) as call:
            s = call.session
            loaded = self.stepper.lock(s, instance_id)
            if loaded.status != "running":
                raise InvalidState(f"Only a running process can be migrated; this one is {loaded.status}.")
            wf, (spec, subprocesses), (top, subs), check = self._migration_plan(s, loaded, definition_id)
            if not check.allowed:
                raise InvalidState("The case cannot move to the new version: " + " ".join(check.problems))
            before = self.stepper.snapshot(wf)
            migration.apply(wf, spec, top, subs)
            wf.subprocess_specs = subprocesses
            wf.do_engine_steps()
            s.execute(update(ProcessInstance).where(ProcessInstance.id == loaded.id)
                      .values(definition_id=definition_id))
            s.execute(update(TaskRow).where(TaskRow.instance_id == loaded.id, TaskRow.state == "ready")
                      .values(definition_id=definition_id))
            loaded.definition_id = definition_id
            audit(s, loaded.case_id, loaded.id, actor, "migrated", call.now,
                  detail=f"v{check.from_version} → v{check.to_version}",
                  data={"added": check.added, "removed": check.removed, "changed": check.changed})
            self.stepper.save(s, loaded, wf, before, actor, call.now)
            return check

    def _migration_plan(self, s: Session, loaded: Loaded | ProcessInstance, definition_id: int):  # type: ignore[no-untyped-def]
        current = self.stepper.definition(s, loaded.definition_id)
        target = s.get(Definition, definition_id)
        if target is None or target.key != current.key or target.kind != "bpmn":
            raise NotFound(f"{current.key} has no version with id {definition_id}")
        wf = self.stepper.restore(s, loaded)
        specs = self.deployer.specs_for(s, target)
        top, subs, check = migration.plan(wf, specs[0], specs[1], self.stepper.serializer.registry)
        check.instance_id, check.from_version, check.to_version = loaded.id, current.version, target.version
        if target.id == current.id:
            check.problems.append("The case already runs on this version.")
        return wf, specs, (top, subs), check

    def suspend(self, case_id: int, actor: str, reason: str = "") -> None:
        """Stop a case: no task can be completed and no timer fires until it is resumed."""
        self._set_suspended(case_id, actor, True, reason)

    def resume(self, case_id: int, actor: str, reason: str = "") -> None:
        """Let a suspended case continue."""
        self._set_suspended(case_id, actor, False, reason)

    def _set_suspended(self, case_id: int, actor: str, value: bool, reason: str) -> None:
        with self._call("suspend" if value else "resume", actor, case_id=case_id) as call:
            case = self._case(call.session, case_id)
            expected = "open" if value else "suspended"
            if case.status != expected:
                raise InvalidState(f"The case is {case.status}, not {expected}.")
            call.session.execute(update(ProcessInstance).where(ProcessInstance.case_id == case_id,
                                                               ProcessInstance.status == "running")
                                 .values(suspended=value))
            case.status = "suspended" if value else "open"
            audit(call.session, case_id, None, actor, "suspended" if value else "resumed", call.now, detail=reason)

    def cancel(self, case_id: int, actor: str, reason: str = "") -> None:
        """End a case now: every open process is cancelled and its tasks closed."""
        with self._call("cancel", actor, case_id=case_id) as call:
            s = call.session
            case = self._case(s, case_id)
            for loaded in self._open_instances(s, case_id):
                wf = self.stepper.restore(s, loaded)
                before = self.stepper.snapshot(wf)
                wf.cancel()
                self.stepper.save(s, loaded, wf, before, actor, call.now, status="cancelled")
            s.refresh(case)
            case.status, case.closed_at = "cancelled", call.now
            audit(s, case_id, None, actor, "cancelled", call.now, detail=reason)

    def _open_instances(self, s: Session, case_id: int) -> list[Loaded]:
        ids = s.scalars(select(ProcessInstance.id).where(ProcessInstance.case_id == case_id,
                                                         ProcessInstance.status == "running"))
        return [self.stepper.lock(s, i) for i in list(ids)]


def _check_ready(trow: Any, actor: str) -> None:
    if trow.state == "completed":
        raise TaskConflict(f"Already completed by {trow.completed_by}.", completed_by=trow.completed_by)
    if trow.state != "ready":
        raise TaskConflict("This task is no longer open: the process moved on.")
    if trow.assignee and trow.assignee != actor:
        raise TaskConflict(f"The task is held by {trow.assignee}.", assignee=trow.assignee)


def _short(exc: BaseException, limit: int = 300) -> str:
    text = str(exc) or type(exc).__name__
    return text if len(text) <= limit else text[: limit - 1] + "…"
