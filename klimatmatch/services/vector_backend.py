"""The pgvector backend wired into a process: the tables checked (and made) at start,
pgvector's types on every connection, and the factory of the two sides' indexes, searching a
streaming replica when `KLIMATMATCH_PGVECTOR_READ_URL` names one."""

from __future__ import annotations

import logging

from sqlalchemy import Engine, text

from klimatmatch.services.vector_graph import warn_if_stale
from klimatmatch.services.vector_memory import warn_if_uncached
from klimatmatch.services.vector_rows import register_types
from klimatmatch.services.vector_store import PgVectorIndex
from klimatmatch.settings import Settings
from matcher.backends import IndexFactory, Side
from models import create_db_engine
from models.vector_tables import Hnsw, create_tables, dense_dimensions

log = logging.getLogger("klimatmatch.vectors")


def prepare(db: Engine, settings: Settings) -> None:
    """Check pgvector and the tables (created here when the backend was switched on after the
    migrations ran), then give every new connection pgvector's types."""
    with db.begin() as connection:
        create_tables(connection, settings.vector_dimensions, hnsw=Hnsw.from_settings(settings))
        width = dense_dimensions(connection)
        warn_if_stale(connection, settings)
        warn_if_uncached(connection)
    if width != settings.vector_dimensions:
        raise RuntimeError(
            f"the pgvector tables hold {width}-dimensional vectors but "
            f"KLIMATMATCH_VECTOR_DIMENSIONS is {settings.vector_dimensions}: drop them "
            "(alembic downgrade 0008) or set the width they were made with"
        )
    db.dispose()  # connections opened before the extension existed lack its types
    register_types(db)


def indexes(db: Engine, settings: Settings) -> IndexFactory:
    widths: dict[str, int] = {}  # shared by both sides, set when BM25 is loaded
    reader = replica(settings)

    def make(side: Side) -> PgVectorIndex:
        return PgVectorIndex(
            db,
            side,
            ef_search=settings.pgvector_ef_search,
            exact_below=settings.pgvector_ann_threshold,
            postings_per_term=settings.pgvector_postings_per_term,
            hnsw=Hnsw.from_settings(settings),
            widths=widths,
            reader=reader,
        )

    return make


def replica(settings: Settings) -> Engine | None:
    """The engine that searches, when `KLIMATMATCH_PGVECTOR_READ_URL` names a replica."""
    if settings.pgvector_read_url is None:
        return None
    reader = create_db_engine(settings.pgvector_read_url)
    register_types(reader)  # before the first connection, which the pool keeps
    with reader.connect() as connection:
        standby = connection.scalar(text("SELECT pg_is_in_recovery()"))
    log.info(
        "pgvector searches run on %s (%s)", reader.url, "a standby" if standby else "a primary"
    )
    return reader
