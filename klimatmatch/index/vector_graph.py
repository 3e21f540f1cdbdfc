"""The dense column's HNSW graph, built with the configured parameters.

Tables created by the migrations or a rebuild get `KLIMATMATCH_PGVECTOR_HNSW_M` and
`..._EF_CONSTRUCTION` at once. A graph that exists already keeps the parameters it was built
with until `klimatmatch reindex` rebuilds it: building one over 1M rows takes tens of minutes,
which no process should spend while starting. The rebuild is concurrent (`CREATE INDEX
CONCURRENTLY` beside the old graph, then a swap), so shortlists and writes go on meanwhile,
and an advisory lock lets one process do it while others wait and then find it done.
"""

from __future__ import annotations

import logging
import time

from sqlalchemy import Connection, Engine, text

from klimatmatch.core.settings import Settings
from models.vector_tables import SIDES, Hnsw, hnsw_built, hnsw_index

log = logging.getLogger("klimatmatch.vectors")
_LOCK = 0x6B6D_686E  # pg_advisory_lock key: one graph rebuild at a time, across processes


def stale_graphs(connection: Connection, wanted: Hnsw) -> dict[str, Hnsw]:
    """Index tables whose graph was built with other parameters than `wanted`, and those."""
    built = {table: hnsw_built(connection, table) for table, _ in SIDES.values()}
    return {table: b for table, b in built.items() if b is not None and b != wanted}


def configured(settings: Settings) -> Hnsw:
    """The graph the settings ask for (`KLIMATMATCH_PGVECTOR_HNSW_M`, `..._EF_CONSTRUCTION`)."""
    return Hnsw(settings.pgvector_hnsw_m, settings.pgvector_hnsw_ef_construction)


def warn_if_stale(connection: Connection, settings: Settings) -> None:
    wanted = configured(settings)
    for table, built in stale_graphs(connection, wanted).items():
        log.warning(
            "%s's HNSW graph was built with %s but the settings ask for %s: "
            "run `klimatmatch reindex` to rebuild it (concurrently: the service goes on)",
            table,
            built.options,
            wanted.options,
        )


def rebuild_graphs(db: Engine, wanted: Hnsw, memory: str = "1GB") -> dict[str, float]:
    """Rebuild every graph not built with `wanted`; seconds taken per table rebuilt."""
    taken: dict[str, float] = {}
    with db.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
        connection.execute(text("SELECT pg_advisory_lock(:key)"), {"key": _LOCK})
        try:
            for table, built in stale_graphs(connection, wanted).items():
                log.info(
                    "rebuilding %s's HNSW graph: %s -> %s", table, built.options, wanted.options
                )
                began = time.perf_counter()
                _swap_in(connection, table, wanted, memory)
                taken[table] = round(time.perf_counter() - began, 1)
                log.info("%s's HNSW graph rebuilt in %.0f s", table, taken[table])
        finally:
            connection.execute(text("SELECT pg_advisory_unlock(:key)"), {"key": _LOCK})
    return taken


def _swap_in(connection: Connection, table: str, wanted: Hnsw, memory: str) -> None:
    """The new graph beside the old one, then the old one dropped and the new one renamed; a
    half-built graph left by an interrupted rebuild is dropped first."""
    connection.execute(text(f"DROP INDEX CONCURRENTLY IF EXISTS {table}_dense_next"))
    connection.execute(text(f"SET maintenance_work_mem = '{memory}'"))
    connection.execute(
        text(hnsw_index(table, wanted, name=f"{table}_dense_next", concurrently=True))
    )
    connection.execute(text(f"DROP INDEX CONCURRENTLY {table}_dense"))
    connection.execute(text(f"ALTER INDEX {table}_dense_next RENAME TO {table}_dense"))
    connection.execute(text("RESET maintenance_work_mem"))
