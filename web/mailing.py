"""The app's mail delivery, chosen by configuration: SMTP in production, the local outbox in development."""

from __future__ import annotations

from flask import Flask

from workflows.mail import KeepInOutbox, Mailer, SmtpMailer, SmtpSettings


def mailer_for(app: Flask) -> Mailer:
    """The configured mailer; SMTP without a server is refused with a clear message."""
    cfg = app.config
    if cfg["MAIL_BACKEND"] == "outbox":
        return KeepInOutbox()
    if cfg["MAIL_BACKEND"] != "smtp":
        raise RuntimeError("FAGFLYT_MAIL_BACKEND must be 'smtp' or 'outbox'")
    if not cfg["SMTP_HOST"]:
        raise RuntimeError("FAGFLYT_SMTP_HOST must be set to send e-mail (or FAGFLYT_MAIL_BACKEND=outbox)")
    return SmtpMailer(SmtpSettings(cfg["SMTP_HOST"], cfg["SMTP_PORT"], cfg["SMTP_USERNAME"], cfg["SMTP_PASSWORD"],
                                   cfg["SMTP_STARTTLS"]))
