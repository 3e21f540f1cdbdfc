"""The in-process index: each process holds it in memory, starts from the newest usable
snapshot (or a rebuild from rows) and follows the change log to see other processes' writes.
After a rebuild, the process writes a snapshot while it serves, so the next one starts fast."""

from __future__ import annotations

import contextlib
import ctypes
import gc
import logging
import threading

from sqlalchemy import Engine

from klimatmatch.core.settings import Settings
from klimatmatch.index import indexing, replication, snapshots
from klimatmatch.index.backend import NoIndexTables, Progress, Say, Started
from klimatmatch.index.embedding import build_engine
from matcher import Embedder, MatchEngine, snapshot
from models import create_db_engine, session_factory
from models.migrate import upgrade

log = logging.getLogger("klimatmatch.index")


class MemoryBackend:
    """`KLIMATMATCH_INDEX_BACKEND=memory`: the index in each process, a replica of the rows."""

    def __init__(self, settings: Settings) -> None:
        self.settings = settings

    def migrate(self, db: Engine) -> None:
        upgrade(db)

    def start(self, db: Engine, embedder: Embedder | None = None) -> Started:
        """From the newest usable snapshot plus the changes after it, or rebuilt from rows
        (cached vectors first); then followed, and snapshotted when it was rebuilt."""
        sessions = session_factory(db)
        engine = build_engine(self.settings, embedder)
        with sessions() as session:
            report = snapshots.start(settings=self.settings, session=session, engine=engine)
            session.commit()
        gc.collect()
        release_free_memory()
        log.info(
            "indexed %s challenges, %s companies in %.1f s (%s)",
            report.challenges,
            report.companies,
            report.seconds,
            report.source,
        )
        follower = replication.Follower(
            db,
            sessions,
            lambda: engine,
            report.version,
            poll_seconds=self.settings.replica_poll_seconds,
        )
        log.info("index at data version %s; following the change log", report.version)
        started = Started(sessions, engine, follower.start(), report)
        if report.source == "rebuild" and self._snapshots_of(engine):
            threading.Thread(target=self._write_snapshot, args=(started,), daemon=True).start()
        return started

    def reindex(self, say: Say, *, graphs_only: bool = False) -> None:
        """Embed what the cache lacks and rebuild (the serving processes rebuild at their next
        start or follow the rows; there are no graphs to rebuild alone)."""
        db = create_db_engine(self.settings.database_url)
        try:
            self.migrate(db)
            with session_factory(db)() as session:
                engine = build_engine(self.settings)
                report = indexing.rebuild(session=session, engine=engine, show_progress=True)
                session.commit()
        finally:
            db.dispose()
        say(str(report))

    def snapshot(self, progress: Progress | None = None) -> str:
        """A snapshot from a process of its own (`snapshot.SnapshotError` when it cannot be)."""
        return "snapshot " + snapshots.describe(snapshots.write_snapshot(self.settings, progress))

    def tables(self) -> Engine:
        raise NoIndexTables(
            "KLIMATMATCH_INDEX_BACKEND is not pgvector: the index lives in each process"
        )

    def _snapshots_of(self, engine: MatchEngine) -> bool:
        """Whether a snapshot of `engine` is wanted and can be written."""
        wanted = self.settings.snapshots and not engine.degraded
        return wanted and snapshot.unsavable(engine) is None

    def _write_snapshot(self, started: Started) -> None:
        """The next process on this machine starts from this rebuild (written while serving)."""
        try:
            with started.sessions() as session:
                identity = snapshots.database_identity(session=session)
            version = started.follower.applied  # read before copying: the copy holds at least this
            snapshots.write(
                settings=self.settings,
                engine=started.engine,
                version=version,
                database_id=identity,
            )
        except Exception:  # a read-only or full disk costs the next start its speed, nothing else
            log.exception("could not write a snapshot of the index")


def release_free_memory() -> None:
    """Hand the memory freed after indexing (rows, intermediate matrices) back to the OS;
    glibc keeps it otherwise, and a 100k-profile start-up would look 2x its working size."""
    with contextlib.suppress(OSError, AttributeError):  # not glibc: nothing to do
        ctypes.CDLL("libc.so.6").malloc_trim(0)
