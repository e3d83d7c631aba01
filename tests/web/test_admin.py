"""Administrators see timers, jobs and failures and retry them, and read the outbox; users set their reminders."""

from __future__ import annotations

from flask import Flask
from sqlalchemy import select, update
from sqlalchemy.orm import Session

from engine.models import JobRow
from tests.web.browsing import csrf_token, sign_in, text
from workflows.mail import queue_mail
from workflows.records import UserAccount


def _admin(app: Flask):  # type: ignore[no-untyped-def]
    client = app.test_client()
    sign_in(client, "anne.admin")
    return client


def test_admin_sees_pending_timers_and_retries_a_failed_job(demo_app: Flask):
    engine = demo_app.extensions["fagflyt.engine"]
    engine.enqueue_job("mail.deliver", "broken:1", {"key": "missing"})
    with engine.db.write() as s:
        s.execute(update(JobRow).where(JobRow.key == "broken:1").values(
            status="failed", attempts=5, last_error="SMTPServerDisconnected: gone"))
    page = text(_admin(demo_app).get("/admin"))
    assert 'id="timers"' in page and engine.pending_timers(1)[0].name in page
    assert "SMTPServerDisconnected: gone" in page
    job_id = engine.job_list(["failed"])[0].id
    client = _admin(demo_app)
    client.post(f"/admin/jobs/{job_id}/retry", data={"csrf_token": csrf_token(client)})
    assert "broken:1" in {j.key for j in engine.job_list(["pending"], limit=10_000)}
    assert engine.job_list(["failed"]) == []


def test_outbox_lists_and_shows_kept_mail(demo_app: Flask):
    engine = demo_app.extensions["fagflyt.engine"]
    with engine.db.write() as s:
        queue_mail(s, "t:1", "per.ahmed@example.no", "Nytt skjema å fylle ut", "Logg inn og åpne «Mine skjema».",
                   engine.clock.now(), kind="form")
    client = _admin(demo_app)
    listing = text(client.get("/admin/outbox"))
    assert "Nytt skjema å fylle ut" in listing and "per.ahmed@example.no" in listing
    mail_id = int(listing.split("/admin/outbox/")[1].split('"')[0])
    assert "Logg inn og åpne «Mine skjema»." in text(client.get(f"/admin/outbox/{mail_id}"))


def test_a_supervisor_turns_reminders_off(demo_app: Flask):
    client = demo_app.test_client()
    sign_in(client, "per.ahmed@example.no")
    assert client.get("/admin").status_code == 404
    client.post("/profile", data={"csrf_token": csrf_token(client), "locale": "nb"})  # box unticked
    with Session(demo_app.extensions["fagflyt.engine"].db.engine) as s:
        account = s.scalar(select(UserAccount).where(UserAccount.username == "per.ahmed@example.no"))
    assert account.reminders_opt_out is True
