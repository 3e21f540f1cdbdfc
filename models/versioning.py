"""Every write to a challenge or a profile bumps the data version and records a change, in the
same transaction (ORM events), so each process can replay the writes of the others.

The version comes from the one `data_version` row, updated under its row lock (PostgreSQL) or
the database's write lock (SQLite, BEGIN IMMEDIATE): a transaction that writes holds it until
it commits, so versions follow commit order, and a rollback takes its version back. Whoever
has seen version N committed has seen every version before it: no gaps to wait for.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import event, insert, text, update
from sqlalchemy.orm import Session

from models.tables import Challenge, Change, CompanyProfile, DataVersion

_TRACKED = {Challenge: "challenge", CompanyProfile: "company"}
CHANNEL = "klimatmatch_changes"
"""The PostgreSQL NOTIFY channel that wakes the other processes (delivered at commit)."""
_PENDING = "klimatmatch.pending_changes"


def _touched(session: Session) -> list[Any]:
    objects = [obj for obj in [*session.new, *session.deleted] if type(obj) in _TRACKED]
    objects += [obj for obj in session.dirty if type(obj) in _TRACKED and session.is_modified(obj)]
    return objects


@event.listens_for(Session, "before_flush")
def _bump(session: Session, _context: Any, _instances: Any) -> None:
    objects = _touched(session)
    if not objects:
        return
    version = session.connection().scalar(
        update(DataVersion)
        .where(DataVersion.id == 1)
        .values(version=DataVersion.version + 1)
        .returning(DataVersion.version)
    )
    session.info[_PENDING] = (version, objects)


@event.listens_for(Session, "after_flush")
def _record(session: Session, _context: Any) -> None:
    """After the flush, new rows have their ids; the change rows join the same transaction."""
    pending = session.info.pop(_PENDING, None)
    if pending is None:
        return
    version, objects = pending
    keys = {(_TRACKED[type(obj)], obj.id) for obj in objects if obj.id is not None}
    if version is None or not keys:
        return
    connection = session.connection()
    connection.execute(
        insert(Change),
        [{"version": version, "kind": kind, "object_id": oid} for kind, oid in sorted(keys)],
    )
    if connection.dialect.name == "postgresql":
        connection.execute(text(f"NOTIFY {CHANNEL}"))
