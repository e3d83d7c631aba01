"""Who hears about what: e-mail on assignment, on a supervisor's new form, on escalation, and reminders.

Case handlers work from their queues and are mailed when a task is given to them by someone else;
supervisors are mailed when their company gets a form; everyone in a role is mailed when an escalation
lands in its queue. Reminders go to whoever holds the task (or the company's supervisors), except users
who opted out of reminders. Each message is queued idempotently (its key names the task and recipient).
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from engine.jobs import JobContext
from engine.models import Case, TaskRow

from .mail import queue_mail
from .records import UserAccount, UserRole

TEXTS = {
    "nb": {
        "assigned": ("Du har fått en oppgave: {title}", "{by} har gitt deg oppgaven «{title}» i sak {case}.\n\n{link}"),
        "form": ("Nytt skjema å fylle ut: {title}", "Opplæringskontoret ber bedriften fylle ut «{title}» "
                 "(sak {case}){due}.\n\nLogg inn og åpne «Mine skjema»: {link}"),
        "escalation": ("Forfalt: {title}", "Oppgaven «{title}» i sak {case} er over fristen og ligger i køen "
                       "din.\n\n{link}"),
        "reminder": ("Påminnelse: {title}", "Husk «{title}» i sak {case}{due}.\n\n{link}"),
        "due": ", frist {date}",
    },
    "en": {
        "assigned": ("A task for you: {title}", "{by} gave you the task “{title}” in case {case}.\n\n{link}"),
        "form": ("A new form to fill in: {title}", "The training office asks your company to fill in “{title}” "
                 "(case {case}){due}.\n\nSign in and open “My forms”: {link}"),
        "escalation": ("Overdue: {title}", "The task “{title}” in case {case} is overdue and waits in your queue."
                       "\n\n{link}"),
        "reminder": ("Reminder: {title}", "Remember “{title}” in case {case}{due}.\n\n{link}"),
        "due": ", due {date}",
    },
}


def _accounts(session: Session) -> list[UserAccount]:
    return list(session.scalars(select(UserAccount).where(UserAccount.active.is_(True))))


def supervisors_of(session: Session, orgnr: str | None) -> list[UserAccount]:
    """The active faglig leder accounts of a member company."""
    if not orgnr:
        return []
    return [a for a in session.scalars(select(UserAccount).where(UserAccount.active.is_(True),
                                                                  UserAccount.company_orgnr == orgnr))
            if a.has_role(UserRole.SUPERVISOR)]


def holders(session: Session, task: TaskRow) -> list[UserAccount]:
    """Who a task waits for: its holder, else its company's supervisors (office queues have no one person)."""
    if task.assignee:
        return [a for a in _accounts(session) if a.username == task.assignee]
    if task.role == UserRole.SUPERVISOR:
        return supervisors_of(session, task.scope)
    return []


def _message(kind: str, account: UserAccount, task: TaskRow, case_number: str, link: str,
             by: str = "") -> tuple[str, str]:
    texts = TEXTS.get(account.locale, TEXTS["nb"])
    due = texts["due"].format(date=task.due_at.strftime("%d.%m.%Y")) if task.due_at else ""
    subject, body = texts[kind]
    values = dict(title=task.title, case=case_number, link=link, by=by, due=due)
    return subject.format(**values), body.format(**values)


def _send(session: Session, kind: str, key: str, account: UserAccount, task: TaskRow, now: datetime,
          base_url: str, by: str = "") -> None:
    if not account.email:
        return
    number = session.scalar(select(Case.number).where(Case.id == task.case_id)) or str(task.case_id)
    subject, body = _message(kind, account, task, number, f"{base_url}/tasks/{task.id}", by)
    queue_mail(session, f"{key}:{account.username}", account.email, subject, body, now, kind=kind,
               username=account.username, case_id=task.case_id)


def job_handlers(base_url: str):  # type: ignore[no-untyped-def]
    """Handlers for the engine's task jobs: mail the people a new or assigned task concerns."""

    def task_ready(ctx: JobContext) -> None:
        task = ctx.session.get(TaskRow, ctx.job.payload["task_id"])
        if task is None or task.state != "ready":
            return
        if task.role == UserRole.SUPERVISOR:
            for account in supervisors_of(ctx.session, task.scope):
                _send(ctx.session, "form", ctx.job.key, account, task, ctx.now, base_url)
        elif (task.form_key or "").endswith(".escalation"):
            for account in _accounts(ctx.session):
                if account.has_role(task.role or ""):
                    _send(ctx.session, "escalation", ctx.job.key, account, task, ctx.now, base_url)

    def task_assigned(ctx: JobContext) -> None:
        task = ctx.session.get(TaskRow, ctx.job.payload["task_id"])
        if task is None or task.state != "ready" or task.assignee != ctx.job.payload["assignee"]:
            return
        for account in holders(ctx.session, task):
            _send(ctx.session, "assigned", ctx.job.key, account, task, ctx.now, base_url, by=ctx.job.payload["by"])

    return {"task.ready": task_ready, "task.assigned": task_assigned}


def remind_holders(session: Session, case_id: int, form_prefix: str, now: datetime, base_url: str) -> int:
    """Queue a reminder to whoever holds the case's open tasks for `form_prefix`; opted-out users are
    skipped. Returns how many messages were queued."""
    tasks = session.scalars(select(TaskRow).where(TaskRow.case_id == case_id, TaskRow.state == "ready",
                                                  TaskRow.form_key.like(f"{form_prefix}%")))
    sent = 0
    for task in tasks:
        for account in holders(session, task):
            if account.reminders_opt_out:
                continue
            _send(session, "reminder", f"reminder:{task.id}:{now.date().isoformat()}", account, task, now, base_url)
            sent += 1
    return sent
