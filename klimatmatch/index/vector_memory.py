"""Whether the pgvector index fits in PostgreSQL's shared buffers, and loading it there.

A graph search at ef_search 400 reads thousands of index pages and then the rows it found.
From shared buffers that is a memory read; from the operating system's cache it is a system
call and a copy per 8 kB page, which at 1M profiles costs more than the search itself; from
disk it is far slower still. pgvector's advice is to size `shared_buffers` to hold the graph,
so the service warns at start when it does not, and `klimatmatch vectors prewarm` loads the graphs
(and the rows, where they fit too) after a server restart with `pg_prewarm`, so the first
users after it do not pay for an empty cache.
"""

from __future__ import annotations

import logging

from sqlalchemy import Connection, text

from models.vector_tables import SIDES

log = logging.getLogger("klimatmatch.vectors")


def shared_buffers(connection: Connection) -> int:
    """The server's `shared_buffers`, in bytes."""
    return int(
        connection.scalar(
            text(
                "SELECT setting::bigint * current_setting('block_size')::bigint "
                "FROM pg_settings WHERE name = 'shared_buffers'"
            )
        )
    )


def index_sizes(connection: Connection) -> dict[str, tuple[int, int]]:
    """Per index table that exists: (bytes of its HNSW graph, bytes of its rows with their
    TOAST); the postings table is left out: a query reads only its terms' heaviest."""
    sizes: dict[str, tuple[int, int]] = {}
    for table, _ in SIDES.values():
        graph = connection.scalar(
            text("SELECT pg_relation_size(to_regclass(:name))"), {"name": f"{table}_dense"}
        )
        if graph is not None:
            rows = connection.scalar(text(f"SELECT pg_table_size('{table}')"))
            sizes[table] = (int(graph), int(rows))
    return sizes


def warn_if_uncached(connection: Connection) -> bool:
    """Whether the graphs fit in shared buffers; a warning logged when they do not."""
    return fits(index_sizes(connection), shared_buffers(connection))


def fits(sizes: dict[str, tuple[int, int]], buffers: int) -> bool:
    """`warn_if_uncached` on sizes and buffers read already (`klimatmatch vectors status`)."""
    graphs = sum(graph for graph, _ in sizes.values())
    if graphs <= buffers:
        return True
    log.warning(
        "the HNSW graphs take %s but the server's shared_buffers is %s: every search reads "
        "pages from outside PostgreSQL's cache (slower by several times at 1M profiles); "
        "raise shared_buffers to at least %s (the README's sizing)",
        _mib(graphs),
        _mib(buffers),
        _mib(int(graphs * 1.25)),
    )
    return False


def prewarm(connection: Connection) -> dict[str, int]:
    """Load the graphs into shared buffers, and the rows too while the total fits in three
    quarters of them (a quarter stays for the rest: postings, the service's own tables); pages
    loaded per relation. Needs the `pg_prewarm` extension, which the server's owner may have
    to allow on a managed service."""
    connection.execute(text("CREATE EXTENSION IF NOT EXISTS pg_prewarm"))
    budget = shared_buffers(connection) * 3 // 4
    loaded: dict[str, int] = {}
    sizes = index_sizes(connection)
    for table, (graph, _) in sizes.items():  # graphs first: every search walks them
        if graph <= budget:
            loaded[f"{table}_dense"] = _load(connection, f"{table}_dense")
            budget -= graph
    for table, (_, rows) in sizes.items():
        if rows <= budget:
            loaded[table] = _load(connection, table)
            budget -= rows
    skipped = {f"{t}_dense" for t in sizes} | set(sizes)
    for name in sorted(skipped - set(loaded)):
        log.warning("%s not prewarmed: it does not fit in three quarters of shared_buffers", name)
    return loaded


def _load(connection: Connection, relation: str) -> int:
    blocks = int(connection.scalar(text("SELECT pg_prewarm(:r)"), {"r": relation}))
    log.info("prewarmed %s: %s pages", relation, f"{blocks:,}")
    return blocks


def _mib(size: int) -> str:
    return f"{size / 2**20:,.0f} MiB"
