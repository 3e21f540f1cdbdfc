"""The OCDS releases emitted for each published challenge (klimatmatch.ocds writes them).

A release is never changed once written: each publication, edit or stage move of a published
challenge adds one, numbered per challenge. The row keeps the release as emitted except its
`ocid` and `id`, which carry the publisher's prefix and are put on when it is served."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, DateTime, ForeignKey, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from models.tables import Base, utcnow


class OcdsRelease(Base):
    __tablename__ = "ocds_releases"
    __table_args__ = (UniqueConstraint("challenge_id", "sequence", name="uq_ocds_releases_number"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    challenge_id: Mapped[int] = mapped_column(
        ForeignKey("challenges.id", ondelete="CASCADE"), index=True
    )
    sequence: Mapped[int] = mapped_column(Integer)
    """1 for the challenge's first release; the release id is `<ocid>-<sequence>`."""
    tag: Mapped[str] = mapped_column(String(24))
    """`planning` for the first, `planningUpdate` for every later one."""
    date: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow, index=True)
    release: Mapped[dict[str, Any]] = mapped_column(JSON)
