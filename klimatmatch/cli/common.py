"""What the `klimatmatch` commands share: the console, a migrated session, a clean failure."""

from __future__ import annotations

import typer
from rich.console import Console
from rich.table import Table
from sqlalchemy.orm import Session

from klimatmatch.core import strength
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


def _strength(value: float | None) -> str:
    """As the pages write it: the word and the percentage."""
    level = strength.level_of(value)
    return "-" if level is None or value is None else f"{level.value} {strength.percent(value)}%"


def print_shortlist(title: str, matches: list, caption: str = "") -> None:
    """A shortlist as a table: rank, company, country, strength and why."""
    table = Table(title=title, caption=caption, title_justify="left", expand=False)
    table.add_column("#", justify="right")
    table.add_column("company")
    table.add_column("country")
    table.add_column("strength", justify="right")
    table.add_column("why", overflow="fold", max_width=70)
    for m in matches:
        why = m.explanation.one_line(70) if m.explanation else ""
        name = m.document.text.split(". ", 1)[0]
        table.add_row(
            str(m.rank), name, m.document.fields.get("country", ""), _strength(m.strength), why
        )
    console.print(table)
