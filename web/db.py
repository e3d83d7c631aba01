"""A database session per request for reading and changing the office's records (accounts, filters …).

Process state changes go through the CaseEngine, whose calls run in their own transactions; this
session is for the records the screens read and for the few the web layer owns (users, saved filters).
"""

from __future__ import annotations

from flask import Flask, g
from sqlalchemy.orm import Session

from .services import case_engine


def db_session() -> Session:
    """The current request's session (created on first use, closed at the end of the request)."""
    if "db_session" not in g:
        g.db_session = Session(case_engine().db.engine, expire_on_commit=False)
    return g.db_session


def init_app(app: Flask) -> None:
    """Close the request's session when the request ends; uncommitted changes are rolled back."""

    @app.teardown_appcontext
    def _close(_exc: BaseException | None) -> None:
        session = g.pop("db_session", None)
        if session is not None:
            session.close()
