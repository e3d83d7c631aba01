"""Benchmark: one `complete_task` through the engine against the raw in-memory SpiffWorkflow request.

(a) raw: load instance JSON (spec cached) → complete one task → save JSON, in memory, no database.
(b) CaseEngine.complete_task on SQLite and PostgreSQL, on a contract-like process, with 1,000 and then
    100,000 other cases in the database. Prints medians, p95 and the ratios (b)/(a) and 100k/1k.

Run: `make bench` (starts a local PostgreSQL) or
     `python -m tests.bench.engine_complete_task [--postgres URL] [--sizes 1000,100000] [--measured 300]`
"""

from __future__ import annotations

import argparse
import json
import statistics
import tempfile
import time
import uuid
from pathlib import Path

from tests.bench.seeding import seed_other_cases

HERE = Path(__file__).resolve().parent
BPMN = (HERE / "contract_like.bpmn").read_bytes()
FORM = {
    "contract_type": "laerekontrakt", "trade": "SOA03-01", "apprentice_fnr": "31129956715",
    "apprentice_first_name": "Kari", "apprentice_last_name": "Nordmann", "apprentice_age": 17,
    "apprentice_mobile": "+4791234567", "apprentice_email": "kari.nordmann@example.no",
    "apprentice_address": "Storgata 1, 0155 Oslo", "company_orgnr": "974760673",
    "faglig_leder_name": "Per Hansen", "faglig_leder_email": "per.hansen@example.no",
    "faglig_leder_birth_date": "1975-03-14", "start_date": "2026-08-15", "end_date": "2028-08-14",
    "training_model": "model_2_2", "probation_months": 6, "credit_months": 0, "missing_common_subjects": [],
    "employment_contract_ref": "AA-2026-0815", "guardian_name": "Ola Nordmann", "guardian_phone": "+4798765432",
    "responsibilities": "Opplæringskontoret har det formelle ansvaret; bedriften gir opplæringen i kompetansemålene "
                        "for faget og følger den interne planen. " * 4,
}


def _ms(samples: list[float]) -> tuple[float, float]:
    ordered = sorted(samples)
    return statistics.median(ordered) * 1000, ordered[int(len(ordered) * 0.95) - 1] * 1000


class RawRequest:
    """The raw SpiffWorkflow request with a cached spec (Spiff's own script engine, no database)."""

    def __init__(self) -> None:
        from SpiffWorkflow.bpmn import BpmnWorkflow

        from engine.definitions import build_specs, read_definition
        from engine.serialization import _build_serializer

        self.spec, self.subs = build_specs([read_definition("contract_like.bpmn", BPMN)], "bench_contract")
        self.serializer = _build_serializer()
        wf = BpmnWorkflow(self.spec, self.subs)
        wf.do_engine_steps()
        self.state = self.serializer.serialize_json(wf)

    def __call__(self) -> float:
        """Load the instance, complete its first task with the contract form, save it; return seconds."""
        from SpiffWorkflow.util.task import TaskState

        from engine.serialization import specs_for_restore

        started = time.perf_counter()
        dct = json.loads(self.state)
        self.serializer.migrate(dct)
        with specs_for_restore(self.spec, self.subs):
            restored = self.serializer.from_dict(dct)
        task = restored.get_tasks(state=TaskState.READY, manual=True)[0]
        task.set_data(**FORM)
        task.run()
        restored.do_engine_steps()
        self.serializer.serialize_json(restored)
        return time.perf_counter() - started


def paired_requests(engine, raw: RawRequest, measured: int) -> tuple[list[float], list[float]]:
    """Start `measured` cases, then time completing the first task of each, each right after a raw request,
    so both figures see the same machine (a shared 2-core machine drifts by tens of per cent)."""
    task_ids = []
    for i in range(measured):
        result = engine.start_case("bench_contract", "bench", {"case_ref": f"B-{i}", "company_orgnr": "974760673"})
        task_ids.append(result.open_tasks[0].id)
    raws, ours = [], []
    for task_id in task_ids:
        raws.append(raw())
        started = time.perf_counter()
        engine.complete_task(task_id, FORM, "bench")
        ours.append(time.perf_counter() - started)
    return raws, ours


def run_database(name: str, url: str, sizes: list[int], measured: int, raw: RawRequest) -> dict[int, float]:
    """Measure one database at each size, paired with the raw request; return the median per size."""
    from engine import CaseEngine
    from engine.models import EngineBase

    engine = CaseEngine(url)
    EngineBase.metadata.drop_all(engine.db.engine)
    engine.create_schema()
    engine.deploy({"contract_like.bpmn": BPMN}, "bench")
    present, medians, ratios = 0, {}, {}
    for size in sizes:
        t0 = time.perf_counter()
        present += seed_other_cases(engine, size - present)
        seeded = time.perf_counter() - t0
        paired_requests(engine, raw, 20)  # warm up caches and connections
        raws, ours = paired_requests(engine, raw, measured)
        (baseline, raw_p95), (median, p95) = _ms(raws), _ms(ours)
        medians[size], ratios[size] = median, median / baseline
        print(f"{name:10} {size:>7} other cases: (a) raw median {baseline:5.2f} ms p95 {raw_p95:5.2f} | "
              f"(b) complete_task median {median:6.2f} ms p95 {p95:6.2f} | (b)/(a) = {median / baseline:4.2f}  "
              f"[seeded in {seeded:.0f} s]", flush=True)
        present += measured + 20  # the cases the measurement itself started
    if len(sizes) > 1:
        big, small = sizes[-1], sizes[0]
        print(f"{name:10} {big} vs {small} other cases: {medians[big] / medians[small]:4.2f}x in milliseconds, "
              f"{ratios[big] / ratios[small]:4.2f}x relative to the paired raw request", flush=True)
    engine.db.engine.dispose()
    return medians


def main() -> None:
    """Run the benchmark and print the figures."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--postgres", help="PostgreSQL URL (postgresql+psycopg://…); skipped when absent")
    parser.add_argument("--sizes", default="1000,100000")
    parser.add_argument("--measured", type=int, default=300)
    args = parser.parse_args()
    sizes = [int(s) for s in args.sizes.split(",")]

    raw = RawRequest()
    for _ in range(50):
        raw()
    print("(a) = raw SpiffWorkflow request in memory, spec cached: load instance JSON, complete one task, save",
          flush=True)
    with tempfile.TemporaryDirectory() as folder:
        run_database("SQLite", f"sqlite:///{folder}/bench-{uuid.uuid4().hex[:6]}.db", sizes, args.measured, raw)
    if args.postgres:
        run_database("PostgreSQL", args.postgres, sizes, args.measured, raw)


if __name__ == "__main__":
    main()
