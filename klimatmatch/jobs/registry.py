"""The registry of job kinds, and nothing else: each domain's tasks module registers its kinds
here with `register`, and `klimatmatch.tasks` imports every such module, so a process
that runs jobs imports that one module and registration runs one way (no handler is imported
by the registry). A deployment (or a test) adds its own kinds the same way and loads the
module in the worker with `klimatmatch worker --module`.

Every handler is idempotent, because a job may run again after a worker crash or a retry. A
handler gets a `JobContext` and returns a one-line summary for the job's row.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from sqlalchemy.orm import Session, sessionmaker

from klimatmatch.core.settings import Settings
from klimatmatch.jobs.progress import Progress


@dataclass
class JobContext:
    """What a handler gets. Report progress only outside a transaction of your own: SQLite
    has one writer, and the progress is written in a session of its own."""

    settings: Settings
    sessions: sessionmaker[Session]
    arguments: dict[str, Any]
    progress: Progress


Handler = Callable[[JobContext], str]


@dataclass(frozen=True)
class Kind:
    name: str
    handler: Handler
    unit: str
    """What `done` and `total` count ("texts", "rows", "steps", "items"), shown beside them."""
    needs_file: bool = False
    suffixes: tuple[str, ...] = ()
    """The file types a kind that needs a file reads (".csv", ...)."""


KINDS: dict[str, Kind] = {}


def register(
    name: str,
    *,
    unit: str = "items",
    needs_file: bool = False,
    suffixes: tuple[str, ...] = (),
) -> Callable:
    """Add a kind of job (a decorator over its handler)."""

    def decorate(handler: Handler) -> Handler:
        KINDS[name] = Kind(name, handler, unit, needs_file, suffixes)
        return handler

    return decorate
