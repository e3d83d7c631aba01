"""Bulk-loading realistic 'other' cases for benchmarks: clones of real engine rows at different steps."""

from __future__ import annotations

import uuid

from sqlalchemy import func, insert, select

from engine.models import AuditEvent, Case, CaseField, ProcessInstance, TaskRow, TimerRow

FORM_STEP = {"contract_type": "laerekontrakt", "apprentice_age": 19, "company_orgnr": "974760673"}
CHUNK = 2000


def _templates(engine) -> list[tuple[ProcessInstance, list[TaskRow], list[TimerRow]]]:
    """Three real cases: waiting to be filled in, at the signatures, at the county (with its timer)."""
    first = engine.start_case("bench_contract", "seed", {"company_orgnr": "974760673"})
    second = engine.start_case("bench_contract", "seed", {"company_orgnr": "974760673"})
    engine.complete_task(second.open_tasks[0].id, FORM_STEP, "seed")
    third = engine.start_case("bench_contract", "seed", {"company_orgnr": "974760673"})
    after = engine.complete_task(third.open_tasks[0].id, FORM_STEP, "seed")
    for task in after.open_tasks:
        after = engine.complete_task(task.id, {"signed": True}, "seed")
    out = []
    with engine.db.read() as s:
        for case_id in (first.case_id, second.case_id, third.case_id):
            instance = s.scalar(select(ProcessInstance).where(ProcessInstance.case_id == case_id))
            tasks = list(s.scalars(select(TaskRow).where(TaskRow.case_id == case_id)))
            timers = list(s.scalars(select(TimerRow).where(TimerRow.case_id == case_id)))
            out.append((instance, tasks, timers))
    return out


def seed_other_cases(engine, count: int) -> int:
    """Insert `count` cases cloned from real ones (state, tasks, timers, fields, history); return count."""
    if count <= 0:
        return 0
    templates = _templates(engine)
    with engine.db.write() as s:
        next_case = (s.scalar(select(func.max(Case.id))) or 0) + 1
        next_instance = (s.scalar(select(func.max(ProcessInstance.id))) or 0) + 1
    made = 3
    while made < count:
        n = min(CHUNK, count - made)
        rows: dict[type, list[dict]] = {Case: [], ProcessInstance: [], TaskRow: [], TimerRow: [], CaseField: [],
                                        AuditEvent: []}
        for i in range(n):
            instance, tasks, timers = templates[(made + i) % 3]
            case_id, instance_id = next_case + i, next_instance + i
            rows[Case].append(dict(id=case_id, number=f"S-{case_id:07d}", process_key="bench_contract",
                                   title="Seeded contract", status="open", current_step=tasks[-1].title,
                                   summary={"company_orgnr": "974760673", "trade": "SOA03-01"},
                                   created_by="seed", created_at=instance.started_at, updated_at=instance.updated_at))
            rows[ProcessInstance].append(dict(
                id=instance_id, case_id=case_id, definition_id=instance.definition_id, process_key="bench_contract",
                status="running", suspended=False, state=instance.state, serializer_version=instance.serializer_version,
                lock_version=1, started_by="seed", started_at=instance.started_at, updated_at=instance.updated_at))
            for t in tasks:
                rows[TaskRow].append(dict(
                    id=str(uuid.uuid4()), instance_id=instance_id, case_id=case_id, definition_id=t.definition_id,
                    process_key=t.process_key, spec_name=t.spec_name, title=t.title, lane=t.lane, role=t.role,
                    form_key=t.form_key, scope=t.scope, assignee=None, due_at=t.due_at, priority=0, state=t.state,
                    created_at=t.created_at, completed_at=t.completed_at, completed_by=t.completed_by))
            for t in timers:
                rows[TimerRow].append(dict(instance_id=instance_id, case_id=case_id, task_id=str(uuid.uuid4()),
                                           name=t.name, due_at=t.due_at))
            rows[CaseField].append(dict(case_id=case_id, name="company_orgnr", value="974760673"))
            rows[CaseField].append(dict(case_id=case_id, name="trade", value="SOA03-01"))
            for action in ("case_started", "process_started", "task_completed"):
                rows[AuditEvent].append(dict(case_id=case_id, instance_id=instance_id, at=instance.started_at,
                                             actor="seed", action=action, data={"company_orgnr": "974760673"}))
        with engine.db.write() as s:
            for model in (Case, ProcessInstance, TaskRow, TimerRow, CaseField, AuditEvent):
                if rows[model]:
                    s.execute(insert(model), rows[model])
        next_case += n
        next_instance += n
        made += n
    if engine.db.engine.dialect.name == "postgresql":
        with engine.db.engine.connect() as conn:
            for table in ("engine_case", "engine_process_instance"):
                conn.exec_driver_sql(f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), "
                                     f"(SELECT max(id) FROM {table}))")
            conn.exec_driver_sql("ANALYZE")
            conn.commit()
    return count
