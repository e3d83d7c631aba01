"""Every path of the follow-up in the training period (halvårsvurdering, domain.md §2.3), through the engine."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime

import pytest
from sqlalchemy import select

from tests.engine.conftest import assert_roundtrip
from tests.workflows.test_contract_signing import _approve, _draft, _placement, _sign_all
from workflows.records import Evaluation, FollowUpMeeting
from workflows.services.followup import plan_half_years

EVALUATION, MEETING, ESCALATION = "followup.evaluation", "followup.meeting", "followup.escalation"
DUE = {"m03": date(2026, 11, 15), "m09": date(2027, 5, 15), "m15": date(2027, 11, 15), "m21": date(2028, 5, 15)}
MEETING_OPENS = [date(2026, 8, 15), date(2027, 2, 15), date(2027, 8, 15), date(2028, 2, 15)]


def _approved_case(driver) -> int:
    """A case whose contract went through contract_signing to the county's approval (start 2026-08-15)."""
    case = driver.start("contract_signing")
    driver.submit(case.case_id, "contract.draft", _draft(driver))
    _sign_all(driver, case.case_id)
    _approve(driver, case.case_id)
    return case.case_id


def _advance_to(driver, when: datetime) -> int:
    """Move the clock to `when` and fire what fell due."""
    return driver.advance(seconds=(when - driver.clock.now()).total_seconds())


def _morning(day: date, hour_utc: int = 7) -> datetime:
    return datetime(day.year, day.month, day.day, hour_utc, 30, tzinfo=UTC)  # after 08:00 in Oslo all year


def _evaluation(driver, period: str, **changes) -> dict:
    data = {
        "period": period, "meeting_date": driver.clock.now().date().isoformat(),
        "participants": ["apprentice", "faglig_leder", "instructor"],
        **{f"{area}_status": "partly" for area in ("planning", "execution", "documentation", "hms_quality",
                                                   "cooperation")},
        "mastered": "Stell og pleie", "goals_next": "Dokumentasjon", "absence_days": 2,
        "wellbeing": "Trives", "signed_faglig_leder": True, "signed_instructor": True, "signed_apprentice": True,
    }
    data.update(changes)
    return data


def _meeting(driver, **changes) -> dict:
    data = {"meeting_date": driver.clock.now().date().isoformat(), "participants": ["apprentice", "office"],
            "notes": "Samtale på arbeidsplassen", "wellbeing": "good"}
    data.update(changes)
    return data


def _forms(driver, case_id: int) -> list[str]:
    """The forms of the follow-up's open tasks (other processes of the case, e.g. trade_test, left out)."""
    return sorted(t.form_key for t in driver.engine.ready_tasks(case_id=case_id) if t.process_key == "follow_up")


def _instance(driver, case_id: int, key: str = "follow_up"):
    return next(i for i in driver.engine.instances(case_id) if i.process_key == key)


def _sent(driver, case_id: int, message: str) -> list[str]:
    return [h.action for h in driver.engine.history(case_id)
            if h.action in ("message_sent", "message_unrouted") and (h.detail or "").startswith(message)]


def test_approval_starts_follow_up_and_plans_four_evaluations_and_meetings(office):
    case_id = _approved_case(office)
    assert _instance(office, case_id).status == "running"
    with office.session() as s:
        evaluations = list(s.scalars(select(Evaluation).order_by(Evaluation.due_on)))
        meetings = list(s.scalars(select(FollowUpMeeting).order_by(FollowUpMeeting.planned_on)))
    assert {e.period: e.due_on for e in evaluations} == DUE
    assert all(e.case_id == case_id and e.completed_on is None for e in evaluations)
    assert [m.planned_on for m in meetings] == [date(2026, 9, 15), date(2027, 3, 15), date(2027, 9, 15),
                                                date(2028, 3, 15)]
    assert _forms(office, case_id) == []  # nothing is due before the training starts
    facts = office.engine.workflow(_instance(office, case_id).id).last_task.data["case_facts"]
    again = office.engine.start_case("follow_up", "sara", {"case_facts": facts}, case_id=case_id,
                                     message="contract.approved")  # by hand, e.g. after a repair: idempotent
    assert again.case_id == case_id
    with office.session() as s:
        assert len(list(s.scalars(select(Evaluation)))) == 4 and len(list(s.scalars(select(FollowUpMeeting)))) == 4


