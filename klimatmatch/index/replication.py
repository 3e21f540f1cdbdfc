"""Each process's in-memory index as a replica of the database: it replays the change log.

Every write to a challenge or profile records a change at a data version in its own
transaction (`models.versioning`). A follower thread applies the changes after the version its
index was built from: woken by PostgreSQL's LISTEN/NOTIFY and polling as a fallback (SQLite
only polls). Applying is idempotent (a profile is re-read and upserted, or removed), so a
process may replay its own writes, restart, or have been down while others wrote.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
from datetime import UTC, datetime, timedelta

from sqlalchemy import Engine, delete, select
from sqlalchemy.orm import Session, sessionmaker

from klimatmatch.index import indexing
from matcher import MatchEngine
from models import Challenge, Change, CompanyProfile
from models.tables import DataVersion
from models.versioning import CHANNEL

log = logging.getLogger("klimatmatch.replication")


def current_version(*, session: Session) -> int:
    return int(session.scalar(select(DataVersion.version).where(DataVersion.id == 1)) or 0)


def apply_changes(*, session: Session, engine: MatchEngine, after: int, upto: int) -> int:
    """Apply the changes with `after` < version <= `upto` (versions have no gaps, so the
    range is exact); returns the number of objects applied."""
    rows = session.execute(
        select(Change.kind, Change.object_id).where(Change.version > after, Change.version <= upto)
    ).all()
    ids = {"challenge": set(), "company": set()}
    for kind, object_id in rows:
        ids[kind].add(object_id)
    challenges = _rows(session, Challenge, ids["challenge"])
    companies = _rows(session, CompanyProfile, ids["company"])
    for object_id in ids["challenge"] - {c.id for c in challenges}:
        engine.remove("challenge", object_id)
    for object_id in ids["company"] - {c.id for c in companies}:
        engine.remove("company", object_id)
    indexing.apply_rows(session=session, engine=engine, challenges=challenges, companies=companies)
    return len(ids["challenge"]) + len(ids["company"])


def _rows(session: Session, table: type, ids: set[int]) -> list:
    found = []
    wanted = sorted(ids)
    for start in range(0, len(wanted), 500):
        found += session.scalars(select(table).where(table.id.in_(wanted[start : start + 500])))
    return found


class Follower:
    """A daemon thread that keeps one engine in step with the database.

    `applied` is the version the index reflects; `lag` how many versions it is behind (for
    /health and /metrics). `engine_of` is read at every step, so a reindex that swaps the
    engine's contents is followed too."""

    def __init__(
        self,
        db: Engine,
        sessions: sessionmaker[Session],
        engine_of: Callable[[], MatchEngine],
        applied: int,
        *,
        poll_seconds: float = 0.2,
        batch_versions: int = 500,
        keep: timedelta = timedelta(days=7),
    ) -> None:
        self.db = db
        self.sessions = sessions
        self.engine_of = engine_of
        self.applied = applied
        self.latest = applied
        self.poll_seconds = poll_seconds
        self.batch_versions = batch_versions
        self.keep = keep
        self._pruned_at = 0.0
        self._stop = threading.Event()
        self._wake = threading.Event()
        self._threads: list[threading.Thread] = []

    @property
    def lag(self) -> int:
        return max(self.latest - self.applied, 0)

    def start(self) -> Follower:
        self._threads = [threading.Thread(target=self._run, name="replica", daemon=True)]
        if self.db.dialect.name == "postgresql":
            self._threads.append(
                threading.Thread(target=self._listen, name="replica-listen", daemon=True)
            )
        for thread in self._threads:
            thread.start()
        return self

    def stop(self) -> None:
        self._stop.set()
        self._wake.set()
        for thread in self._threads:
            thread.join(timeout=5)

    def step(self) -> int:
        """Apply what is new; returns the number of objects applied."""
        with self.sessions() as session:
            self.latest = current_version(session=session)
            if self.latest <= self.applied:
                return 0
            upto = min(self.latest, self.applied + self.batch_versions)
            count = apply_changes(
                session=session, engine=self.engine_of(), after=self.applied, upto=upto
            )
            session.commit()
        self.applied = upto
        return max(count, 1)

    def _run(self) -> None:
        while not self._stop.is_set():
            try:
                while self.step():
                    pass
                self._prune_hourly()
            except Exception:  # a database outage must not end the thread
                log.exception("replica: could not apply changes; retrying")
                self._stop.wait(1.0)
            self._wake.wait(self.poll_seconds)
            self._wake.clear()

    def _prune_hourly(self) -> None:
        if time.monotonic() - self._pruned_at < 3600:
            return
        self._pruned_at = time.monotonic()
        with self.sessions() as session:
            removed = prune(session=session, older_than=self.keep, keep_after=self.applied)
            session.commit()
        if removed:
            log.info("replica: pruned %s changes older than %s", removed, self.keep)

    def _listen(self) -> None:
        """PostgreSQL: a connection that only listens, waking the follower at each commit."""
        while not self._stop.is_set():
            try:
                with self.db.connect() as connection:
                    raw = connection.connection.driver_connection
                    raw.autocommit = True
                    raw.execute(f"LISTEN {CHANNEL}")
                    while not self._stop.is_set():
                        for _ in raw.notifies(timeout=1.0, stop_after=1):
                            self._wake.set()
            except Exception:
                log.warning("replica: LISTEN connection lost; polling until it is back")
                self._stop.wait(1.0)


def prune(*, session: Session, older_than: timedelta, keep_after: int) -> int:
    """Delete changes older than `older_than` that this process has applied (`keep_after`);
    returns how many. Running processes are seconds behind; a starting one replays the log
    from its snapshot's version, and rebuilds from rows when the log no longer reaches back
    that far (so snapshots should be younger than `older_than`: write one daily)."""
    cutoff = datetime.now(UTC) - older_than
    result = session.execute(
        delete(Change).where(Change.created_at < cutoff, Change.version <= keep_after)
    )
    return int(result.rowcount or 0)
