"""The worker fires due timers and runs jobs: the signing reminder of a contract falls due, the worker acts on
it and mails the supervisors (kept in the outbox in development); the loop drains batches, then sleeps."""

from __future__ import annotations

import time

from sqlalchemy import select

from engine import FixedClock
from tests.engine.bpmn_snippets import chain, definitions, timer_event
from web.worker import Worker
from workflows.records import OutboxMail


def test_worker_once_fires_what_is_due_and_runs_the_jobs(app, runner):
    assert runner.invoke(args=["setup", "--demo"]).exit_code == 0
    engine = app.extensions["fagflyt.engine"]
    signing = [t for t in engine.ready_tasks(limit=1000) if t.form_key == "contract.sign_office"]
    assert signing, "the demo has contracts out for signature"
    clock = FixedClock(engine.clock.now())
    engine.clock = clock
    first = runner.invoke(args=["worker", "--once"])
    assert "0 case(s) moved" in first.output and "job(s) done" in first.output
    clock.advance(days=7, minutes=1)
    result = runner.invoke(args=["worker", "--once"])
    assert result.exit_code == 0, result.output
    moved = int(result.output.split()[0])
    assert moved >= len({t.case_id for t in signing})
    history = engine.history(signing[0].case_id)
    assert [h.detail for h in history if h.action == "timer_fired"] == ["Påminnelse dag 7"]
    with engine.db.read() as s:
        reminders = list(s.scalars(select(OutboxMail).where(OutboxMail.kind == "reminder")))
    assert reminders and {m.status for m in reminders} == {"kept"}


def test_production_worker_refuses_to_start_without_an_smtp_server(app, runner):
    app.config.update(MAIL_BACKEND="smtp", SMTP_HOST="")
    result = runner.invoke(args=["worker", "--once"])
    assert result.exit_code != 0 and "FAGFLYT_SMTP_HOST" in result.output


class _Engine:
    def __init__(self, fired: list[int], jobs: list[tuple[int, int]]) -> None:
        self.fired, self.jobs = iter(fired), iter(jobs)

    def fire_due_timers(self, limit: int) -> int:
        return next(self.fired)

    def run_jobs(self, handlers, worker, limit):  # type: ignore[no-untyped-def]
        return next(self.jobs)

    def next_timer_due(self):  # type: ignore[no-untyped-def]
        return None


def test_loop_drains_batches_then_sleeps_until_stopped():
    slept: list[float] = []
    loop = Worker(_Engine([100, 100, 7, 0], [(100, 0), (3, 1), (0, 0)]), {}, name="w", interval=0.5, batch=100)
    assert loop.run_once() == (207, 103)

    def sleep(seconds: float) -> None:
        slept.append(seconds)
        loop.stop()

    loop.sleep = sleep
    loop.run()
    assert len(slept) == 1 and 0.4 < slept[0] <= 0.5  # the rest of the interval


def test_the_worker_wakes_when_the_next_timer_falls_due(app):
    engine = app.extensions["fagflyt.engine"]
    engine.create_schema()
    engine.clock = FixedClock()
    loop = Worker(engine, {}, name="w", interval=1.0)
    assert loop.pause(time.monotonic()) > 0.9  # nothing waits: the whole interval
    engine.deploy({"t.bpmn": definitions(chain(timer_event("wait", '"PT0.25S"'), pid="t")).encode()}, "owner")
    engine.start_case("t", "sara")
    assert 0.2 < loop.pause(time.monotonic()) < 0.3  # the timer falls due in a quarter of a second
