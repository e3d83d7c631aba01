"""Shared test setup: every test database is real — SQLite in a temporary folder, or PostgreSQL by URL."""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator

import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url


def pytest_report_header(config: pytest.Config) -> str:
    """Say which database the run uses."""
    url = os.environ.get("DATABASE_URL")
    return f"database: {make_url(url).render_as_string(hide_password=True) if url else 'SQLite (temporary files)'}"


@pytest.fixture(scope="session")
def postgres_url() -> Iterator[str | None]:
    """A fresh PostgreSQL database for this run when DATABASE_URL names a server, else None."""
    url = os.environ.get("DATABASE_URL")
    if not url or not url.startswith("postgresql"):
        yield None
        return
    base = make_url(url)
    name = f"fagflyt_test_{uuid.uuid4().hex[:8]}"
    admin = create_engine(base, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    try:
        yield base.set(database=name).render_as_string(hide_password=False)
    finally:
        with admin.connect() as conn:
            conn.execute(text(
                f"SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = '{name}'"))
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}"'))
        admin.dispose()


@pytest.fixture
def db_url(tmp_path, postgres_url) -> str:
    """A database URL for one test: a new SQLite file, or the run's PostgreSQL database (emptied)."""
    if postgres_url is None:
        return f"sqlite:///{tmp_path / 'fagflyt.db'}"
    return postgres_url
