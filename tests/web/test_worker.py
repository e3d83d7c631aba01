"""The worker fires due timers: the signing reminder of a contract falls due and the worker acts on it."""

from __future__ import annotations

from engine import FixedClock
from web.worker import TimerLoop


def test_worker_once_fires_what_is_due(app, runner):
    assert runner.invoke(args=["setup", "--demo"]).exit_code == 0
    engine = app.extensions["fagflyt.engine"]
    signing = [t for t in engine.ready_tasks(limit=1000) if t.form_key == "contract.sign_office"]
    assert signing, "the demo has contracts out for signature"
    clock = FixedClock(engine.clock.now())
    engine.clock = clock
    assert "0 case(s) moved" in runner.invoke(args=["worker", "--once"]).output
    clock.advance(days=7, minutes=1)
    result = runner.invoke(args=["worker", "--once"])
    assert result.exit_code == 0
    moved = int(result.output.split()[0])
    assert moved >= len({t.case_id for t in signing})
    history = engine.history(signing[0].case_id)
    assert [h.detail for h in history if h.action == "timer_fired"] == ["Påminnelse dag 7"]


def test_loop_drains_batches_then_sleeps_until_stopped():
    fired, slept = iter([100, 100, 7, 0]), []
    loop = TimerLoop(lambda limit: next(fired), interval=0.5, batch=100)
    assert loop.run_once() == 207

    def sleep(seconds: float) -> None:
        slept.append(seconds)
        loop.stop()

    loop.sleep = sleep
    loop.run()
    assert slept == [0.5]
