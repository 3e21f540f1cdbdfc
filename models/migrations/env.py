"""Alembic environment: runs on the connection handed over by `models.migrate`, or on a URL.

What a migration needs beyond the connection comes in `config.attributes` from the caller,
never from the environment: `VECTOR_TABLES` (0009 and 0011 make the pgvector index tables only
when it is given; on a URL it is not, as for the in-process index)."""

from __future__ import annotations

from alembic import context
from sqlalchemy import create_engine

from models.tables import Base

config = context.config
target_metadata = Base.metadata


def run_online() -> None:
    connection = config.attributes.get("connection")
    if connection is not None:
        _run(connection)
        return
    engine = create_engine(config.get_main_option("sqlalchemy.url"))
    with engine.begin() as new_connection:
        _run(new_connection)


def _run(connection) -> None:  # noqa: ANN001 - a SQLAlchemy Connection
    context.configure(
        connection=connection,
        target_metadata=target_metadata,
        render_as_batch=connection.dialect.name == "sqlite",
        compare_type=True,
    )
    with context.begin_transaction():
        context.run_migrations()


run_online()
