"""The job table: background work enqueued in the same transaction as what caused it, run by workers.

- `enqueue` is idempotent by key (a second insert with the same key does nothing), so a step retried
  after a failure does not queue the same work twice.
- `claim` takes due jobs with `SELECT … FOR UPDATE SKIP LOCKED` on PostgreSQL (several workers never take
  the same job) and under SQLite's single writer lock; a claimed job holds a lease, and a job whose worker
  died is taken again when the lease runs out.
- A job's handler runs in the transaction that marks it done, so its database effects and its completion
  commit together; an exception rolls them back and the job is retried with backoff, then kept `failed`.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import and_, or_, select, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from .models import JobRow

LEASE = timedelta(minutes=5)
BACKOFF = (timedelta(seconds=30), timedelta(minutes=2), timedelta(minutes=10), timedelta(hours=1))


@dataclass(frozen=True)
class JobContext:
    """What a job handler gets: the transaction's session, the time, the job."""

    session: Session
    now: datetime
    job: JobRow


Handler = Callable[[JobContext], None]


def enqueue(session: Session, kind: str, key: str, payload: Mapping[str, Any], now: datetime, *,
            run_at: datetime | None = None, case_id: int | None = None) -> None:
    """Queue a job unless one with the same key exists (idempotent), in the caller's transaction."""
    values = dict(kind=kind, key=key, payload=dict(payload), status="pending", run_at=run_at or now, attempts=0,
                  max_attempts=5, case_id=case_id, created_at=now)
    dialect = session.get_bind().dialect.name
    insert = postgresql.insert if dialect == "postgresql" else sqlite.insert
    session.execute(insert(JobRow).values(**values).on_conflict_do_nothing(index_elements=["key"]))


def _due(now: datetime) -> Any:
    return or_(and_(JobRow.status == "pending", JobRow.run_at <= now),
               and_(JobRow.status == "running", JobRow.locked_until < now))


def claim(session: Session, worker: str, now: datetime, limit: int) -> list[int]:
    """Take up to `limit` due jobs for `worker` (skipping jobs other workers hold); the caller commits."""
    q = select(JobRow.id).where(_due(now)).order_by(JobRow.run_at, JobRow.id).limit(limit)
    if session.get_bind().dialect.name == "postgresql":
        q = q.with_for_update(skip_locked=True)
    ids = list(session.scalars(q))
    if ids:
        session.execute(update(JobRow).where(JobRow.id.in_(ids))
                        .values(status="running", locked_by=worker, locked_until=now + LEASE,
                                attempts=JobRow.attempts + 1))
    return ids


def run_one(session: Session, job_id: int, worker: str, now: datetime, handlers: Mapping[str, Handler]) -> bool:
    """Run a claimed job in this transaction; True when it is done. The caller commits."""
    q = select(JobRow).where(JobRow.id == job_id, JobRow.status == "running", JobRow.locked_by == worker)
    if session.get_bind().dialect.name == "postgresql":
        q = q.with_for_update()
    job = session.scalars(q).first()
    if job is None:
        return False  # the lease ran out and another worker took it
    handler = handlers.get(job.kind)
    if handler is None:
        raise LookupError(f"no handler for jobs of kind {job.kind!r}")
    handler(JobContext(session, now, job))
    job.status, job.finished_at, job.locked_by, job.locked_until, job.last_error = "done", now, None, None, None
    return True


def record_failure(session: Session, job_id: int, error: str, now: datetime) -> None:
    """After a failed run: retry later with backoff, or keep it `failed` after the last attempt."""
    job = session.get(JobRow, job_id)
    if job is None:
        return
    job.last_error = error[:4000]
    job.locked_by, job.locked_until = None, None
    if job.attempts >= job.max_attempts:
        job.status, job.finished_at = "failed", now
    else:
        job.status = "pending"
        job.run_at = now + BACKOFF[min(job.attempts - 1, len(BACKOFF) - 1)]


def retry(session: Session, job_id: int, now: datetime) -> JobRow | None:
    """Put a failed job back in the queue to run now (an administrator fixed the cause)."""
    job = session.get(JobRow, job_id)
    if job is None or job.status != "failed":
        return None
    job.status, job.run_at, job.attempts, job.finished_at = "pending", now, 0, None
    return job
