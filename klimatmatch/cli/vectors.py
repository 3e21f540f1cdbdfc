"""`klimatmatch vectors` on the pgvector backend: the index tables' HNSW graphs and rows
against PostgreSQL's own cache, and loading them there."""

from __future__ import annotations

import typer
from rich.table import Table
from sqlalchemy import Engine

from klimatmatch.cli.common import console
from klimatmatch.core.settings import Settings, get_settings
from klimatmatch.index.backend import NoIndexTables
from klimatmatch.index.registry import backend_for

vectors_app = typer.Typer(
    help="The pgvector index (KLIMATMATCH_INDEX_BACKEND=pgvector): its size against "
    "PostgreSQL's shared_buffers, and loading it there.",
    no_args_is_help=True,
)


def ready_db(settings: Settings) -> Engine:
    """The database migrated, with the index tables and pgvector's types (a clear error when
    the backend keeps no tables or the server lacks pgvector)."""
    try:
        return backend_for(settings).tables()
    except NoIndexTables as error:
        console.print(f"[red]error:[/red] {error}", highlight=False)
        raise typer.Exit(code=2) from error


@vectors_app.command()
def status() -> None:
    """Each index table's HNSW graph and rows against the server's shared_buffers; exits 1
    when the graphs do not fit (searches then read pages from outside PostgreSQL's cache)."""
    from klimatmatch.index import vector_memory

    db = ready_db(get_settings())
    with db.connect() as connection:
        sizes = vector_memory.index_sizes(connection)
        buffers = vector_memory.shared_buffers(connection)
    table = Table(title=f"shared_buffers {buffers / 2**20:,.0f} MiB", title_justify="left")
    for column in ("table", "HNSW graph MiB", "rows MiB"):
        table.add_column(column, justify="left" if column == "table" else "right")
    for name, (graph, rows) in sizes.items():
        table.add_row(name, f"{graph / 2**20:,.1f}", f"{rows / 2**20:,.1f}")
    console.print(table)
    fits = vector_memory.fits(sizes, buffers)
    console.print("the graphs fit" if fits else "[red]the graphs do not fit[/red]")
    if not fits:
        raise typer.Exit(code=1)


@vectors_app.command()
def prewarm() -> None:
    """Load the HNSW graphs (and the rows, where they fit) into shared_buffers with
    pg_prewarm, e.g. after the server restarted; see the README for autoprewarm."""
    from sqlalchemy.exc import DBAPIError

    from klimatmatch.index import vector_memory

    db = ready_db(get_settings())
    try:
        with db.begin() as connection:
            loaded = vector_memory.prewarm(connection)
    except DBAPIError as error:  # the extension missing or not allowed
        console.print(f"[red]error:[/red] {error.orig}", highlight=False)
        raise typer.Exit(code=2) from error
    for relation, pages in loaded.items():
        console.print(f"{relation}: {pages:,} pages ({pages * 8 / 1024:,.1f} MiB)")
