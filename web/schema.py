"""The database schema as one unit: every table's metadata, and upgrading a database to the newest version."""

from __future__ import annotations

from pathlib import Path

from alembic import command
from alembic.config import Config as AlembicConfig
from sqlalchemy import Engine

from engine.models import EngineBase
from workflows import records  # noqa: F401  (business tables share the engine's metadata)

MIGRATIONS = Path(__file__).resolve().parent / "migrations"

target_metadata = [EngineBase.metadata]


def alembic_config(database_url: str) -> AlembicConfig:
    """An Alembic configuration pointing at our migrations and the given database."""
    cfg = AlembicConfig()
    cfg.set_main_option("script_location", str(MIGRATIONS))
    cfg.set_main_option("sqlalchemy.url", database_url.replace("%", "%%"))
    return cfg


def upgrade(engine: Engine) -> None:
    """Bring the database to the newest schema (creates it on first run)."""
    cfg = alembic_config(engine.url.render_as_string(hide_password=False))
    with engine.begin() as connection:
        cfg.attributes["connection"] = connection
        command.upgrade(cfg, "head")
