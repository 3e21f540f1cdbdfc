"""Engines and sessions for SQLite (default, embedded) and PostgreSQL."""

from __future__ import annotations

from pathlib import Path

from sqlalchemy import Engine, create_engine, event
from sqlalchemy.orm import Session, sessionmaker


def create_db_engine(url: str, *, echo: bool = False) -> Engine:
    """SQLite gets foreign keys, WAL and a busy timeout; its folder is created if missing."""
    if url.startswith("sqlite"):
        database = url.split("///", 1)[-1]
        if database and database != ":memory:":
            Path(database).parent.mkdir(parents=True, exist_ok=True)
        engine = create_engine(url, echo=echo, connect_args={"check_same_thread": False})
        event.listen(engine, "connect", _sqlite_pragmas)
        event.listen(engine, "begin", _sqlite_begin)
        return engine
    return create_engine(url, echo=echo, pool_pre_ping=True)


def _sqlite_pragmas(connection, _record) -> None:  # noqa: ANN001 - DBAPI objects
    """Also hands transaction control to SQLAlchemy: pysqlite's own BEGIN handling would let a
    RELEASE SAVEPOINT commit for real (SQLAlchemy's documented recipe)."""
    connection.isolation_level = None
    cursor = connection.cursor()
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA busy_timeout=15000")
    cursor.close()


def _sqlite_begin(connection) -> None:  # noqa: ANN001 - a SQLAlchemy Connection
    """IMMEDIATE: take the write lock at the start (waiting up to busy_timeout), so a
    transaction that read first can never fail to upgrade when a concurrent writer committed
    (SQLITE_BUSY_SNAPSHOT under load). SQLite has one writer at a time anyway."""
    connection.exec_driver_sql("BEGIN IMMEDIATE")


def session_factory(engine: Engine) -> sessionmaker[Session]:
    return sessionmaker(bind=engine, expire_on_commit=False)
