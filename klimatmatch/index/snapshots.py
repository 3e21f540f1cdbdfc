"""A process's index from the newest usable snapshot plus the changes after it, instead of a
rebuild from every row (100k profiles: seconds instead of minutes).

A snapshot is used only if it was made for this database (its random identity), by an engine
with the same models and analysis code, at a data version the change log still covers; anything
else is skipped with the reason logged, and with none left the index is rebuilt from rows.
"""

from __future__ import annotations

import logging
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field

from sqlalchemy import Engine, func, select, update
from sqlalchemy.orm import Session

from klimatmatch.core.settings import Settings
from klimatmatch.index import indexing
from klimatmatch.index.embedding import build_engine
from klimatmatch.index.replication import apply_changes, current_version
from matcher import MatchEngine
from matcher.snapshot import Snapshot, SnapshotError, available, load, prune, refusal, save
from matcher.snapshot import source_digest as _digest
from models import Change, create_db_engine, session_factory
from models.migrate import upgrade
from models.tables import DataVersion

log = logging.getLogger("klimatmatch.snapshots")
DOCUMENTS = "indexing:" + _digest(indexing)
"""The code that turns rows into documents is part of what a snapshot was built with."""
CATCH_UP_BATCH = 1000


@dataclass(frozen=True)
class StartReport:
    source: str
    """'snapshot <folder>' or 'rebuild'."""
    version: int
    """The data version the index reflects (changes after it are the follower's)."""
    challenges: int
    companies: int
    seconds: float
    skipped: list[str] = field(default_factory=list)
    """Why newer snapshots were not used."""


def database_identity(*, session: Session) -> str:
    """The database's random id (set by migration 0006; set here if a restore left none)."""
    identity = session.scalar(select(DataVersion.database_id).where(DataVersion.id == 1))
    if identity:
        return identity
    identity = str(uuid.uuid4())
    session.execute(
        update(DataVersion)
        .where(DataVersion.id == 1, DataVersion.database_id.is_(None))
        .values(database_id=identity)
    )
    session.commit()
    return session.scalar(select(DataVersion.database_id).where(DataVersion.id == 1)) or identity


def staleness(
    snapshot: Snapshot, *, session: Session, database_id: str, current: int
) -> str | None:
    """Why the snapshot cannot be brought up to date from the change log, or None."""
    if snapshot.meta.get("database_id") != database_id:
        return "made for another database"
    version = int(snapshot.meta.get("data_version", -1))
    if version < 0 or version > current:
        return f"at version {version}, the database is at {current} (restored?)"
    present = session.scalar(
        select(func.count(func.distinct(Change.version))).where(
            Change.version > version, Change.version <= current
        )
    )
    if present != current - version:
        return f"the change log no longer reaches back to version {version}"
    return None


def start(
    *, settings: Settings, session: Session, engine: MatchEngine, show_progress: bool = False
) -> StartReport:
    """Fill `engine`: the newest usable snapshot caught up to now, or a rebuild."""
    began = time.perf_counter()
    # read first: a write committed meanwhile has a later version and is the follower's
    current = current_version(session=session)
    skipped: list[str] = []
    if settings.snapshots:
        identity = database_identity(session=session)
        for snapshot in available(settings.snapshot_dir):
            reason = staleness(
                snapshot, session=session, database_id=identity, current=current
            ) or refusal(engine, snapshot, DOCUMENTS)
            if reason is None:
                try:
                    load(engine, snapshot, DOCUMENTS)
                except SnapshotError as error:
                    reason = str(error)
            if reason is not None:
                skipped.append(f"{snapshot.folder.name}: {reason}")
                log.warning("snapshot %s not used: %s", snapshot.folder.name, reason)
                continue
            version = int(snapshot.meta["data_version"])
            applied = catch_up(session=session, engine=engine, after=version, upto=current)
            log.info(
                "index from snapshot %s (version %s) plus %s changed objects up to version %s",
                snapshot.folder.name,
                version,
                applied,
                current,
            )
            return _report(f"snapshot {snapshot.folder.name}", current, engine, began, skipped)
    indexing.rebuild(session=session, engine=engine, show_progress=show_progress)
    return _report("rebuild", current, engine, began, skipped)


def catch_up(*, session: Session, engine: MatchEngine, after: int, upto: int) -> int:
    applied = 0
    for start_version in range(after, upto, CATCH_UP_BATCH):
        end = min(upto, start_version + CATCH_UP_BATCH)
        applied += apply_changes(session=session, engine=engine, after=start_version, upto=end)
    return applied


def write(*, settings: Settings, engine: MatchEngine, version: int, database_id: str) -> Snapshot:
    """Save the engine's index as covering `version` (its contents must include every change
    up to it; later ones are harmless, replaying is idempotent), and prune old snapshots."""
    snapshot = save(
        engine,
        settings.snapshot_dir,
        {"data_version": version, "database_id": database_id},
        DOCUMENTS,
    )
    removed = prune(settings.snapshot_dir)
    log.info(
        "snapshot %s written at version %s (%s older removed)",
        snapshot.folder.name,
        version,
        removed,
    )
    return snapshot


def describe(snapshot: Snapshot) -> str:
    """One line for people: folder, version and what it holds."""
    counts = snapshot.manifest.get("counts", {})
    return (
        f"{snapshot.folder.name} at version {snapshot.meta.get('data_version')}: "
        f"{counts.get('challenge', 0)} challenges, {counts.get('company', 0)} companies"
    )


def write_snapshot(
    settings: Settings, progress: Callable[[int, int, str], None] | None = None
) -> Snapshot:
    """A fresh snapshot from a process of its own (CLI, job worker): the newest snapshot
    caught up, or a rebuild, saved at the version read before it started."""
    db: Engine = create_db_engine(settings.database_url)
    try:
        upgrade(db)
        engine = build_engine(settings)
        if engine.degraded:
            raise SnapshotError(f"not writing a snapshot of a degraded engine: {engine.degraded}")
        with session_factory(db)() as session:
            if progress:
                progress(0, 2, "loading the index")
            report = start(settings=settings, session=session, engine=engine)
            identity = database_identity(session=session)
            session.commit()
        if progress:
            progress(1, 2, f"writing ({report.companies} profiles)")
        snapshot = write(
            settings=settings, engine=engine, version=report.version, database_id=identity
        )
        if progress:
            progress(2, 2, snapshot.folder.name)
        return snapshot
    finally:
        db.dispose()


def _report(
    source: str, version: int, engine: MatchEngine, began: float, skipped: list[str]
) -> StartReport:
    return StartReport(
        source=source,
        version=version,
        challenges=len(engine.challenges),
        companies=len(engine.companies),
        seconds=round(time.perf_counter() - began, 2),
        skipped=skipped,
    )
