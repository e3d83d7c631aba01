"""E-mail with a controlled clock: a supervisor's new form, assignment, signing reminders (with opt-out),
escalation of an overdue evaluation — queued idempotently, delivered by the worker's jobs; and real SMTP."""

from __future__ import annotations

import socket
from collections.abc import Iterator
from datetime import date

import pytest
from aiosmtpd.controller import Controller
from sqlalchemy import select, update

from tests.workflows.test_contract_signing import _draft, _placement
from tests.workflows.test_follow_up import _advance_to, _approved_case, _morning
from workflows.demo.users import load_demo_users
from workflows.mail import KeepInOutbox, SmtpMailer, SmtpSettings, queue_mail
from workflows.records import OutboxMail, UserAccount
from workflows.setup import job_handlers

SENDER = "fagflyt@ok-stat.example.no"


@pytest.fixture
def mailing_office(office):
    """The office with its demo users, and the worker's handlers keeping mail in the outbox."""
    with office.session() as s:
        load_demo_users(s)
        s.commit()
    office.handlers = job_handlers(KeepInOutbox(), SENDER, "https://fagflyt.example.no")
    return office


def _work(office) -> None:
    while office.engine.run_jobs(office.handlers, "test-worker") != (0, 0):
        pass


def _mails(office, **where) -> list[OutboxMail]:
    with office.session() as s:
        return list(s.scalars(select(OutboxMail).filter_by(**where).order_by(OutboxMail.id)))


def _supervisor_of(office, orgnr: str) -> UserAccount:
    with office.session() as s:
        return next(a for a in s.scalars(select(UserAccount).where(UserAccount.company_orgnr == orgnr))
                    if "faglig_leder" in a.roles)


def _to_signing(office) -> int:
    case = office.start("contract_signing")
    office.submit(case.case_id, "contract.draft", _draft(office))
    return case.case_id


def test_supervisor_is_mailed_when_the_company_gets_a_form(mailing_office):
    case_id = _to_signing(mailing_office)
    _work(mailing_office)
    leader = _supervisor_of(mailing_office, _placement(mailing_office)[0])
    mails = _mails(mailing_office, kind="form", case_id=case_id)
    assert [m.recipient for m in mails] == [leader.email]
    assert mails[0].status == "kept" and "https://fagflyt.example.no/tasks/" in mails[0].body
    _work(mailing_office)  # running again sends nothing twice
    assert len(_mails(mailing_office, kind="form", case_id=case_id)) == 1


def test_assignment_by_a_colleague_is_mailed_to_the_assignee(mailing_office):
    case_id = _to_signing(mailing_office)
    task = mailing_office.task(case_id, "contract.sign_office")
    mailing_office.engine.assign(task.id, "kari.konsulent", "sara.saksbehandler")
    mailing_office.engine.claim(mailing_office.task(case_id, "contract.sign_apprentice").id, "sara.saksbehandler")
    _work(mailing_office)
    mails = _mails(mailing_office, kind="assigned")
    assert [(m.username, m.case_id) for m in mails] == [("kari.konsulent", case_id)]
    assert "sara.saksbehandler" in mails[0].body


def test_signing_reminder_on_day_7_skips_users_who_opted_out(mailing_office):
    first = _to_signing(mailing_office)
    leader = _supervisor_of(mailing_office, _placement(mailing_office)[0])
    mailing_office.advance(days=7, minutes=1)
    _work(mailing_office)
    assert [m.recipient for m in _mails(mailing_office, kind="reminder", case_id=first)] == [leader.email]
    with mailing_office.session() as s:
        s.execute(update(UserAccount).where(UserAccount.username == leader.username).values(reminders_opt_out=True))
        s.commit()
    second = _to_signing(mailing_office)
    mailing_office.advance(days=7, minutes=1)
    _work(mailing_office)
    assert _mails(mailing_office, kind="reminder", case_id=second) == []


def test_evaluation_reminder_and_escalation_are_mailed(mailing_office):
    case_id = _approved_case(mailing_office)
    _advance_to(mailing_office, _morning(date(2026, 11, 11)))  # the evaluation is open for the company
    _advance_to(mailing_office, _morning(date(2026, 11, 12)))  # three days before the 3-month evaluation
    _work(mailing_office)
    reminders = _mails(mailing_office, kind="reminder", case_id=case_id)
    assert reminders and all("Halvårsvurdering" in m.subject or "vurdering" in m.subject.lower() for m in reminders)
    _advance_to(mailing_office, _morning(date(2026, 11, 28)))
    _advance_to(mailing_office, _morning(date(2026, 11, 29)))  # 14 days after the due date
    _work(mailing_office)
    mails = _mails(mailing_office, kind="escalation", case_id=case_id)
    assert {m.username for m in mails} == {"kari.konsulent", "anne.admin"}


@pytest.fixture
def smtp_server() -> Iterator[tuple[Controller, list]]:
    """A real SMTP server on loopback that keeps what it receives."""
    received: list = []

    class Handler:
        async def handle_DATA(self, server, session, envelope):  # noqa: N802 - aiosmtpd's hook name
            received.append(envelope)
            return "250 OK"

    with socket.socket() as probe:  # a free loopback port
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    controller = Controller(Handler(), hostname="127.0.0.1", port=port)
    controller.start()
    yield controller, received
    controller.stop()


def test_smtp_delivery_through_a_real_server(mailing_office, smtp_server):
    controller, received = smtp_server
    port = controller.port
    handlers = job_handlers(SmtpMailer(SmtpSettings("127.0.0.1", port, starttls=False)), SENDER)
    with mailing_office.engine.db.write() as s:
        queue_mail(s, "test:1", "kari@example.no", "Påminnelse: signering", "Husk å signere.",
                   mailing_office.clock.now(), kind="reminder")
    assert mailing_office.engine.run_jobs(handlers, "w") == (1, 0)
    assert len(received) == 1 and received[0].rcpt_tos == ["kari@example.no"]
    assert b"Husk" in received[0].content and b"Subject:" in received[0].content
    [mail] = _mails(mailing_office, key="test:1")
    assert mail.status == "sent"
    assert mailing_office.engine.run_jobs(handlers, "w") == (0, 0)
    assert len(received) == 1


def test_a_mail_server_that_is_down_is_retried_and_shown_as_failed(mailing_office):
    handlers = job_handlers(SmtpMailer(SmtpSettings("127.0.0.1", 9, starttls=False, timeout=2)), SENDER)
    with mailing_office.engine.db.write() as s:
        queue_mail(s, "test:2", "kari@example.no", "Emne", "Tekst", mailing_office.clock.now(), kind="reminder")
    assert mailing_office.engine.run_jobs(handlers, "w") == (0, 1)
    for _ in range(5):
        mailing_office.clock.advance(hours=2)
        mailing_office.engine.run_jobs(handlers, "w")
    [failed] = mailing_office.engine.job_list(["failed"])
    assert failed.kind == "mail.deliver" and "Connection" in failed.last_error
    assert _mails(mailing_office, key="test:2")[0].status == "queued"


