"""The background worker: fires due BPMN timers so deadlines, reminders and escalations happen on time."""

from __future__ import annotations

import signal
import time
from collections.abc import Callable

import click
from flask import Flask
from flask.cli import with_appcontext

from .services import case_engine


class TimerLoop:
    """Polls for due timers until stopped; each due instance advances in its own transaction."""

    def __init__(self, fire: Callable[[int], int], interval: float = 1.0, batch: int = 100,
                 sleep: Callable[[float], None] = time.sleep) -> None:
        self.fire = fire
        self.interval = interval
        self.batch = batch
        self.sleep = sleep
        self.running = True

    def stop(self, *_: object) -> None:
        """Finish the batch in hand, then stop (SIGINT/SIGTERM)."""
        self.running = False

    def run_once(self) -> int:
        """Fire everything due now, batch after batch; return how many instances moved."""
        total = 0
        while True:
            moved = self.fire(self.batch)
            total += moved
            if moved < self.batch:
                return total

    def run(self) -> None:
        """Poll until stopped."""
        while self.running:
            self.run_once()
            if self.running:
                self.sleep(self.interval)


@click.command("worker")
@click.option("--once", is_flag=True, help="fire what is due now and exit")
@click.option("--interval", default=1.0, show_default=True, help="seconds between polls")
@with_appcontext
def worker(once: bool, interval: float) -> None:
    """Fire due timers (deadlines, reminders, escalations) continuously, or once."""
    engine = case_engine()
    loop = TimerLoop(lambda limit: engine.fire_due_timers(limit=limit), interval=interval)
    if once:
        click.echo(f"{loop.run_once()} case(s) moved by due timers")
        return
    signal.signal(signal.SIGTERM, loop.stop)
    signal.signal(signal.SIGINT, loop.stop)
    click.echo(f"worker: firing due timers every {interval:g} s")
    loop.run()


def init_app(app: Flask) -> None:
    """Register the `flask worker` command."""
    app.cli.add_command(worker)
