"""What the `klimatmatch` commands share: the console, a migrated session, a clean failure."""

from __future__ import annotations

import typer
from rich.console import Console
from sqlalchemy.orm import Session

from klimatmatch.core.errors import KlimatmatchError
from klimatmatch.core.settings import Settings
from klimatmatch.index.registry import migrate
from models import create_db_engine, session_factory

console = Console()


def sessions(settings: Settings) -> Session:
    db = create_db_engine(settings.database_url)
    migrate(db, settings)
    return session_factory(db)()


def fail(error: KlimatmatchError) -> typer.Exit:
    console.print(f"[red]error:[/red] {error.message}", highlight=False)
    return typer.Exit(code=2)
