"""Workflow fixtures: the domain records on a real database (SQLite file, or PostgreSQL by URL)."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from sqlalchemy import Engine
from sqlalchemy.orm import Session, sessionmaker

import workflows.records  # noqa: F401  (registers the record tables on EngineBase.metadata)
from engine.db import make_db_engine
from engine.models import EngineBase


@pytest.fixture
def records_engine(db_url) -> Iterator[Engine]:
    """A database with the whole schema (engine tables and records), freshly created."""
    engine = make_db_engine(db_url)
    EngineBase.metadata.drop_all(engine)
    EngineBase.metadata.create_all(engine)
    yield engine
    engine.dispose()


@pytest.fixture
def session_factory(records_engine) -> sessionmaker[Session]:
    """Opens sessions on the records database (for tests that need more than one transaction)."""
    return sessionmaker(bind=records_engine, expire_on_commit=False)


@pytest.fixture
def records_session(session_factory) -> Iterator[Session]:
    """One session on the records database; uncommitted work is rolled back at the end."""
    with session_factory() as session:
        yield session
        session.rollback()
from tests.workflows.process_driver import office  # noqa: E402, F401  (the shipped processes on demo data)