@pytest.mark.parametrize("period", list(DUE))
def test_each_evaluation_opens_14_days_before_its_due_date_for_the_company(office, period):
    case_id = _approved_case(office)
    opens = DUE[period].toordinal() - 14
    _advance_to(office, _morning(date.fromordinal(opens - 1)))
    assert _evaluations_due(office, case_id, DUE[period]) == []
    _advance_to(office, _morning(date.fromordinal(opens)))
    [task] = _evaluations_due(office, case_id, DUE[period])
    assert (task.role, task.scope, task.title) == ("faglig_leder", _placement(office)[0], "Halvårsvurdering")
    assert task.process_key == "follow_up" and task.created_at.date() == date.fromordinal(opens)


def test_completed_evaluation_is_recorded_without_reminder_or_escalation(office):
    case_id = _approved_case(office)
    _advance_to(office, _morning(date(2026, 11, 2)))
    office.submit(case_id, EVALUATION, _evaluation(office, "m03"), actor="per.faglig")
    row = office.one(Evaluation, period="m03")
    assert (row.completed_on, row.meeting_on, row.absence_days, row.concern) == (
        date(2026, 11, 2), date(2026, 11, 2), 2, False)
    assert row.summary["mastered"] == "Stell og pleie" and row.summary["planning_status"] == "partly"
    _advance_to(office, _morning(date(2026, 12, 31)))
    assert ESCALATION not in _forms(office, case_id)
    assert _sent(office, case_id, "conflict.concern_raised") == []


def test_overdue_evaluation_is_reminded_then_escalated_and_can_still_be_completed(office):
    case_id = _approved_case(office)
    _advance_to(office, _morning(date(2026, 11, 11)))
    assert "Påminnelse 3 dager før fristen" not in _timers_fired(office, case_id)
    _advance_to(office, _morning(date(2026, 11, 12)))
    assert "Påminnelse 3 dager før fristen" in _timers_fired(office, case_id)
    assert EVALUATION in _forms(office, case_id)  # the reminder does not close the task
    _advance_to(office, _morning(date(2026, 11, 28)))
    assert ESCALATION not in _forms(office, case_id)
    _advance_to(office, _morning(date(2026, 11, 29)))
    escalation = office.task(case_id, ESCALATION)
    assert (escalation.role, escalation.title) == ("konsulent", "Følg opp forsinket halvårsvurdering")
    assert EVALUATION in _forms(office, case_id)
    office.submit(case_id, EVALUATION, _evaluation(office, "m03", absence_days=7), actor="per.faglig")
    row = office.one(Evaluation, period="m03")
    assert (row.completed_on, row.absence_days) == (date(2026, 11, 29), 7)
    assert _forms(office, case_id) == [ESCALATION, MEETING]  # the konsulent closes the escalation
    office.submit(case_id, ESCALATION, {"action_taken": "evaluation_received"}, actor="kari.konsulent")
    assert _forms(office, case_id) == [MEETING]


def test_concern_in_an_evaluation_is_thrown_and_the_follow_up_continues(office):
    case_id = _approved_case(office)
    _advance_to(office, _morning(date(2026, 11, 3)))
    office.submit(case_id, EVALUATION, _evaluation(office, "m03", concern=True, concern_category="absence",
                                                   concern_description="Mye fravær uten melding"))
    assert office.one(Evaluation, period="m03").concern is True
    assert _sent(office, case_id, "conflict.concern_raised")  # message_sent if conflict_handling is deployed
    conflict = [i for i in office.engine.instances(case_id) if i.process_key == "conflict_handling"]
    if conflict:  # the concern started conflict handling in the same case with the register form's data
        data = json.dumps([t.data for t in office.engine.workflow(conflict[0].id).get_tasks()], default=str,
                          ensure_ascii=False)
        assert '"raised_by": "company"' in data and "Mye fravær uten melding" in data
    assert _instance(office, case_id).status == "running"
    _advance_to(office, _morning(date(2027, 2, 16)))
    assert MEETING in _forms(office, case_id)


def test_meetings_are_recorded_and_a_concern_there_is_thrown(office):
    case_id = _approved_case(office)
    _advance_to(office, _morning(date(2026, 8, 14)))
    assert MEETING not in _forms(office, case_id)
    _advance_to(office, _morning(date(2026, 8, 15)))
    task = office.task(case_id, MEETING)
    assert (task.role, task.due_at.date()) == ("konsulent", date(2026, 9, 15))
    office.submit(case_id, MEETING, _meeting(office), actor="kari.konsulent")
    first = office.one(FollowUpMeeting, planned_on=date(2026, 9, 15))
    assert (first.held_on, first.held_by, first.participants, first.concern) == (
        date(2026, 8, 15), "kari.konsulent", ["apprentice", "office"], False)
    assert _sent(office, case_id, "conflict.concern_raised") == []
    _advance_to(office, _morning(date(2027, 2, 15)))
    office.submit(case_id, MEETING, _meeting(office, wellbeing="serious_concerns", concern=True,
                                             concern_category="hms", concern_description="Farlig arbeid"))
    assert office.one(FollowUpMeeting, planned_on=date(2027, 3, 15)).concern is True
    assert _sent(office, case_id, "conflict.concern_raised")


