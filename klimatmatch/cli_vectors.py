"""`klimatmatch vectors` and `reindex` on the pgvector backend: the index tables, their HNSW
graphs and how much of them PostgreSQL holds in its own cache."""

from __future__ import annotations

import typer
from rich.table import Table
from sqlalchemy import Engine

from klimatmatch.cli_common import console
from klimatmatch.settings import Settings, get_settings
from models import create_db_engine

vectors_app = typer.Typer(
    help="The pgvector index (KLIMATMATCH_INDEX_BACKEND=pgvector): its size against "
    "PostgreSQL's shared_buffers, and loading it there.",
    no_args_is_help=True,
)


def ready_db(settings: Settings) -> Engine:
    """The database migrated, with the index tables and pgvector's types (a clear error when
    the backend is not pgvector or the server lacks it)."""
    from klimatmatch.services import vector_backend
    from models.migrate import upgrade

    if settings.index_backend != "pgvector":
        console.print("[red]error:[/red] KLIMATMATCH_INDEX_BACKEND is not pgvector")
        raise typer.Exit(code=2)
    db = create_db_engine(settings.database_url)
    upgrade(db)
    vector_backend.prepare(db, settings)
    return db


def reindex_pgvector(settings: Settings, graphs_only: bool) -> None:
    """Rewrite the index tables from the application's rows (unless `graphs_only`), then
    rebuild any HNSW graph built with other parameters than the settings'."""
    from klimatmatch.embedding import build_engine
    from klimatmatch.services import vector_backend, vector_graph, vector_sync
    from models import session_factory
    from models.vector_tables import Hnsw

    db = ready_db(settings)
    if not graphs_only:
        engine = build_engine(settings, indexes=vector_backend.indexes(db, settings))
        with session_factory(db)() as session:
            report = vector_sync.rebuild(session=session, engine=engine)
            session.commit()
        console.print(f"indexed {report.challenges} challenges and {report.companies} companies")
    wanted = Hnsw.from_settings(settings)
    for table, seconds in vector_graph.rebuild_graphs(db, wanted).items():
        console.print(f"{table}: HNSW graph rebuilt with {wanted.options} in {seconds:.0f} s")


@vectors_app.command()
def status() -> None:
    """Each index table's HNSW graph and rows against the server's shared_buffers; exits 1
    when the graphs do not fit (searches then read pages from outside PostgreSQL's cache)."""
    from klimatmatch.services import vector_memory

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

    from klimatmatch.services import vector_memory

    db = ready_db(get_settings())
    try:
        with db.begin() as connection:
            loaded = vector_memory.prewarm(connection)
    except DBAPIError as error:  # the extension missing or not allowed
        console.print(f"[red]error:[/red] {error.orig}", highlight=False)
        raise typer.Exit(code=2) from error
    for relation, pages in loaded.items():
        console.print(f"{relation}: {pages:,} pages ({pages * 8 / 1024:,.1f} MiB)")
