"""Bringing the demo's apprentices in training up to date: their past evaluations and meetings are done,
so the queues show what is due now (and what is overdue) rather than two years of backlog."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any
from uuid import UUID

from .steps import CASE_HANDLER, CONSULTANT, DemoActor

AREAS = ("planning", "execution", "documentation", "hms_quality", "cooperation")


def _evaluation(period: str, held: date) -> dict[str, Any]:
    return {"period": period, "meeting_date": held.isoformat(),
            "participants": ["apprentice", "faglig_leder", "instructor"],
            **{f"{area}_status": "partly" for area in AREAS},
            "mastered": "Kundebehandling og saksbehandling i fagsystemet", "goals_next": "Mer selvstendig arbeid",
            "absence_days": 1, "wellbeing": "Trives godt med kolleger og oppgaver",
            "signed_faglig_leder": True, "signed_instructor": True, "signed_apprentice": True}


def _period(actor: DemoActor, task: Any) -> str:
    data = actor.engine.workflow(task.instance_id).get_task_from_id(UUID(task.id)).data
    return ((data.get("half_year") or {}).get("evaluation") or {}).get("period", "m03")


def catch_up_follow_up(actor: DemoActor, rounds: int = 10) -> int:
    """Complete follow-up tasks that fell due a while ago, round by round; return how many.

    How long ago varies by case (a week, a month, two months), so some companies are up to date, some are
    overdue and some are escalated — as in a real office.
    """
    done = 0
    for _ in range(rounds):
        moved = 0
        for task in actor.engine.ready_tasks(limit=10_000):
            cutoff = actor.today - timedelta(days=(7, 30, 60)[task.case_id % 3])
            if task.process_key != "follow_up" or task.due_at is None:
                continue
            if task.due_at.date() >= cutoff and task.form_key != "followup.escalation":
                continue
            held = min(task.due_at.date(), actor.today)
            if task.form_key == "followup.evaluation":
                actor.submit(task.case_id, task.form_key, _evaluation(_period(actor, task), held), actor="faglig.leder")
            elif task.form_key == "followup.meeting":
                actor.submit(task.case_id, task.form_key, {"meeting_date": held.isoformat(), "wellbeing": "good",
                                                           "participants": ["apprentice", "office"],
                                                           "notes": "Oppfølgingsmøte på arbeidsplassen"},
                             actor=CONSULTANT)
            elif task.form_key == "followup.escalation" and not any(
                    t.form_key == "followup.evaluation" for t in actor.engine.ready_tasks(case_id=task.case_id)):
                actor.submit(task.case_id, task.form_key, {"action_taken": "evaluation_received",
                                                           "note": "Vurderingen er mottatt"}, actor=CASE_HANDLER)
            else:
                continue
            moved += 1
        actor.engine.fire_due_timers(limit=10_000)
        done += moved
        if not moved:
            break
    return done
