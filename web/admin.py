"""Administrators: pending timers and jobs, failed jobs with their error (and retry), open incidents, and the
mail outbox (in development the only place mail goes); every user: their own notification settings."""

from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _
from sqlalchemy import select

from engine import EngineError
from workflows.records import OutboxMail, UserAccount

from .db import db_session
from .policy import Actor
from .services import case_engine

bp = Blueprint("admin", __name__)


@bp.get("/admin")
def index() -> ResponseReturnValue:
    """Timers due next, jobs waiting or failed, and open incidents."""
    engine = case_engine()
    return render_template("admin/index.html", timers=engine.pending_timers(50),
                           pending=engine.job_list(["pending", "running"], 50), failed=engine.job_list(["failed"], 100),
                           incidents=engine.incidents(), now=engine.clock.now())


@bp.post("/admin/jobs/<int:job_id>/retry")
def retry_job(job_id: int) -> ResponseReturnValue:
    """Run a failed job again."""
    try:
        case_engine().retry_job(job_id, Actor.current().username)
        flash(_("The job is queued again."), "success")
    except EngineError as exc:
        flash(exc.message, "error")
    return redirect(url_for("admin.index"))


@bp.get("/admin/outbox")
def outbox() -> ResponseReturnValue:
    """The newest e-mail the office sent (or, in development, kept)."""
    mails = list(db_session().scalars(select(OutboxMail).order_by(OutboxMail.id.desc()).limit(100)))
    return render_template("admin/outbox.html", mails=mails)


@bp.get("/admin/outbox/<int:mail_id>")
def mail(mail_id: int) -> ResponseReturnValue:
    """One e-mail, whole."""
    found = db_session().get(OutboxMail, mail_id)
    if found is None:
        abort(404)
    return render_template("admin/mail.html", mail=found)


@bp.route("/profile", methods=["GET", "POST"])
def profile() -> ResponseReturnValue:
    """The user's own settings: reminder e-mails on or off, and the language."""
    account = db_session().scalar(select(UserAccount).where(UserAccount.username == Actor.current().username))
    if account is None:
        abort(404)
    if request.method == "POST":
        account.reminders_opt_out = request.form.get("reminders") != "on"
        if request.form.get("locale") in ("nb", "en"):
            account.locale = request.form["locale"]
        db_session().commit()
        flash(_("Your settings are saved."), "success")
        return redirect(url_for("admin.profile"))
    return render_template("admin/profile.html", account=account)
