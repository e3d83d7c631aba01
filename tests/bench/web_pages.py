"""Server time of the queue page and of a task submit with 1,000 and 100,000 open cases (SQLite, PostgreSQL).

Each size is its own database: the demo office plus open cases cloned from its real ones (state, open
tasks, timers, summary fields), so queues hold realistic tasks. The sizes are measured in alternation, and
each round is paired with a baseline request (the app's /health route), so machine noise hits all alike.
Timings are in-process (Flask test client: routing, session, policy, queries, templates).
Run: `python -m tests.bench.web_pages [--postgres URL] [--sizes 1000,100000]`.
"""

from __future__ import annotations

import argparse
import random
import re
import statistics
import tempfile
import time
import uuid
from datetime import timedelta
from pathlib import Path

from sqlalchemy import func, insert, select, text
from sqlalchemy.engine import make_url

from config import TestingConfig
from engine.models import Case, CaseField, ProcessInstance, TaskRow, TimerRow
from web import create_app
from workflows.demo.identity import generated_orgnr

CHUNK = 2000
PASSWORD = "fagflyt-demo"  # noqa: S105 - the demo accounts' documented password
CSRF = re.compile(r'name="csrf_token"[^>]*value="([^"]+)"')


def clone_open_cases(engine, target: int) -> int:  # type: ignore[no-untyped-def]
    """Add clones of the open cases until `target` open cases exist; return how many were added."""
    with engine.db.read() as s:
        have = s.scalar(select(func.count()).select_from(Case).where(Case.status == "open")) or 0
        templates = []
        for case in s.scalars(select(Case).where(Case.status == "open").order_by(Case.id)):
            instances = list(s.scalars(select(ProcessInstance).where(ProcessInstance.case_id == case.id,
                                                                     ProcessInstance.status == "running")))
            tasks = list(s.scalars(select(TaskRow).where(TaskRow.case_id == case.id, TaskRow.state == "ready")))
            if not tasks or not instances:
                continue
            fields = list(s.scalars(select(CaseField).where(CaseField.case_id == case.id)))
            timers = list(s.scalars(select(TimerRow).where(TimerRow.case_id == case.id)))
            templates.append((case, instances, tasks, fields, timers))
        next_case = (s.scalar(select(func.max(Case.id))) or 0) + 1
        next_instance = (s.scalar(select(func.max(ProcessInstance.id))) or 0) + 1
    added = 0
    while have + added < target:
        n = min(CHUNK, target - have - added)
        rows: dict[type, list[dict]] = {Case: [], ProcessInstance: [], TaskRow: [], TimerRow: [], CaseField: []}
        for i in range(n):
            case, instances, tasks, fields, timers = templates[(added + i) % len(templates)]
            case_id = next_case
            next_case += 1
            rows[Case].append(dict(id=case_id, number=f"B-{case_id:07d}", process_key=case.process_key,
                                   title=case.title, status="open", current_step=case.current_step,
                                   summary=case.summary, created_by="bench", created_at=case.created_at,
                                   updated_at=case.updated_at))
            instance_ids = {}
            for inst in instances:
                instance_ids[inst.id] = next_instance
                rows[ProcessInstance].append(dict(
                    id=next_instance, case_id=case_id, definition_id=inst.definition_id, process_key=inst.process_key,
                    status="running", suspended=False, state=inst.state, serializer_version=inst.serializer_version,
                    lock_version=1, started_by="bench", started_at=inst.started_at, updated_at=inst.updated_at))
                next_instance += 1
            for t in tasks:
                # the clone keeps the task's id inside its own state, so only the projection row is new
                rows[TaskRow].append(dict(
                    id=str(uuid.uuid4()), instance_id=instance_ids[t.instance_id], case_id=case_id,
                    definition_id=t.definition_id, process_key=t.process_key, spec_name=t.spec_name, title=t.title,
                    lane=t.lane, role=t.role, form_key=t.form_key, scope=t.scope, assignee=None,
                    # clones spread over the day, as real due dates are (not thousands of ties)
                    due_at=t.due_at + timedelta(seconds=(added + i) % 86_400) if t.due_at else None,
                    priority=0, state="ready", created_at=t.created_at))
            for f in fields:
                rows[CaseField].append(dict(case_id=case_id, name=f.name, value=f.value))
            for tm in timers:
                if tm.instance_id in instance_ids:
                    rows[TimerRow].append(dict(instance_id=instance_ids[tm.instance_id], case_id=case_id,
                                               task_id=str(uuid.uuid4()), name=tm.name, due_at=tm.due_at))
        with engine.db.write() as s:
            for model in (Case, ProcessInstance, TaskRow, TimerRow, CaseField):
                if rows[model]:
                    s.execute(insert(model), rows[model])
        added += n
    with engine.db.engine.connect() as conn:
        if engine.db.engine.dialect.name == "postgresql":
            for table in ("engine_case", "engine_process_instance"):
                conn.execute(text(f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), "
                                  f"(SELECT max(id) FROM {table}))"))
        conn.execute(text("ANALYZE"))
        conn.commit()
    return added


def _pct(samples: list[float], q: float) -> float:
    ordered = sorted(samples)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))] * 1000


def _timed(call) -> float:  # type: ignore[no-untyped-def]
    t0 = time.perf_counter()
    response = call()
    elapsed = time.perf_counter() - t0
    response.close()
    return elapsed


