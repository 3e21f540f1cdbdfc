"""The pgvector index's tables (`KLIMATMATCH_INDEX_BACKEND=pgvector`), apart from `tables`.

One table per side holds what the engine needs of a row: its text and filter fields, and one
column per channel: `dense` (the model's vectors, with an HNSW index for inner product),
`dense_en` (the optional English second opinion, re-scoring only), `lexical` (the project's
own BM25 weights as a `sparsevec`) and `cpv` (hashed CPV code vectors). A row references the
challenge or profile it indexes (deleted with it) and records the version it was built from.
The sparse channels are also kept as postings (`<table>_terms`: channel, term, row, weight; see
`POSTED`), which is how they are searched. `vector_state` keeps what every process must
share: the fitted BM25 (vocabulary, IDF).

Plain SQL, so SQLite and the ORM metadata never see pgvector's types.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, NamedTuple

from sqlalchemy import Connection, text

SIDES = {
    "challenge": ("vector_challenges", "challenges"),
    "company": ("vector_companies", "company_profiles"),
}
"""Side -> (index table, the table of the rows it indexes)."""
DENSE = ("dense", "dense_en")
SPARSE = ("lexical", "cpv")
CHANNELS = DENSE + SPARSE
SPARSE_DIMENSIONS = 1_000_000_000
"""Every sparse vector is declared this wide (pgvector's limit), so a refit vocabulary or the
CPV hash width never changes a column's type."""


class Hnsw(NamedTuple):
    """The dense column's HNSW graph: `m` links a node (recall and size grow with it) and the
    candidates kept while it is built (`ef_construction`: recall and build time)."""

    m: int = 16
    ef_construction: int = 128

    @property
    def options(self) -> str:
        return f"m = {self.m}, ef_construction = {self.ef_construction}"


HNSW = Hnsw()


class VectorTables(NamedTuple):
    """What the migrations make the index tables with, when the caller asks for them: the
    dense columns' width and the HNSW graph's parameters."""

    dimensions: int
    hnsw: Hnsw = HNSW


VECTOR_TABLES = "vector_tables"
"""The key of a `VectorTables` in Alembic's `config.attributes` (`models.migrate.upgrade` sets
it); absent, the migrations make no index tables (the in-process index needs none)."""
POSTED = {"lexical": 1, "cpv": 2}
"""Sparse channels also kept as postings in `<table>_terms` (channel, term, id, weight), so a
query reads the postings of its own terms instead of scanning every row's `sparsevec`."""
POSTINGS_KEY = "channel, term, weight, id"
"""The postings' primary key: a term's postings in weight order, so an exact query reads all
of a term's postings from it and a large table's query only the heaviest (impact order,
read backwards), both index-only."""


def terms_table(table: str) -> str:
    return f"{table}_terms"


class PgvectorMissing(RuntimeError):
    """The PostgreSQL server cannot create the `vector` extension."""


def ensure_extension(connection: Connection) -> None:
    """Create pgvector, or say plainly why it cannot be."""
    if connection.dialect.name != "postgresql":
        raise PgvectorMissing(
            "KLIMATMATCH_INDEX_BACKEND=pgvector needs a PostgreSQL database "
            f"(KLIMATMATCH_DATABASE_URL is {connection.dialect.name})"
        )
    found = connection.scalar(
        text("SELECT default_version FROM pg_available_extensions WHERE name = 'vector'")
    )
    if found is None:
        version = connection.scalar(text("SHOW server_version"))
        raise PgvectorMissing(
            f"the PostgreSQL server ({version}) has no pgvector extension: install pgvector "
            "0.8 or later on it (managed services: enable the 'vector' extension), or set "
            "KLIMATMATCH_INDEX_BACKEND=memory"
        )
    connection.execute(text("CREATE EXTENSION IF NOT EXISTS vector"))


def create_tables(
    connection: Connection, dimensions: int, *, hnsw: Hnsw = HNSW, references: bool = True
) -> None:
    """The index tables and their HNSW indexes; a no-op for what exists already (a graph built
    with other parameters is rebuilt by `klimatmatch reindex`). Without `references`
    (benchmarks, evaluation) the rows need no challenge or profile behind them."""
    ensure_extension(connection)
    for table, rows in SIDES.values():
        key = f"REFERENCES {rows}(id) ON DELETE CASCADE" if references else ""
        connection.execute(
            text(
                f"""CREATE TABLE IF NOT EXISTS {table} (
                    id integer PRIMARY KEY {key},
                    row_version integer NOT NULL,
                    text text NOT NULL,
                    fields jsonb NOT NULL,
                    codes text[] NOT NULL,
                    tagged text[] NOT NULL,
                    dense vector({dimensions}),
                    dense_en vector({dimensions}),
                    lexical sparsevec,
                    cpv sparsevec
                )"""
            )
        )
        connection.execute(  # vectors inline, not in TOAST: an exact scan reads them ~4x faster
            text(
                f"ALTER TABLE {table} ALTER COLUMN dense SET STORAGE MAIN, "
                "ALTER COLUMN dense_en SET STORAGE MAIN"
            )
        )
        if hnsw_built(connection, table) is None:
            connection.execute(text(hnsw_index(table, hnsw)))
        connection.execute(
            text(
                f"""CREATE TABLE IF NOT EXISTS {terms_table(table)} (
                    channel smallint NOT NULL,
                    term integer NOT NULL,
                    id integer NOT NULL REFERENCES {table}(id) ON DELETE CASCADE,
                    weight real NOT NULL,
                    PRIMARY KEY ({POSTINGS_KEY})
                )"""
            )
        )
        connection.execute(
            text(f"CREATE INDEX IF NOT EXISTS {table}_terms_id ON {terms_table(table)} (id)")
        )
    connection.execute(
        text("CREATE TABLE IF NOT EXISTS vector_state (key text PRIMARY KEY, value bytea NOT NULL)")
    )


def create_if_asked(connection: Connection, attributes: Mapping[str, Any]) -> None:
    """The migrations' part (0009, 0011): the index tables on PostgreSQL when the caller
    passed `VectorTables` (a backend switched on later makes them at its start)."""
    asked = attributes.get(VECTOR_TABLES)
    if connection.dialect.name == "postgresql" and asked is not None:
        create_tables(connection, asked.dimensions, hnsw=asked.hnsw)


def drop_tables(connection: Connection) -> None:
    for table, _ in SIDES.values():
        connection.execute(text(f"DROP TABLE IF EXISTS {terms_table(table)}"))
        connection.execute(text(f"DROP TABLE IF EXISTS {table}"))
    connection.execute(text("DROP TABLE IF EXISTS vector_state"))


def dense_dimensions(connection: Connection) -> int | None:
    """The width of the existing `dense` column (None when the tables do not exist)."""
    return connection.scalar(
        text(
            "SELECT atttypmod FROM pg_attribute WHERE attrelid = to_regclass('vector_companies')"
            " AND attname = 'dense'"
        )
    )


def hnsw_index(
    table: str, hnsw: Hnsw, *, name: str | None = None, concurrently: bool = False
) -> str:
    """The statement that builds `table`'s dense graph (named `<table>_dense` unless `name`)."""
    how = "CONCURRENTLY " if concurrently else ""
    return (
        f"CREATE INDEX {how}{name or f'{table}_dense'} ON {table} "
        f"USING hnsw (dense vector_ip_ops) WITH ({hnsw.options})"
    )


def hnsw_built(connection: Connection, table: str) -> Hnsw | None:
    """The parameters `table`'s HNSW graph was built with (None: it has none)."""
    options = connection.scalar(
        text("SELECT reloptions FROM pg_class WHERE oid = to_regclass(:name)"),
        {"name": f"{table}_dense"},
    )
    if options is None:
        return None
    given = dict(option.split("=", 1) for option in options)
    return Hnsw(int(given.get("m", 16)), int(given.get("ef_construction", 64)))
