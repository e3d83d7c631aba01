"""Database connections: SQLite (WAL, serialized writers) by default, PostgreSQL by URL."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from sqlalchemy import Engine, create_engine, event
from sqlalchemy.orm import Session, sessionmaker


def is_sqlite(engine: Engine) -> bool:
    """Tell whether the engine talks to SQLite."""
    return engine.dialect.name == "sqlite"


def make_db_engine(url: str, **kwargs: Any) -> Engine:
    """Create a SQLAlchemy engine; on SQLite enable WAL and let writers take the lock at BEGIN."""
    if url.startswith("sqlite"):
        kwargs.setdefault("connect_args", {"timeout": 30, "check_same_thread": False})
        engine = create_engine(url, **kwargs)
        _configure_sqlite(engine)
        return engine
    kwargs.setdefault("pool_pre_ping", True)
    kwargs.setdefault("pool_size", 10)
    return create_engine(url, **kwargs)


def _unicode_lower(value: object) -> object:
    return value.lower() if isinstance(value, str) else value


def _configure_sqlite(engine: Engine) -> None:
    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_conn: Any, _record: Any) -> None:
        dbapi_conn.isolation_level = None  # we issue BEGIN ourselves, below
        cur = dbapi_conn.cursor()
        if engine.url.database not in (None, "", ":memory:"):
            cur.execute("PRAGMA journal_mode=WAL")
        cur.execute("PRAGMA synchronous=NORMAL")
        cur.execute("PRAGMA foreign_keys=ON")
        cur.execute("PRAGMA busy_timeout=30000")
        cur.execute("PRAGMA cache_size=-32000")  # 32 MB of page cache per connection (default is 2 MB)
        # SQLite's own lower() folds only A-Z; searches must fold Æ, Ø, Å (and the rest) as PostgreSQL does.
        dbapi_conn.create_function("lower", 1, _unicode_lower, deterministic=True)
        cur.close()

    @event.listens_for(engine, "begin")
    def _on_begin(conn: Any) -> None:
        mode = conn.get_execution_options().get("sqlite_begin", "DEFERRED")
        conn.exec_driver_sql(f"BEGIN {mode}")


class Database:
    """Session factories for the engine: one for writes (serialized per case), one for reads."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine
        write_bind = engine.execution_options(sqlite_begin="IMMEDIATE") if is_sqlite(engine) else engine
        self._writes = sessionmaker(bind=write_bind, expire_on_commit=False, autoflush=True)
        self._reads = sessionmaker(bind=engine, expire_on_commit=False)

    @property
    def locks_rows(self) -> bool:
        """Whether writers must lock rows (PostgreSQL); SQLite serializes writers at BEGIN instead."""
        return not is_sqlite(self.engine)

    @contextmanager
    def write(self) -> Iterator[Session]:
        """One transaction: committed when the block ends, rolled back if it raises."""
        session = self._writes()
        try:
            with session.begin():
                yield session
        finally:
            session.close()

    @contextmanager
    def read(self) -> Iterator[Session]:
        """A short read-only session."""
        session = self._reads()
        try:
            yield session
        finally:
            session.close()  # detaches what was read, loaded attributes stay readable
