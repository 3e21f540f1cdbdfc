"""The pgvector index against PostgreSQL's shared buffers: sizes, the warning when the graphs
do not fit, pg_prewarm and `klimatmatch vectors` (on the embedded PostgreSQL + pgvector, one
server as the wheel starts it and one restarted with the smallest shared_buffers)."""

from __future__ import annotations

import logging
from collections.abc import Iterator

import pytest
from sqlalchemy import create_engine, text
from typer.testing import CliRunner

from klimatmatch.cli import app
from klimatmatch.core.settings import get_settings
from klimatmatch.index import vector_memory
from models.vector_tables import SIDES, Hnsw, create_tables
from tests.embedded_pg import fresh_database, start_server

WIDTH = 64
ROWS = 3000
"""A graph of ~1.5 MB; 600 rows (~300 kB) already outgrow the smallest shared_buffers (128 kB),
where building more takes minutes."""


@pytest.fixture(scope="module")
def small_server() -> Iterator[object]:
    server = start_server(shared_buffers="128kB")
    yield server
    server.cleanup()  # type: ignore[attr-defined]


def _filled(url: str, rows: int = ROWS) -> str:
    db = create_engine(url)
    with db.begin() as connection:
        create_tables(connection, WIDTH, hnsw=Hnsw(8, 32), references=False)
        connection.execute(
            text(
                "INSERT INTO vector_companies (id, row_version, text, fields, codes, tagged, "
                "dense) SELECT i, 1, 'profile ' || i, '{}', '{}', '{}', (SELECT "
                "array_agg(random() - 0.5) FROM generate_series(1, :width) WHERE i > 0)::vector "
                "FROM generate_series(1, :rows) i"
            ),
            {"width": WIDTH, "rows": rows},
        )
    db.dispose()
    return url


@pytest.fixture
def filled_url(pgvector_url: str) -> str:
    return _filled(pgvector_url)


@pytest.fixture
def cramped_url(small_server: object) -> str:
    return _filled(fresh_database(small_server), rows=600)


def _cli(url: str, monkeypatch: pytest.MonkeyPatch, *args: str) -> object:
    monkeypatch.setenv("KLIMATMATCH_DATABASE_URL", url)
    monkeypatch.setenv("KLIMATMATCH_INDEX_BACKEND", "pgvector")
    monkeypatch.setenv("KLIMATMATCH_VECTOR_DIMENSIONS", str(WIDTH))
    get_settings.cache_clear()
    try:
        return CliRunner().invoke(app, list(args), catch_exceptions=False)
    finally:
        get_settings.cache_clear()


def test_sizes_are_read_per_table_and_fit_the_default_buffers(
    filled_url: str, caplog: pytest.LogCaptureFixture
) -> None:
    db = create_engine(filled_url)
    with db.connect() as connection, caplog.at_level(logging.WARNING, "klimatmatch.vectors"):
        sizes = vector_memory.index_sizes(connection)
        buffers = vector_memory.shared_buffers(connection)
        fits = vector_memory.warn_if_uncached(connection)
    db.dispose()
    assert set(sizes) == {table for table, _ in SIDES.values()}
    graph, rows = sizes["vector_companies"]
    assert 2**20 < graph < buffers and rows > ROWS * WIDTH * 4  # the vectors are in both
    assert sizes["vector_challenges"][1] < rows  # empty: a page or two
    assert buffers == 128 * 2**20  # the wheel's default
    assert fits and "shared_buffers" not in caplog.text


def test_graphs_larger_than_the_buffers_are_warned_of_and_not_prewarmed(
    cramped_url: str, caplog: pytest.LogCaptureFixture
) -> None:
    db = create_engine(cramped_url)
    with db.begin() as connection, caplog.at_level(logging.WARNING, "klimatmatch.vectors"):
        assert vector_memory.shared_buffers(connection) == 128 * 2**10
        assert not vector_memory.warn_if_uncached(connection)
        loaded = vector_memory.prewarm(connection)
    db.dispose()
    assert "raise shared_buffers to at least" in caplog.text
    assert "vector_companies_dense not prewarmed" in caplog.text
    assert "vector_companies_dense" not in loaded
    assert loaded.get("vector_challenges_dense", 0) >= 1  # the empty side's graph still fits


def _cached_pages(connection: object, relation: str) -> int:
    return int(
        connection.scalar(  # type: ignore[attr-defined]
            text(
                "SELECT count(*) FROM pg_buffercache b JOIN pg_class c "
                "ON b.relfilenode = pg_relation_filenode(c.oid) WHERE c.relname = :r"
            ),
            {"r": relation},
        )
    )


def test_prewarm_loads_graphs_then_rows_into_the_buffers(filled_url: str) -> None:
    db = create_engine(filled_url)
    with db.begin() as connection:
        connection.execute(text("CREATE EXTENSION IF NOT EXISTS pg_buffercache"))
        loaded = vector_memory.prewarm(connection)
        graph, _ = vector_memory.index_sizes(connection)["vector_companies"]
        cached = _cached_pages(connection, "vector_companies_dense")
    db.dispose()
    assert loaded["vector_companies_dense"] == graph // 8192 == cached
    assert loaded["vector_companies"] >= 1
    assert set(list(loaded)[:2]) == {"vector_companies_dense", "vector_challenges_dense"}


def test_the_vectors_commands_report_and_prewarm(
    filled_url: str, cramped_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    status = _cli(filled_url, monkeypatch, "vectors", "status")
    assert status.exit_code == 0, status.output  # type: ignore[attr-defined]
    assert "vector_companies" in status.output and "the graphs fit" in status.output  # type: ignore[attr-defined]
    warmed = _cli(filled_url, monkeypatch, "vectors", "prewarm")
    assert warmed.exit_code == 0 and "vector_companies_dense:" in warmed.output  # type: ignore[attr-defined]
    cramped = _cli(cramped_url, monkeypatch, "vectors", "status")
    assert cramped.exit_code == 1 and "do not fit" in cramped.output  # type: ignore[attr-defined]


def test_the_vectors_commands_refuse_the_in_process_backend(
    monkeypatch: pytest.MonkeyPatch, tmp_path: object
) -> None:
    monkeypatch.setenv("KLIMATMATCH_DATABASE_URL", f"sqlite:///{tmp_path}/app.db")
    monkeypatch.setenv("KLIMATMATCH_INDEX_BACKEND", "memory")
    get_settings.cache_clear()
    try:
        result = CliRunner().invoke(app, ["vectors", "status"])
    finally:
        get_settings.cache_clear()
    assert result.exit_code == 2 and "not pgvector" in result.output
