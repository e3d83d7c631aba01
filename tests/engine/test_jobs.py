"""The job table: idempotent enqueue, run in the transaction that marks done, retries, leases after a crash,
and two workers never running the same job; timers survive a worker stopped in the middle of a batch."""

from __future__ import annotations

import threading
from collections import Counter
from datetime import timedelta

import pytest
from sqlalchemy import select

from engine import CaseEngine, FixedClock
from engine import jobs as jobs_module
from engine.models import AuditEvent, EngineBase, JobRow
from tests.engine.bpmn_snippets import chain, definitions, timer_event


@pytest.fixture
def job_engine(db_url) -> CaseEngine:
    """An engine with empty tables and a fixed clock."""
    engine = CaseEngine(db_url, clock=FixedClock())
    EngineBase.metadata.drop_all(engine.db.engine)
    engine.create_schema()
    yield engine
    engine.db.engine.dispose()


def _statuses(engine: CaseEngine) -> dict[str, str]:
    with engine.db.read() as s:
        return {j.key: j.status for j in s.scalars(select(JobRow))}


def test_enqueue_is_idempotent_by_key(job_engine):
    for _ in range(3):
        job_engine.enqueue_job("note", "note:1", {"n": 1})
    assert _statuses(job_engine) == {"note:1": "pending"}


def test_a_job_runs_once_and_its_effects_commit_with_it(job_engine):
    seen: list[int] = []

    def note(ctx):  # type: ignore[no-untyped-def]
        seen.append(ctx.job.payload["n"])
        jobs_module.enqueue(ctx.session, "follow_up", f"follow_up:{ctx.job.payload['n']}", {}, ctx.now)

    handlers = {"note": note, "follow_up": lambda ctx: None}
    job_engine.enqueue_job("note", "note:1", {"n": 1})
    assert job_engine.run_jobs(handlers, "w1") == (1, 0)
    assert job_engine.run_jobs(handlers, "w1") == (1, 0)  # the follow-up the first job queued
    assert job_engine.run_jobs(handlers, "w1") == (0, 0)
    assert seen == [1]
    assert _statuses(job_engine) == {"note:1": "done", "follow_up:1": "done"}


def test_a_failing_job_is_retried_with_backoff_then_kept_failed_and_can_be_retried(job_engine):
    calls = Counter()

    def flaky(ctx):  # type: ignore[no-untyped-def]
        calls["n"] += 1
        jobs_module.enqueue(ctx.session, "never", "never:1", {}, ctx.now)  # rolled back with the failure
        raise ConnectionError("mail server down")

    job_engine.enqueue_job("flaky", "flaky:1", {})
    assert job_engine.run_jobs({"flaky": flaky}, "w1") == (0, 1)
    assert job_engine.run_jobs({"flaky": flaky}, "w1") == (0, 0)  # backoff: not due yet
    for _ in range(4):
        job_engine.clock.advance(hours=2)
        job_engine.run_jobs({"flaky": flaky}, "w1")
    assert calls["n"] == 5
    [failed] = job_engine.job_list(["failed"])
    assert "mail server down" in failed.last_error and failed.attempts == 5
    assert "never:1" not in _statuses(job_engine)
    job_engine.retry_job(failed.id, "anne.admin")
    assert job_engine.run_jobs({"flaky": lambda ctx: None}, "w1") == (1, 0)
    assert _statuses(job_engine)["flaky:1"] == "done"


def test_a_job_claimed_by_a_worker_that_died_is_taken_over_after_its_lease(job_engine):
    ran: list[str] = []
    job_engine.enqueue_job("note", "note:1", {})
    with job_engine.db.write() as s:  # worker 1 claims the job, then dies before running it
        assert len(jobs_module.claim(s, "w1", job_engine.clock.now(), 10)) == 1
    handlers = {"note": lambda ctx: ran.append(ctx.job.locked_by)}
    assert job_engine.run_jobs(handlers, "w2") == (0, 0)  # still leased to w1
    job_engine.clock.advance(minutes=6)
    assert job_engine.run_jobs(handlers, "w2") == (1, 0)
    assert ran == ["w2"]
    with job_engine.db.write() as s:  # w1 comes back: the job is no longer its own
        assert jobs_module.run_one(s, 1, "w1", job_engine.clock.now(), handlers) is False
    assert ran == ["w2"]


def test_two_workers_never_run_the_same_job(job_engine):
    for n in range(300):
        job_engine.enqueue_job("note", f"note:{n}", {"n": n})
    ran: list[int] = []
    lock = threading.Lock()

    def note(ctx):  # type: ignore[no-untyped-def]
        with lock:
            ran.append(ctx.job.payload["n"])

    def work(name: str) -> None:
        while job_engine.run_jobs({"note": note}, name, limit=20) != (0, 0):
            pass

    workers = [threading.Thread(target=work, args=(f"w{i}",)) for i in range(2)]
    for w in workers:
        w.start()
    for w in workers:
        w.join()
    assert sorted(ran) == list(range(300))  # every job once, none twice
    assert set(_statuses(job_engine).values()) == {"done"}


def test_timers_survive_a_worker_stopped_in_the_middle_of_a_batch(job_engine):
    xml = definitions(chain(timer_event("wait", '"PT1H"'), '<bpmn:userTask id="after" name="After"/>', pid="t"))
    job_engine.deploy({"t.bpmn": xml.encode()}, "owner")
    cases = [job_engine.start_case("t", "sara").case_id for _ in range(10)]
    job_engine.clock.advance(hours=1, minutes=1)
    real_save, calls = job_engine.stepper.save, Counter()

    def crashing(*args, **kwargs):  # type: ignore[no-untyped-def]
        calls["n"] += 1
        if calls["n"] == 5:  # the process is stopped inside the fifth instance's transaction
            raise KeyboardInterrupt
        return real_save(*args, **kwargs)

    job_engine.stepper.save = crashing
    with pytest.raises(KeyboardInterrupt):
        job_engine.fire_due_timers(limit=100)
    job_engine.stepper.save = real_save
    assert job_engine.fire_due_timers(limit=100) == 6  # the restarted worker fires the rest
    assert job_engine.fire_due_timers(limit=100) == 0
    with job_engine.db.read() as s:
        fired = Counter(s.scalars(select(AuditEvent.case_id).where(AuditEvent.action == "timer_fired")))
    assert fired == {case_id: 1 for case_id in cases}  # none lost, none fired twice
    assert all([t.title for t in job_engine.ready_tasks(case_id=c)] == ["After"] for c in cases)


def test_backoff_schedule_is_increasing():
    assert list(jobs_module.BACKOFF) == sorted(jobs_module.BACKOFF) and jobs_module.BACKOFF[0] >= timedelta(seconds=1)
