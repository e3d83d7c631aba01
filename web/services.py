"""Per-app services: the case engine, created once and reached through `case_engine()`."""

from __future__ import annotations

from flask import Flask, current_app

from engine import CaseEngine

from .engine_setup import build_engine

EXTENSION = "fagflyt.engine"


def init_app(app: Flask) -> None:
    """Create the app's CaseEngine on its database (tests may pass a fixed clock as config CLOCK)."""
    app.extensions[EXTENSION] = build_engine(app.config["DATABASE_URL"], clock=app.config.get("CLOCK"),
                                           public_url=app.config["PUBLIC_URL"])


def case_engine() -> CaseEngine:
    """The CaseEngine of the current app."""
    return current_app.extensions[EXTENSION]
