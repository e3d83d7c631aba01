"""Web fixtures: an app on a fresh database (SQLite file, or the run's PostgreSQL)."""

from __future__ import annotations

import pytest

from config import TestingConfig
from engine.models import EngineBase
from tests.web.demo import demo_app, demo_template, demo_url  # noqa: F401  (fixtures)
from web import create_app


@pytest.fixture
def app(tmp_path, db_url):
    """A Fagflyt app for one test, with its instance folder in a temporary directory."""

    class Settings(TestingConfig):
        INSTANCE_PATH = tmp_path / "instance"
        DATABASE_URL = db_url

    application = create_app(Settings)
    engine = application.extensions["fagflyt.engine"].db.engine
    EngineBase.metadata.drop_all(engine)
    with engine.begin() as conn:
        conn.exec_driver_sql("DROP TABLE IF EXISTS alembic_version")
    yield application
    engine.dispose()


@pytest.fixture
def client(app):
    """A test client of the app."""
    return app.test_client()


@pytest.fixture
def runner(app):
    """A CLI runner of the app."""
    return app.test_cli_runner()
