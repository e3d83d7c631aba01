"""Builds the CaseEngine the web app and the CLI use: the office's engine, checked against the known forms."""

from __future__ import annotations

from engine import CaseEngine, Clock
from forms import load_registry
from workflows.setup import build_case_engine


def build_engine(database_url: str, *, clock: Clock | None = None,
                 public_url: str = "http://127.0.0.1:5000") -> CaseEngine:
    """The office's CaseEngine; deploys are refused when a user task names an unknown form."""
    return build_case_engine(database_url, clock=clock, form_keys=load_registry().keys(), public_url=public_url)
