"""What every index backend does for the processes that use it, and what its start hands over.

A backend is picked once, from the settings, in `registry.backend_for`; its callers (the
service's start-up, the CLI, the jobs) never ask which one it is. Searching and writing rows
go through the engine the backend built (`matcher.backends`, `services.indexing.RowStore`).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Protocol, runtime_checkable

from sqlalchemy import Engine
from sqlalchemy.orm import Session, sessionmaker

from klimatmatch.core.settings import Settings
from klimatmatch.index.snapshots import StartReport
from matcher import Embedder, MatchEngine

Say = Callable[[str], None]
"""Where a command's lines for people go (the CLI's console)."""
Progress = Callable[[int, int, str], None]
"""(done, total, message), as a job reports it."""


class IndexFollower(Protocol):
    """What keeps a process's index current and says how current it is: the change-log
    `replication.Follower` (in-process index) or `vector_sync.Current` (pgvector, never
    behind)."""

    @property
    def applied(self) -> int: ...

    @property
    def lag(self) -> int: ...

    def stop(self) -> None: ...


@dataclass(frozen=True)
class Started:
    """A serving process's index, filled and followed: what `api.state.AppState` keeps."""

    sessions: sessionmaker[Session]
    engine: MatchEngine
    follower: IndexFollower
    report: StartReport


class NoIndexTables(RuntimeError):
    """The backend keeps no tables in the database (`klimatmatch vectors` has nothing to show)."""


@runtime_checkable
class IndexBackend(Protocol):
    """One way to keep the index; `registry.BACKENDS` maps the setting's value to its class,
    made with the settings."""

    settings: Settings

    def __init__(self, settings: Settings) -> None: ...

    def migrate(self, db: Engine) -> None:
        """The schema at head, with the tables this backend keeps (if any)."""

    def start(self, db: Engine, embedder: Embedder | None = None) -> Started:
        """Fill the index of a serving process (`db` migrated) and keep it current."""

    def reindex(self, say: Say, *, graphs_only: bool = False) -> None:
        """Rebuild the index from the rows, for `klimatmatch reindex` (`graphs_only`: only
        graphs built with other parameters than the settings', where there are graphs)."""

    def snapshot(self, progress: Progress | None = None) -> str:
        """Write a snapshot of the index where the backend uses them; a line for people."""

    def tables(self) -> Engine:
        """The database, migrated, with the index's tables ready (`klimatmatch vectors`);
        `NoIndexTables` when the index lives in the process."""
