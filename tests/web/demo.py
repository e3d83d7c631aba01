"""A demo office database built once per test run and cloned for each test that needs it.

Building it (schema, reference data, processes, demo people, users and cases) takes seconds; a clone is a
file copy on SQLite and `CREATE DATABASE … TEMPLATE` on PostgreSQL.
"""

from __future__ import annotations

import shutil
import uuid
from collections.abc import Iterator
from datetime import UTC, date, datetime
from pathlib import Path

import pytest
from flask import Flask
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

from config import TestingConfig
from engine import FixedClock
from web import create_app

TODAY = date(2026, 11, 20)
PASSWORD = "fagflyt-demo"


def demo_clock() -> FixedClock:
    """The clock the demo office was built with (08:00 UTC on TODAY)."""
    return FixedClock(datetime(TODAY.year, TODAY.month, TODAY.day, 8, 0, tzinfo=UTC))


def make_app(instance: Path, url: str, clock: FixedClock | None = None) -> Flask:
    """A testing app on `url` with a fixed clock."""

    class Settings(TestingConfig):
        INSTANCE_PATH = instance
        DATABASE_URL = url

    return create_app(Settings, {"CLOCK": clock or demo_clock(), "WTF_CSRF_ENABLED": True})


@pytest.fixture(scope="session")
def demo_template(tmp_path_factory, postgres_url) -> Iterator[str]:
    """The URL of a database holding the demo office (built once per run)."""
    folder = tmp_path_factory.mktemp("demo-template")
    if postgres_url is None:
        url = f"sqlite:///{folder / 'demo.db'}"
    else:
        url = _create_pg(postgres_url, f"fagflyt_demo_{uuid.uuid4().hex[:8]}")
    app = make_app(folder / "instance", url)
    result = app.test_cli_runner().invoke(args=["setup", "--demo"])
    assert result.exit_code == 0, result.output
    app.extensions["fagflyt.engine"].db.engine.dispose()
    yield url
    if postgres_url is not None:
        _drop_pg(postgres_url, make_url(url).database)


@pytest.fixture
def demo_url(demo_template, tmp_path, postgres_url) -> Iterator[str]:
    """A private copy of the demo office for one test."""
    if postgres_url is None:
        source = make_url(demo_template).database
        target = tmp_path / "demo.db"
        shutil.copyfile(source, target)
        for suffix in ("-wal", "-shm"):
            if Path(source + suffix).exists():
                shutil.copyfile(source + suffix, str(target) + suffix)
        yield f"sqlite:///{target}"
        return
    name = f"fagflyt_demo_{uuid.uuid4().hex[:8]}"
    url = _create_pg(postgres_url, name, template=make_url(demo_template).database)
    yield url
    _drop_pg(postgres_url, name)


@pytest.fixture
def demo_app(demo_url, tmp_path) -> Iterator[Flask]:
    """The app on a private copy of the demo office."""
    app = make_app(tmp_path / "instance", demo_url)
    yield app
    app.extensions["fagflyt.engine"].db.engine.dispose()


def _create_pg(server_url: str, name: str, template: str | None = None) -> str:
    admin = create_engine(make_url(server_url), isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        if template:
            conn.execute(text(f"SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = '{template}'"))
        conn.execute(text(f'CREATE DATABASE "{name}"' + (f' TEMPLATE "{template}"' if template else "")))
    admin.dispose()
    return make_url(server_url).set(database=name).render_as_string(hide_password=False)


def _drop_pg(server_url: str, name: str | None) -> None:
    admin = create_engine(make_url(server_url), isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f"SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = '{name}'"))
        conn.execute(text(f'DROP DATABASE IF EXISTS "{name}"'))
    admin.dispose()
