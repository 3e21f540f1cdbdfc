"""The pgvector HNSW graph's parameters: from the settings, kept by a graph built before until
`klimatmatch reindex` rebuilds it beside the old one (on the embedded PostgreSQL + pgvector)."""

from __future__ import annotations

import logging
from collections.abc import Iterator

import numpy as np
import pytest
from pydantic import ValidationError
from sqlalchemy import create_engine, text
from typer.testing import CliRunner

from klimatmatch.cli import app
from klimatmatch.core.settings import Settings, get_settings
from klimatmatch.index import vector_backend, vector_graph
from models.vector_tables import SIDES, Hnsw, create_tables, hnsw_built

WIDTH = 8


def _tables(url: str, hnsw: Hnsw) -> None:
    """The index tables with 40 random profiles, their graph built with `hnsw`."""
    db = create_engine(url)
    rng = np.random.default_rng(0)
    with db.begin() as connection:
        create_tables(connection, WIDTH, hnsw=hnsw, references=False)
        for i in range(40):
            vector = "[" + ",".join(f"{v:.4f}" for v in rng.normal(size=WIDTH)) + "]"
            connection.execute(
                text(
                    "INSERT INTO vector_companies (id, row_version, text, fields, codes, tagged,"
                    " dense) VALUES (:i, 1, 't', '{}', '{}', '{}', CAST(:v AS vector))"
                ),
                {"i": i, "v": vector},
            )
    db.dispose()


def _built(url: str) -> dict[str, Hnsw | None]:
    db = create_engine(url)
    with db.connect() as connection:
        found = {table: hnsw_built(connection, table) for table, _ in SIDES.values()}
    db.dispose()
    return found


def test_tables_are_made_with_the_given_parameters(pgvector_url: str) -> None:
    _tables(pgvector_url, Hnsw(12, 40))
    assert set(_built(pgvector_url).values()) == {Hnsw(12, 40)}


def test_a_graph_built_with_other_parameters_is_rebuilt_beside_it(
    pgvector_url: str, caplog: pytest.LogCaptureFixture
) -> None:
    _tables(pgvector_url, Hnsw(16, 128))
    settings = Settings(
        _env_file=None,
        database_url=pgvector_url,
        pgvector_hnsw_m=24,
        pgvector_hnsw_ef_construction=96,
        vector_dimensions=WIDTH,
    )
    db = create_engine(pgvector_url)
    with caplog.at_level(logging.WARNING, "klimatmatch.vectors"), db.connect() as connection:
        vector_graph.warn_if_stale(connection, settings)
    assert "run `klimatmatch reindex`" in caplog.text
    assert "m = 24, ef_construction = 96" in caplog.text

    taken = vector_graph.rebuild_graphs(db, vector_graph.configured(settings))
    assert set(taken) == {"vector_challenges", "vector_companies"}
    assert set(_built(pgvector_url).values()) == {Hnsw(24, 96)}
    assert vector_graph.rebuild_graphs(db, Hnsw(24, 96)) == {}  # nothing stale: nothing done
    with db.connect() as connection:
        names = connection.scalars(
            text("SELECT indexname FROM pg_indexes WHERE tablename = 'vector_companies'")
        ).all()
        connection.execute(text("SET enable_seqscan = off"))
        plan = "\n".join(
            connection.scalars(
                text(
                    "EXPLAIN SELECT id FROM vector_companies "
                    "ORDER BY dense <#> CAST(:v AS vector) LIMIT 5"
                ),
                {"v": "[" + ",".join(["0.1"] * WIDTH) + "]"},
            )
        )
    db.dispose()
    assert "vector_companies_dense" in names and "vector_companies_dense_next" not in names
    assert "vector_companies_dense" in plan


def test_ef_construction_below_twice_m_is_refused() -> None:
    with pytest.raises(ValidationError, match="at least twice pgvector_hnsw_m"):
        Settings(_env_file=None, pgvector_hnsw_m=32, pgvector_hnsw_ef_construction=40)


@pytest.fixture
def pgvector_env(pgvector_url: str, monkeypatch: pytest.MonkeyPatch) -> Iterator[str]:
    monkeypatch.setenv("KLIMATMATCH_DATABASE_URL", pgvector_url)
    monkeypatch.setenv("KLIMATMATCH_INDEX_BACKEND", "pgvector")
    get_settings.cache_clear()
    yield pgvector_url
    get_settings.cache_clear()


@pytest.mark.model
def test_reindex_rewrites_the_tables_then_rebuilds_a_stale_graph(
    pgvector_env: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    runner = CliRunner()
    assert runner.invoke(app, ["init", "--sample"], catch_exceptions=False).exit_code == 0
    db = create_engine(pgvector_env)
    vector_backend.prepare(db, get_settings())
    with db.connect() as connection:
        assert connection.scalar(text("SELECT count(*) FROM vector_companies")) == 0
    monkeypatch.setenv("KLIMATMATCH_PGVECTOR_HNSW_M", "20")
    get_settings.cache_clear()

    only = runner.invoke(app, ["reindex", "--graphs-only"], catch_exceptions=False)
    assert only.exit_code == 0, only.output
    assert "vector_companies: HNSW graph rebuilt with m = 20" in only.output
    assert "indexed" not in only.output
    full = runner.invoke(app, ["reindex"], catch_exceptions=False)
    assert full.exit_code == 0, full.output
    with db.connect() as connection:
        approved = connection.scalar(
            text(
                "SELECT count(*) FROM company_profiles p JOIN organisations o "
                "ON o.id = p.organisation_id WHERE o.approved"
            )
        )
        indexed = connection.scalar(text("SELECT count(*) FROM vector_companies"))
    db.dispose()
    assert f"{approved} companies" in full.output and indexed == approved > 0
    assert "rebuilt" not in full.output  # the graph had the settings' parameters already
    assert set(_built(pgvector_env).values()) == {Hnsw(20, 128)}