def _signed_in(app, username: str):  # type: ignore[no-untyped-def]
    client = app.test_client()
    token = CSRF.search(client.get("/login").get_data(as_text=True)).group(1)
    signed = client.post("/login", data={"username": username, "password": PASSWORD, "csrf_token": token})
    assert signed.status_code == 302
    return client


def _lead(rng: random.Random, token: str) -> dict[str, object]:
    return {"csrf_token": token, "orgnr": generated_orgnr(rng), "company_name": "Nordlys Regnskap AS",
            "address": "Storgata 1, 0155 Oslo", "municipality": "Oslo", "county": "03", "sector": "private",
            "contact_name": "Eva Li", "contact_email": "eva.li@example.no", "contact_phone": "91234567",
            "trades": ["ITD03-01"], "places": "2"}


class Office:
    """The demo office at one size, with signed-in clients for the measured requests."""

    def __init__(self, url: str, folder: Path, size: int) -> None:
        class Settings(TestingConfig):
            INSTANCE_PATH = folder / "instance"
            DATABASE_URL = url

        self.app = create_app(Settings)
        result = self.app.test_cli_runner().invoke(args=["setup", "--demo"])
        assert result.exit_code == 0, result.output
        self.engine = self.app.extensions["fagflyt.engine"]
        t0 = time.perf_counter()
        clone_open_cases(self.engine, size)
        self.seeded = time.perf_counter() - t0
        self.size = size
        self.sara = _signed_in(self.app, "sara.saksbehandler")
        self.anne = _signed_in(self.app, "anne.admin")
        self.token = CSRF.search(self.anne.get("/login").get_data(as_text=True)).group(1)
        self.rng = random.Random(size)
        self.samples: dict[str, list[float]] = {"baseline": [], "queue": [], "submit": []}
        for _ in range(10):  # warm caches and connections
            self.sara.get("/queues").close()

    def sample(self) -> None:
        """One paired round: /health (baseline), the queue page, a task submit (a new lead's first form).

        Cloned cases share their tasks' ids inside their state, so the submits use cases started here.
        """
        task_id = self.engine.start_case("membership_onboarding", "bench").open_tasks[0].id
        self.samples["baseline"].append(_timed(lambda: self.sara.get("/health")))
        self.samples["queue"].append(_timed(lambda: self.sara.get("/queues")))
        data = _lead(self.rng, self.token)
        t0 = time.perf_counter()
        response = self.anne.post(f"/tasks/{task_id}", data=data)
        self.samples["submit"].append(time.perf_counter() - t0)
        assert response.status_code == 302, response.get_data(as_text=True)[:500]
        response.close()


def run(name: str, urls: dict[int, str], measured: int) -> None:
    """Build one office per size, then measure them in alternation so machine noise hits all alike."""
    with tempfile.TemporaryDirectory() as folder:
        offices = [Office(url, Path(folder) / str(size), size) for size, url in urls.items()]
        for _ in range(measured):
            for office in offices:
                office.sample()
        medians = {}
        for office in offices:
            s = office.samples
            base, queue, submit = (statistics.median(s[k]) * 1000 for k in ("baseline", "queue", "submit"))
            medians[office.size] = (queue, submit, base)
            print(f"{name:10} {office.size:>7} open cases: baseline /health median {base:5.2f} ms | queue page "
                  f"median {queue:6.2f} ms p95 {_pct(s['queue'], 0.95):6.2f} ms ({queue / base:4.1f}x baseline) | "
                  f"task submit median {submit:6.2f} ms p95 {_pct(s['submit'], 0.95):6.2f} ms  "
                  f"[seeded in {office.seeded:.0f} s]", flush=True)
            office.engine.db.engine.dispose()
        sizes = sorted(medians)
        if len(sizes) > 1:
            (q1, s1, b1), (q2, s2, b2) = medians[sizes[0]], medians[sizes[-1]]
            print(f"{name:10} {sizes[-1]} vs {sizes[0]} open cases: queue page {q2 / q1:4.2f}x "
                  f"({(q2 / b2) / (q1 / b1):4.2f}x relative to the paired baseline), task submit {s2 / s1:4.2f}x",
                  flush=True)


def main() -> None:
    """Run the benchmark and print the figures."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--postgres", help="PostgreSQL server URL (a fresh database is created on it)")
    parser.add_argument("--sizes", default="1000,100000")
    parser.add_argument("--measured", type=int, default=200)
    args = parser.parse_args()
    sizes = [int(s) for s in args.sizes.split(",")]
    with tempfile.TemporaryDirectory() as folder:
        run("SQLite", {size: f"sqlite:///{folder}/bench-{size}.db" for size in sizes}, args.measured)
    if args.postgres:
        from sqlalchemy import create_engine

        server = make_url(args.postgres)
        names = {size: f"fagflyt_bench_{size}_{uuid.uuid4().hex[:6]}" for size in sizes}
        admin = create_engine(server, isolation_level="AUTOCOMMIT")
        with admin.connect() as conn:
            for name in names.values():
                conn.execute(text(f'CREATE DATABASE "{name}"'))
        try:
            run("PostgreSQL", {size: server.set(database=name).render_as_string(hide_password=False)
                               for size, name in names.items()}, args.measured)
        finally:
            with admin.connect() as conn:
                for name in names.values():
                    conn.execute(text(f'DROP DATABASE IF EXISTS "{name}"'))
            admin.dispose()


if __name__ == "__main__":
    main()
