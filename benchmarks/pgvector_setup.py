"""The pgvector index of a benchmark: its database on the embedded server, an engine over it
configured as another engine is, and a bulk load as a rebuild does it."""

from __future__ import annotations

import time

from sqlalchemy import create_engine, text

from klimatmatch.core.settings import Settings
from klimatmatch.index import vector_state, vector_sync
from klimatmatch.index.vector_graph import configured
from klimatmatch.index.vector_rows import register_types
from klimatmatch.index.vector_store import PgVectorIndex
from matcher import Document, MatchEngine
from models.vector_tables import SIDES, create_tables


def database(server: object, name: str, keep: bool = False) -> str:
    """A new empty database `name`; with `keep`, the one there is when there is one."""
    uri = server.get_uri()  # type: ignore[attr-defined]
    admin = create_engine("postgresql+psycopg://" + uri.removeprefix("postgresql://"))
    with admin.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
        found = connection.scalar(text("SELECT 1 FROM pg_database WHERE datname = :n"), {"n": name})
        if not (keep and found):
            connection.execute(text(f"DROP DATABASE IF EXISTS {name}"))
            connection.execute(text(f"CREATE DATABASE {name}"))
    admin.dispose()
    return "postgresql+psycopg://" + server.get_uri(name).removeprefix("postgresql://")  # type: ignore[attr-defined]


def loaded(url: str, size: int) -> dict | None:
    """The stored BM25 state when the database already holds `size` indexed profiles."""
    db = create_engine(url)
    try:
        with db.connect() as connection:
            if connection.scalar(text("SELECT to_regclass('vector_state')")) is None:
                return None
            count = connection.scalar(text("SELECT count(*) FROM vector_companies"))
            return vector_state.load(connection) if count == size else None
    finally:
        db.dispose()


def pg_twin(
    url: str, like: MatchEngine, settings: Settings, ef_search: int, exact_below: int | None = None
) -> MatchEngine:
    """`like`'s configuration (channels, fusion, feedback) over the pgvector tables at `url`
    (no foreign keys: no rows behind them); every channel is searched exactly below
    `exact_below` rows, else approximately (HNSW, each term's heaviest postings)."""
    db = create_engine(url, pool_pre_ping=True)
    with db.begin() as connection:
        create_tables(
            connection,
            settings.vector_dimensions,
            hnsw=configured(settings),
            references=False,
        )
    db.dispose()
    register_types(db)
    widths: dict[str, int] = {}
    return MatchEngine(
        like.channels,
        fusion=like.fusion,
        weights=like.weights,
        depth=like.depth,
        cpv=like.cpv,
        foreign_weight=like.foreign_weight,
        feedback=like.feedback,
        indexes=lambda side: PgVectorIndex(
            db,
            side,
            ef_search=ef_search,
            exact_below=exact_below,
            postings_per_term=settings.pgvector_postings_per_term,
            hnsw=configured(settings),
            widths=widths,
        ),
    )


def bulk_write(engine: MatchEngine, documents: list[Document], vectors_: dict) -> float:
    """Every profile in one transaction, the indexes built after the rows (as a rebuild);
    each row built from version 1, a new profile's version (`pgvector_api` adds those rows)."""
    start = time.perf_counter()
    index = engine.companies
    table = SIDES["company"][0]
    with index.db.begin() as connection:
        vector_sync.empty(connection, table, drop_indexes=True)
        for at in range(0, len(documents), 5000):
            block = {n: v[at : at + 5000] for n, v in vectors_.items()}
            written = documents[at : at + 5000]
            index.write(connection, written, block, {d.id: 1 for d in written})
        vector_sync.create_indexes(connection, table, index.hnsw, memory="4GB")
        vector_state.save(connection, engine)
    with index.db.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
        connection.execute(text(f"VACUUM ANALYZE {table}, {table}_terms"))  # as autovacuum would
    vector_state.set_widths(engine)
    return time.perf_counter() - start
