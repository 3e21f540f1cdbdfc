"""The index in PostgreSQL (pgvector): nothing held in the process but the model and BM25's
vocabulary; rows and their vectors are written in one transaction, so there is no change log
to follow and no snapshot to write."""

from __future__ import annotations

import logging

from sqlalchemy import Engine

from klimatmatch.core.settings import Settings
from klimatmatch.index import vector_backend, vector_graph, vector_sync
from klimatmatch.index.backend import Progress, Say, Started
from klimatmatch.index.embedding import build_engine
from matcher import Embedder
from models import create_db_engine, session_factory
from models.migrate import upgrade

log = logging.getLogger("klimatmatch.vectors")


class PgvectorBackend:
    """`KLIMATMATCH_INDEX_BACKEND=pgvector`: the index is tables in the database itself."""

    def __init__(self, settings: Settings) -> None:
        self.settings = settings

    def migrate(self, db: Engine) -> None:
        upgrade(db, vector_tables=vector_backend.tables(self.settings))

    def start(self, db: Engine, embedder: Embedder | None = None) -> Started:
        """The tables checked, BM25's shared fit loaded and rows written without the commit
        hook caught up (or everything rebuilt); then every commit writes its rows' vectors."""
        vector_backend.prepare(db, self.settings)
        sessions = session_factory(db)
        indexes = vector_backend.indexes(db, self.settings)
        engine = build_engine(self.settings, embedder, indexes=indexes)
        with sessions() as session:
            report = vector_sync.start(session=session, engine=engine)
            session.commit()
        vector_sync.install(sessions, engine)
        log.info("index in PostgreSQL (pgvector): %s", report)
        return Started(sessions, engine, vector_sync.Current(sessions), report)

    def reindex(self, say: Say, *, graphs_only: bool = False) -> None:
        """Rewrite the index tables from the rows (unless `graphs_only`), then rebuild any
        HNSW graph built with other parameters than the settings' (concurrently)."""
        db = self.tables()
        if not graphs_only:
            indexes = vector_backend.indexes(db, self.settings)
            engine = build_engine(self.settings, indexes=indexes)
            with session_factory(db)() as session:
                report = vector_sync.rebuild(session=session, engine=engine)
                session.commit()
            say(f"indexed {report.challenges} challenges and {report.companies} companies")
        wanted = vector_graph.configured(self.settings)
        for table, seconds in vector_graph.rebuild_graphs(db, wanted).items():
            say(f"{table}: HNSW graph rebuilt with {wanted.options} in {seconds:.0f} s")

    def snapshot(self, progress: Progress | None = None) -> str:
        return f"snapshot: {vector_sync.SNAPSHOTS_UNUSED}"

    def tables(self) -> Engine:
        """The database migrated with the index tables and pgvector's types (`PgvectorMissing`
        when the server lacks the extension)."""
        db = create_db_engine(self.settings.database_url)
        self.migrate(db)
        vector_backend.prepare(db, self.settings)
        return db
