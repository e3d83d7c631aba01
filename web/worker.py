"""The background worker: fires due BPMN timers and runs queued jobs (notifications, mail delivery).

`flask --app web worker` polls at least every second (FAGFLYT_WORKER_INTERVAL) and wakes early when the next
timer falls due sooner; `--once` does what is due and exits (for cron). Several workers may run against
PostgreSQL: timers lock their instance, jobs are claimed with SKIP LOCKED. On SQLite one worker is enough.
"""

from __future__ import annotations

import os
import signal
import socket
import time
from collections.abc import Callable

import click
from flask import Flask, current_app
from flask.cli import with_appcontext

from engine import CaseEngine
from workflows.setup import job_handlers

from .mailing import mailer_for
from .services import case_engine

# SpiffWorkflow fires a timer strictly after its instant; waking this much later finds it due.
TIMER_MARGIN = 0.005


class Worker:
    """Polls for due timers and jobs until stopped; every timer and job moves in its own transaction."""

    def __init__(self, engine: CaseEngine, handlers: dict, *, name: str | None = None, interval: float = 1.0,
                 batch: int = 100, sleep: Callable[[float], None] = time.sleep) -> None:
        self.engine = engine
        self.handlers = handlers
        self.name = name or f"{socket.gethostname()}:{os.getpid()}"
        self.interval = interval
        self.batch = batch
        self.sleep = sleep
        self.running = True

    def stop(self, *_: object) -> None:
        """Finish the item in hand, then stop (SIGINT/SIGTERM)."""
        self.running = False

    def run_once(self) -> tuple[int, int]:
        """Fire everything due now and run every due job; return (instances moved, jobs done)."""
        moved = done = 0
        while self.running:
            fired = self.engine.fire_due_timers(limit=self.batch)
            moved += fired
            if fired < self.batch:
                break
        while self.running:
            ok, failed = self.engine.run_jobs(self.handlers, self.name, limit=self.batch)
            done += ok
            if ok + failed < self.batch:
                break
        return moved, done

    def pause(self, started: float) -> float:
        """How long to wait before the next poll: the rest of the interval, or less if a timer falls due sooner."""
        wait = self.interval - (time.monotonic() - started)
        due = self.engine.next_timer_due()
        if due is not None:
            wait = min(wait, (due - self.engine.clock.now()).total_seconds() + TIMER_MARGIN)
        return max(wait, 0.0)

    def run(self) -> None:
        """Poll until stopped: at least every `interval` seconds, and as soon as the next timer falls due."""
        while self.running:
            started = time.monotonic()
            self.run_once()
            if self.running:
                self.sleep(self.pause(started))


def build_worker(app: Flask, **kwargs: object) -> Worker:
    """A worker for the app: its engine, and job handlers with the configured mailer."""
    handlers = job_handlers(mailer_for(app), app.config["MAIL_FROM"], app.config["PUBLIC_URL"])
    return Worker(app.extensions["fagflyt.engine"], handlers, **kwargs)  # type: ignore[arg-type]


@click.command("worker")
@click.option("--once", is_flag=True, help="do what is due now and exit")
@click.option("--interval", default=None, type=float, help="seconds between polls (default 1)")
@with_appcontext
def worker(once: bool, interval: float | None) -> None:
    """Fire due timers and run queued jobs continuously, or once."""
    case_engine()
    try:
        loop = build_worker(current_app, interval=interval or current_app.config["WORKER_INTERVAL"])
    except RuntimeError as exc:
        raise click.ClickException(str(exc)) from exc
    if once:
        moved, done = loop.run_once()
        click.echo(f"{moved} case(s) moved by due timers, {done} job(s) done")
        return
    signal.signal(signal.SIGTERM, loop.stop)
    signal.signal(signal.SIGINT, loop.stop)
    click.echo(f"worker {loop.name}: timers and jobs every {loop.interval:g} s")
    loop.run()


def init_app(app: Flask) -> None:
    """Register the `flask worker` command."""
    app.cli.add_command(worker)
