"""What matching served and what coordinators decided: match runs and their results, reviews
(the labels the re-ranker learns from) and the trained re-rankers."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import (
    JSON,
    DateTime,
    Float,
    ForeignKey,
    Integer,
    LargeBinary,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from models.tables import Base, Decision, Direction, _enum, utcnow


class RunReason(StrEnum):
    """Why a ranking was stored as a run: someone acted on it."""

    SERVED = "served"
    """Stored when viewed, before revision 0016."""
    FROZEN = "frozen"
    EXPORTED = "exported"
    REVIEWED = "reviewed"
    INVITED = "invited"
    ALERTED = "alerted"


class MatchRun(Base):
    """One shortlist as it was served: enough to reproduce what a coordinator reviewed."""

    __tablename__ = "match_runs"

    id: Mapped[int] = mapped_column(primary_key=True)
    direction: Mapped[Direction] = mapped_column(_enum(Direction, "match_direction"))
    subject_id: Mapped[int] = mapped_column(Integer, index=True)
    model: Mapped[str] = mapped_column(String(300))
    parameters: Mapped[dict[str, Any]] = mapped_column(default=dict)
    data_version: Mapped[str] = mapped_column(String(100))
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    reason: Mapped[RunReason] = mapped_column(
        _enum(RunReason, "run_reason"), default=RunReason.FROZEN, server_default="served"
    )
    """The act that stored it: viewing a shortlist stores nothing."""

    results: Mapped[list[MatchResult]] = relationship(
        back_populates="run", order_by="MatchResult.rank", cascade="all, delete-orphan"
    )


class MatchResult(Base):
    __tablename__ = "match_results"
    __table_args__ = (UniqueConstraint("run_id", "rank", name="uq_match_results_run_rank"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    run_id: Mapped[int] = mapped_column(ForeignKey("match_runs.id", ondelete="CASCADE"), index=True)
    rank: Mapped[int] = mapped_column(Integer)
    challenge_id: Mapped[int] = mapped_column(ForeignKey("challenges.id", ondelete="CASCADE"))
    company_id: Mapped[int] = mapped_column(ForeignKey("company_profiles.id", ondelete="CASCADE"))
    score: Mapped[float] = mapped_column(Float)
    strength: Mapped[float | None] = mapped_column(Float)
    """Calibrated probability that the pair is relevant (None: stored before 0016)."""
    components: Mapped[dict[str, Any]] = mapped_column(default=dict)
    explanation: Mapped[dict[str, Any]] = mapped_column(default=dict)

    run: Mapped[MatchRun] = relationship(back_populates="results")


class Review(Base):
    """A coordinator's decision on a (challenge, company) pair. Rows are never updated:
    each change is a new row, so the history of who decided what, and when, is kept."""

    __tablename__ = "reviews"

    id: Mapped[int] = mapped_column(primary_key=True)
    challenge_id: Mapped[int] = mapped_column(
        ForeignKey("challenges.id", ondelete="CASCADE"), index=True
    )
    company_id: Mapped[int] = mapped_column(
        ForeignKey("company_profiles.id", ondelete="CASCADE"), index=True
    )
    match_result_id: Mapped[int | None] = mapped_column(
        ForeignKey("match_results.id", ondelete="SET NULL")
    )
    reviewer: Mapped[str] = mapped_column(String(200))
    reviewer_id: Mapped[int | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL"), index=True
    )
    decision: Mapped[Decision] = mapped_column(_enum(Decision, "review_decision"))
    reason: Mapped[str] = mapped_column(String(300), default="")
    note: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


class RerankerModel(Base):
    """A trained re-ranker, versioned; match runs record the version that ranked them."""

    __tablename__ = "rerankers"

    id: Mapped[int] = mapped_column(primary_key=True)
    version: Mapped[str] = mapped_column(String(100), unique=True)
    n_examples: Mapped[int] = mapped_column(Integer)
    channels: Mapped[list[str]] = mapped_column(default=list)
    model: Mapped[bytes] = mapped_column(LargeBinary)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


class StrengthFit(Base):
    """Calibrations of the match strength refitted on coordinators' decisions, newest first in
    use; the shipped ones (`data/strength.json`) serve until the first."""

    __tablename__ = "strength_fits"

    id: Mapped[int] = mapped_column(primary_key=True)
    model: Mapped[str] = mapped_column(String(200), index=True)
    """The calibrations' model key (`matcher.strength_pairs.model_key`)."""
    calibrations: Mapped[list[dict[str, Any]]] = mapped_column(JSON, default=list)
    decisions: Mapped[int] = mapped_column(Integer)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
