"""The pgvector backend wired into a process: the tables checked (and made) at start,
pgvector's types on every connection, and the factory of the two sides' indexes (searching a
streaming replica when `KLIMATMATCH_PGVECTOR_READ_URL` names one), which also writes rows
for `indexing` (a `RowStore`): in the writer's transaction."""

from __future__ import annotations

import logging

from sqlalchemy import Engine, text
from sqlalchemy.orm import Session

from klimatmatch.core.settings import Settings
from klimatmatch.index import vector_sync
from klimatmatch.index.indexing import IndexReport
from klimatmatch.index.vector_graph import configured, warn_if_stale
from klimatmatch.index.vector_memory import warn_if_uncached
from klimatmatch.index.vector_rows import register_types
from klimatmatch.index.vector_store import PgVectorIndex
from matcher import MatchEngine
from matcher.backends import Side
from models import create_db_engine
from models.vector_tables import VectorTables, create_tables, dense_dimensions

log = logging.getLogger("klimatmatch.vectors")


def prepare(db: Engine, settings: Settings) -> None:
    """Check pgvector and the tables (created here when the backend was switched on after the
    migrations ran), then give every new connection pgvector's types."""
    with db.begin() as connection:
        create_tables(connection, settings.vector_dimensions, hnsw=configured(settings))
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


def tables(settings: Settings) -> VectorTables:
    """What the migrations make the index tables with (`models.migrate.upgrade`)."""
    return VectorTables(settings.vector_dimensions, configured(settings))


class PgVectorIndexes:
    """Makes each side's `PgVectorIndex` (a `matcher.backends.IndexFactory`), and writes rows
    into them for `indexing` (its `RowStore`), on the writer's connection."""

    def __init__(self, db: Engine, settings: Settings) -> None:
        self.db = db
        self.settings = settings
        self.widths: dict[str, int] = {}  # shared by both sides, set when BM25 is loaded
        self.reader = replica(settings)

    def __call__(self, side: Side) -> PgVectorIndex:
        return PgVectorIndex(
            self.db,
            side,
            ef_search=self.settings.pgvector_ef_search,
            exact_below=self.settings.pgvector_ann_threshold,
            postings_per_term=self.settings.pgvector_postings_per_term,
            hnsw=configured(self.settings),
            widths=self.widths,
            reader=self.reader,
        )

    def rebuild(
        self, *, session: Session, engine: MatchEngine, show_progress: bool = False
    ) -> IndexReport:
        return vector_sync.rebuild(session=session, engine=engine)

    apply_rows = staticmethod(vector_sync.write_rows)
    """Rows' vectors into the tables on the session's connection, in the writer's transaction."""


def indexes(db: Engine, settings: Settings) -> PgVectorIndexes:
    return PgVectorIndexes(db, settings)


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
