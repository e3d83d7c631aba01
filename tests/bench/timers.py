"""How late do due timers fire with 10,000 pending, and how many jobs per second does one worker complete?

SQLite (and PostgreSQL with --postgres URL). 9,000 cases wait on timers a month away; 1,000 more wait on
timers falling due one every 20 ms over 20 seconds while one worker runs at its default poll settings
(every 1 s, batches of 100). Lateness = when the timer's step was committed − when it was due; the poll
interval, measured in the same run, is the baseline it is compared with. Jobs: 5,000 no-op jobs and 2,000
mail deliveries to the local outbox, drained by one worker, against a bare one-row transaction.
Run: `python -m tests.bench.timers [--postgres URL]`.
"""

from __future__ import annotations

import argparse
import statistics
import tempfile
import threading
import time
import uuid
from datetime import UTC, datetime, timedelta

from sqlalchemy import create_engine, select, text, update
from sqlalchemy.engine import make_url

from engine import CaseEngine
from engine.jobs import enqueue
from engine.models import AuditEvent, EngineBase, JobRow
from tests.engine.bpmn_snippets import chain, definitions, timer_event
from web.worker import Worker
from workflows import records  # noqa: F401  (the outbox table on the shared metadata)
from workflows.mail import KeepInOutbox, delivery_handler, queue_mail

PROCESS = definitions(chain(timer_event("wait", "due", kind="timeDate"), '<bpmn:userTask id="after" name="After"/>',
                            pid="timed", name="Timed"))
BACKGROUND, MEASURED, SPREAD = 9_000, 1_000, 20.0


def _pct(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))]


def _start(engine: CaseEngine, due: datetime) -> int:
    return engine.start_case("timed", "bench", {"due": due.isoformat()}).case_id


def lateness(engine: CaseEngine, interval: float) -> list[float]:
    """Seed the pending timers, run one worker at its default settings, return the lateness of each (s)."""
    far = datetime.now(UTC) + timedelta(days=30)
    for i in range(BACKGROUND):
        _start(engine, far + timedelta(seconds=i))
    base = datetime.now(UTC) + timedelta(seconds=15)
    due = {}
    for i in range(MEASURED):
        when = base + timedelta(seconds=SPREAD * i / MEASURED)
        due[_start(engine, when)] = when
    worker = Worker(engine, {}, name="bench", interval=interval)
    thread = threading.Thread(target=worker.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + SPREAD + 60
    while time.monotonic() < deadline:
        time.sleep(0.5)
        with engine.db.read() as s:
            fired = dict(s.execute(select(AuditEvent.case_id, AuditEvent.at)
                                   .where(AuditEvent.action == "timer_fired", AuditEvent.case_id.in_(list(due)))).all())
        if len(fired) == len(due):
            break
    worker.stop()
    thread.join()
    return [(fired[c] - due[c]).total_seconds() for c in due if c in fired]


def job_rate(engine: CaseEngine, count: int, kind: str) -> float:
    """Jobs per second one worker completes draining `count` queued jobs of `kind`."""
    handlers = {"bench.noop": lambda ctx: None, "mail.deliver": delivery_handler(KeepInOutbox(), "bench@example.no")}
    now = datetime.now(UTC)
    with engine.db.write() as s:
        for i in range(count):
            if kind == "mail.deliver":
                queue_mail(s, f"bench:{uuid.uuid4().hex}", "x@example.no", f"Melding {i}", "Tekst", now, kind="bench")
            else:
                enqueue(s, kind, f"bench:{uuid.uuid4().hex}", {"i": i}, now)
    worker = Worker(engine, handlers, name="bench", interval=1.0)
    t0 = time.perf_counter()
    worker.run_once()
    elapsed = time.perf_counter() - t0
    with engine.db.read() as s:
        left = s.scalar(select(JobRow.id).where(JobRow.status != "done").limit(1))
    assert left is None, "the worker left jobs undone"
    return count / elapsed


def bare_transaction_rate(engine: CaseEngine, count: int = 2000) -> float:
    """Baseline: one-row UPDATE transactions per second on the same database."""
    with engine.db.write() as s:
        jid = s.scalar(select(JobRow.id).limit(1))
    t0 = time.perf_counter()
    for i in range(count):
        with engine.db.write() as s:
            s.execute(update(JobRow).where(JobRow.id == jid).values(attempts=i))
    return count / (time.perf_counter() - t0)


def run(name: str, url: str) -> None:
    """Both measurements on one database."""
    engine = CaseEngine(url)
    EngineBase.metadata.drop_all(engine.db.engine)
    engine.create_schema()
    engine.deploy({"timed.bpmn": PROCESS.encode()}, "bench")
    late = lateness(engine, interval=1.0)
    print(f"{name:10} {BACKGROUND + MEASURED} pending timers, {len(late)} falling due over {SPREAD:.0f} s, one "
          f"worker polling every 1 s: lateness p50 {statistics.median(late):.2f} s, p99 {_pct(late, 0.99):.2f} s, "
          f"max {max(late):.2f} s (p99 / poll interval = {_pct(late, 0.99) / 1.0:.2f})", flush=True)
    noop = job_rate(engine, 5000, "bench.noop")
    mail = job_rate(engine, 2000, "mail.deliver")
    bare = bare_transaction_rate(engine)
    print(f"{name:10} one worker: {noop:6.0f} no-op jobs/s, {mail:6.0f} mail deliveries/s (outbox) | bare one-row "
          f"transaction {bare:6.0f}/s | no-op job = {bare / noop:4.1f} bare transactions", flush=True)
    engine.db.engine.dispose()


def main() -> None:
    """Run the benchmark and print the figures."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--postgres", help="PostgreSQL server URL (a fresh database is created on it)")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        run("SQLite", f"sqlite:///{folder}/timers.db")
    if args.postgres:
        server = make_url(args.postgres)
        name = f"fagflyt_timers_{uuid.uuid4().hex[:6]}"
        admin = create_engine(server, isolation_level="AUTOCOMMIT")
        with admin.connect() as conn:
            conn.execute(text(f'CREATE DATABASE "{name}"'))
        try:
            run("PostgreSQL", server.set(database=name).render_as_string(hide_password=False))
        finally:
            with admin.connect() as conn:
                conn.execute(text(f'DROP DATABASE IF EXISTS "{name}"'))
            admin.dispose()


if __name__ == "__main__":
    main()
