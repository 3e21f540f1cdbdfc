"""Migrations 0009 and 0011 make the pgvector index tables only when the caller passes their
options (`upgrade(vector_tables=...)`), never from the environment: an upgrade without them
is the in-process index's, as before (on the embedded PostgreSQL with pgvector)."""

from __future__ import annotations

import pytest
from sqlalchemy import Engine, text

from models import create_db_engine
from models.migrate import upgrade
from models.vector_tables import SIDES, Hnsw, VectorTables, dense_dimensions, hnsw_built


def _tables(db: Engine) -> set[str]:
    with db.connect() as connection:
        names = [t for table, _ in SIDES.values() for t in (table, f"{table}_terms")]
        names.append("vector_state")
        return {n for n in names if connection.scalar(text("SELECT to_regclass(:n)"), {"n": n})}


def test_without_options_no_index_tables_whatever_the_environment_says(
    pgvector_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("KLIMATMATCH_INDEX_BACKEND", "pgvector")  # read by nothing in models
    db = create_db_engine(pgvector_url)
    upgrade(db)
    assert _tables(db) == set()
    db.dispose()


def test_with_options_the_tables_have_their_width_and_graph(pgvector_url: str) -> None:
    db = create_db_engine(pgvector_url)
    upgrade(db, vector_tables=VectorTables(dimensions=12, hnsw=Hnsw(10, 40)))
    assert len(_tables(db)) == 5
    with db.connect() as connection:
        assert dense_dimensions(connection) == 12
        assert hnsw_built(connection, "vector_companies") == Hnsw(10, 40)
    db.dispose()
