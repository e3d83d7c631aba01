"""Signing in and out (Flask-Login, argon2 hashes, lockout, a per-address rate limit) and the language switch."""

from __future__ import annotations

import hashlib
import time
from collections import defaultdict, deque
from dataclasses import dataclass
from threading import Lock
from urllib.parse import urlsplit

from flask import Blueprint, Flask, current_app, flash, redirect, render_template, request, session, url_for
from flask_babel import gettext as _
from flask_login import LoginManager, login_user, logout_user
from flask_wtf import FlaskForm
from wtforms import PasswordField, StringField
from wtforms.validators import DataRequired, Length

from workflows.accounts import check_sign_in
from workflows.records import UserAccount

from .db import db_session
from .i18n import LOCALES
from .services import case_engine

bp = Blueprint("auth", __name__)
login_manager = LoginManager()
ATTEMPTS_PER_ADDRESS = 20
ATTEMPT_WINDOW_SECONDS = 300.0


@dataclass(frozen=True)
class SignedInUser:
    """The user of a request, copied out of the database row (Flask-Login's user object)."""

    id: int
    username: str
    display_name: str
    roles: tuple[str, ...]
    company_orgnr: str | None
    locale: str
    session_token: str

    is_authenticated = True
    is_active = True
    is_anonymous = False

    def get_id(self) -> str:
        """The id kept in the session: account id plus a token that changes with the password."""
        return f"{self.id}.{self.session_token}"

    @classmethod
    def of(cls, account: UserAccount) -> SignedInUser:
        """Copy an account row."""
        token = hashlib.sha256(account.password_hash.encode()).hexdigest()[:16]
        return cls(account.id, account.username, account.display_name, tuple(account.roles), account.company_orgnr,
                   account.locale, token)


@login_manager.user_loader
def _load_user(user_id: str) -> SignedInUser | None:
    account_id, _, token = user_id.partition(".")
    if not account_id.isdigit():
        return None
    account = db_session().get(UserAccount, int(account_id))
    if account is None or not account.active:
        return None
    user = SignedInUser.of(account)
    return user if user.session_token == token else None  # a changed password ends old sessions


class AddressThrottle:
    """At most `limit` sign-in attempts per client address in a sliding window (per process)."""

    def __init__(self, limit: int, window: float) -> None:
        self.limit = limit
        self.window = window
        self._seen: dict[str, deque[float]] = defaultdict(deque)
        self._lock = Lock()

    def allow(self, address: str) -> bool:
        """Record an attempt from `address`; False when it is over the limit."""
        now = time.monotonic()
        with self._lock:
            seen = self._seen[address]
            while seen and now - seen[0] > self.window:
                seen.popleft()
            if len(seen) >= self.limit:
                return False
            seen.append(now)
            return True


class LoginForm(FlaskForm):
    """Username and password."""

    username = StringField(validators=[DataRequired(), Length(max=254)])
    password = PasswordField(validators=[DataRequired(), Length(max=200)])


def _safe_next(target: str | None) -> str:
    """Only local paths are followed after signing in (no open redirect)."""
    if target and target.startswith("/") and not target.startswith("//") and not urlsplit(target).netloc:
        return target
    return url_for("home.index")


@bp.route("/login", methods=["GET", "POST"])
def login():  # type: ignore[no-untyped-def]
    """Show the sign-in form; sign in on a correct username and password."""
    form = LoginForm()
    form.username.label.text = _("Username")
    form.password.label.text = _("Password")
    status = 200
    if form.validate_on_submit():
        throttle: AddressThrottle = current_app.extensions["fagflyt.login_throttle"]
        if not throttle.allow(request.remote_addr or "unknown"):
            form.form_errors.append(_("Too many sign-in attempts from this address. Wait a few minutes."))
            return render_template("login.html", form=form), 429
        now = case_engine().clock.now()
        outcome = check_sign_in(db_session(), form.username.data or "", form.password.data or "", now)
        db_session().commit()
        if outcome.account is not None:
            session.clear()
            login_user(SignedInUser.of(outcome.account))
            return redirect(_safe_next(request.args.get("next")))
        if outcome.problem == "locked":
            form.form_errors.append(_("Too many failed attempts: the account is locked for 15 minutes."))
        else:
            form.form_errors.append(_("Wrong username or password."))
        status = 401
    elif request.method == "POST":
        status = 400
    return render_template("login.html", form=form), status


@bp.post("/logout")
def logout():  # type: ignore[no-untyped-def]
    """Sign out and forget the session."""
    logout_user()
    session.clear()
    flash(_("You are signed out."), "info")
    return redirect(url_for("auth.login"))


@bp.post("/language")
def language():  # type: ignore[no-untyped-def]
    """Switch the screen language for this session."""
    chosen = request.form.get("locale", "")
    if chosen in LOCALES:
        session["locale"] = chosen
    return redirect(_safe_next(request.form.get("next")))


def init_app(app: Flask) -> None:
    """Set up Flask-Login and the sign-in throttle."""
    login_manager.init_app(app)
    login_manager.login_view = "auth.login"
    login_manager.session_protection = "strong"
    app.extensions["fagflyt.login_throttle"] = AddressThrottle(ATTEMPTS_PER_ADDRESS, ATTEMPT_WINDOW_SECONDS)
    app.register_blueprint(bp)