def test_the_whole_training_period_is_followed_up_to_the_end(office):
    case_id = _approved_case(office)
    for opens, period in zip(MEETING_OPENS, DUE, strict=True):
        _advance_to(office, _morning(opens))
        office.submit(case_id, MEETING, _meeting(office), actor="kari.konsulent")
        _advance_to(office, _morning(date.fromordinal(DUE[period].toordinal() - 10)))
        assert _forms(office, case_id) == [EVALUATION]
        office.submit(case_id, EVALUATION, _evaluation(office, period), actor="per.faglig")
    follow_up = _instance(office, case_id)
    assert follow_up.status == "completed"
    with office.session() as s:
        assert s.scalar(select(Evaluation.id).where(Evaluation.completed_on.is_(None))) is None
        assert s.scalar(select(FollowUpMeeting.id).where(FollowUpMeeting.held_on.is_(None))) is None
    facts = office.engine.workflow(follow_up.id).last_task.data["case_facts"]
    assert (facts["follow_up"], facts["status"]) == ("completed", "approved")
    history = office.engine.history(case_id)
    assert any(h.action == "process_completed" and h.detail == "follow_up" for h in history)
    assert office.engine.incidents(case_id) == []


@pytest.mark.parametrize(("message", "outcome"), [("contract.ended", "contract_ended"),
                                                  ("contract.completed", "contract_completed")])
def test_contract_ending_stops_the_follow_up_early(office, message, outcome):
    case_id = _approved_case(office)
    _advance_to(office, _morning(date(2026, 11, 2)))
    office.submit(case_id, MEETING, _meeting(office))
    office.submit(case_id, EVALUATION, _evaluation(office, "m03"))
    _advance_to(office, _morning(date(2027, 2, 16)))
    assert MEETING in _forms(office, case_id)
    facts = office.engine.workflow(_instance(office, case_id).id).last_task.data["case_facts"]
    office.engine.deliver_message(message, {"case_facts": {**facts, "status": "cancelled_agreement"},
                                            "reason": "Heving etter enighet"}, "test", case_id=case_id)
    assert_roundtrip(office.engine, case_id)
    follow_up = _instance(office, case_id)
    assert follow_up.status == "completed"
    assert [t for t in office.engine.ready_tasks(case_id=case_id) if t.process_key == "follow_up"] == []
    with office.session() as s:
        assert [e.period for e in s.scalars(select(Evaluation))] == ["m03"]  # the rest will never be due
        assert [m.held_on for m in s.scalars(select(FollowUpMeeting))] == [date(2026, 11, 2)]
    data = office.engine.workflow(follow_up.id).last_task.data
    assert data["case_facts"]["follow_up"] == outcome and data["case_facts"]["follow_up_dropped"] == 6
    assert data["case_facts"]["status"] == "approved"  # the contract record, not the message, says the status
    office.advance(days=800)
    assert [t for t in office.engine.ready_tasks(case_id=case_id) if t.process_key == "follow_up"] == []


def test_half_years_of_a_shortened_training_period_and_exact_timer_instants():
    plan = plan_half_years(date(2026, 8, 31), date(2028, 2, 29))
    assert [h["evaluation"]["period"] for h in plan] == ["m03", "m09", "m15"]
    first = plan[0]
    assert first["evaluation"]["due_on"] == "2026-11-30"
    assert first["evaluation"]["open_at"] == "2026-11-16T08:00:00+01:00"
    assert first["evaluation"]["remind_at"] == "2026-11-27T08:00:00+01:00"
    assert first["evaluation"]["escalate_at"] == "2026-12-14T08:00:00+01:00"
    assert first["meeting"] == {"open_at": "2026-08-31T08:00:00+02:00", "due_on": "2026-09-30"}
    assert plan[1]["evaluation"]["due_on"] == "2027-05-31" and plan[2]["meeting"]["due_on"] == "2027-09-30"
    assert len(plan_half_years(date(2026, 8, 15), None)) == 4


def _timers_fired(driver, case_id: int) -> str:
    return " ".join(h.detail or "" for h in driver.engine.history(case_id) if h.action == "timer_fired")


def _evaluations_due(driver, case_id: int, due: date) -> list:
    return [t for t in driver.engine.ready_tasks(case_id=case_id)
            if t.form_key == EVALUATION and t.due_at is not None and t.due_at.date() == due]
