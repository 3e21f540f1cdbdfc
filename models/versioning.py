"""Bumps the data version whenever a challenge or company profile is written (ORM event)."""

from __future__ import annotations

from typing import Any

from sqlalchemy import event, update
from sqlalchemy.orm import Session

from models.tables import Challenge, CompanyProfile, DataVersion

_TRACKED = (Challenge, CompanyProfile)


@event.listens_for(Session, "before_flush")
def _bump(session: Session, _context: Any, _instances: Any) -> None:
    touched = (
        any(isinstance(obj, _TRACKED) for obj in session.new)
        or any(isinstance(obj, _TRACKED) for obj in session.deleted)
        or any(isinstance(obj, _TRACKED) and session.is_modified(obj) for obj in session.dirty)
    )
    if touched:
        session.connection().execute(
            update(DataVersion).where(DataVersion.id == 1).values(version=DataVersion.version + 1)
        )
