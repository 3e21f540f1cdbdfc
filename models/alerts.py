"""Alerts: what a person is told (an inbox of notifications), how often they want e-mail about
it, and which published challenges still wait to be matched for alerts.

A notification is unique per (person, kind, item): a job that runs again after a crash or a
retry finds the row and creates no second one. Its e-mail state (`emailed_at`, attempts, last
error) lives on the row, so a digest marks each message sent right after the SMTP server
accepted it, and a restarted job sends only what is still unsent."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from sqlalchemy import DateTime, Float, ForeignKey, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from models.tables import Base, _enum, utcnow


class NotificationKind(StrEnum):
    MATCH = "match"
    """A newly published challenge fits one of the company's profiles (engine rank and score)."""
    INTEREST = "interest"
    """A company stated interest in the city's challenge."""
    ANSWER = "answer"
    """A company answered the workshop invitation to the city's challenge."""
    INVITATION = "invitation"
    """A coordinator invited the company to a challenge's workshop."""
    TEAM = "team"
    """A coordinator proposed a team the company is a member of."""
    STAGE = "stage"
    """A challenge the company takes part in moved on (shortlisting, workshop, closed)."""
    APPROVAL = "approval"
    """A coordinator approved the company's registration: its profiles are matched from now."""


class Frequency(StrEnum):
    IMMEDIATE = "immediate"
    DAILY = "daily"
    WEEKLY = "weekly"
    NEVER = "never"


class Notification(Base):
    __tablename__ = "notifications"
    __table_args__ = (
        UniqueConstraint("user_id", "kind", "item_key", name="uq_notifications_item"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    kind: Mapped[NotificationKind] = mapped_column(_enum(NotificationKind, "notification_kind"))
    item_key: Mapped[str] = mapped_column(String(100))
    """What the notification is about, e.g. "42:7" (challenge 42, profile 7): the unique key."""
    challenge_id: Mapped[int | None] = mapped_column(
        ForeignKey("challenges.id", ondelete="CASCADE"), index=True
    )
    company_id: Mapped[int | None] = mapped_column(
        ForeignKey("company_profiles.id", ondelete="CASCADE")
    )
    title: Mapped[str] = mapped_column(String(300))
    body: Mapped[str] = mapped_column(Text, default="")
    rank: Mapped[int | None] = mapped_column(Integer)
    score: Mapped[float | None] = mapped_column(Float)
    strength: Mapped[float | None] = mapped_column(Float)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    read_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    emailed_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), index=True)
    """When the SMTP server accepted the e-mail carrying it (alone or in a digest)."""
    email_attempts: Mapped[int] = mapped_column(Integer, default=0)
    email_error: Mapped[str] = mapped_column(String(500), default="")
    email_skipped: Mapped[bool] = mapped_column(default=False)
    """True when the person wanted no e-mail when it came: it stays in the inbox only."""


class AlertPreference(Base):
    """How often a person wants e-mail; no row means immediate. Every e-mail's unsubscribe link
    carries the random `unsubscribe_token`, so it works without signing in. It is kept as it
    is, not hashed: each new e-mail must carry it again, and all it unlocks is "no e-mail"."""

    __tablename__ = "alert_preferences"

    user_id: Mapped[int] = mapped_column(
        ForeignKey("users.id", ondelete="CASCADE"), primary_key=True
    )
    frequency: Mapped[Frequency] = mapped_column(
        _enum(Frequency, "alert_frequency"), default=Frequency.IMMEDIATE
    )
    unsubscribe_token: Mapped[str] = mapped_column(String(64), unique=True)
    updated_at: Mapped[datetime] = mapped_column(
        DateTime(timezone=True), default=utcnow, onupdate=utcnow
    )


class AlertMatch(Base):
    """A published challenge waiting for the alert job to rank companies for it: written in
    the same transaction as the publication (an outbox), so no publication is missed."""

    __tablename__ = "alert_matches"

    challenge_id: Mapped[int] = mapped_column(
        ForeignKey("challenges.id", ondelete="CASCADE"), primary_key=True
    )
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    matched_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), index=True)
