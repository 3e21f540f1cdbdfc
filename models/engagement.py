"""After matching: a challenge's stage history, companies' expressions of interest, workshop
invitations and the teams coordinators propose. Every row says who did what, and when.

User columns are `ON DELETE SET NULL` so a removed account does not take the record with it."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import JSON, DateTime, ForeignKey, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from models.tables import Base, ChallengeStage, CompanyProfile, _enum, utcnow


class InterestStatus(StrEnum):
    ACTIVE = "active"
    WITHDRAWN = "withdrawn"


class Answer(StrEnum):
    """A company's answer to a workshop invitation or to a place in a team."""

    PENDING = "pending"
    ACCEPTED = "accepted"
    DECLINED = "declined"


class TeamStatus(StrEnum):
    PROPOSED = "proposed"
    FORMED = "formed"
    DECLINED = "declined"


def _user() -> Mapped[int | None]:
    return mapped_column(ForeignKey("users.id", ondelete="SET NULL"))


def _stamp() -> Mapped[datetime]:
    return mapped_column(DateTime(timezone=True), default=utcnow)


class StageChange(Base):
    """One move of a challenge from a stage to the next; never updated."""

    __tablename__ = "challenge_stage_changes"

    id: Mapped[int] = mapped_column(primary_key=True)
    challenge_id: Mapped[int] = mapped_column(
        ForeignKey("challenges.id", ondelete="CASCADE"), index=True
    )
    from_stage: Mapped[ChallengeStage] = mapped_column(_enum(ChallengeStage, "stage_from"))
    to_stage: Mapped[ChallengeStage] = mapped_column(_enum(ChallengeStage, "stage_to"))
    changed_by_id: Mapped[int | None] = _user()
    changed_by: Mapped[str] = mapped_column(String(200))
    """The person's name as it was, kept if the account goes."""
    changed_at: Mapped[datetime] = _stamp()


class ExpressionOfInterest(Base):
    """A company's interest in an open challenge: one row per (challenge, profile); withdrawing
    keeps the row, expressing again reopens it."""

    __tablename__ = "expressions_of_interest"
    __table_args__ = (
        UniqueConstraint("challenge_id", "company_id", name="uq_expressions_of_interest_pair"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    challenge_id: Mapped[int] = mapped_column(
        ForeignKey("challenges.id", ondelete="CASCADE"), index=True
    )
    company_id: Mapped[int] = mapped_column(
        ForeignKey("company_profiles.id", ondelete="CASCADE"), index=True
    )
    pitch: Mapped[str] = mapped_column(Text)
    partners: Mapped[list[dict[str, Any]]] = mapped_column(JSON, default=list)
    """[{"company_id": int | None, "name": str}]: profiles on Klimatmatch or free-text names."""
    status: Mapped[InterestStatus] = mapped_column(
        _enum(InterestStatus, "interest_status"), default=InterestStatus.ACTIVE
    )
    created_by_id: Mapped[int | None] = _user()
    created_at: Mapped[datetime] = _stamp()
    updated_by_id: Mapped[int | None] = _user()
    updated_at: Mapped[datetime] = _stamp()
    withdrawn_by_id: Mapped[int | None] = _user()
    withdrawn_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))

    company: Mapped[CompanyProfile] = relationship(lazy="joined")


class WorkshopInvitation(Base):
    """A coordinator's invitation of a company profile to a challenge's workshop, and its
    answer. `note` is the coordinators' own."""

    __tablename__ = "workshop_invitations"
    __table_args__ = (
        UniqueConstraint("challenge_id", "company_id", name="uq_workshop_invitations_pair"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    challenge_id: Mapped[int] = mapped_column(
        ForeignKey("challenges.id", ondelete="CASCADE"), index=True
    )
    company_id: Mapped[int] = mapped_column(
        ForeignKey("company_profiles.id", ondelete="CASCADE"), index=True
    )
    note: Mapped[str] = mapped_column(Text, default="")
    invited_by_id: Mapped[int | None] = _user()
    invited_at: Mapped[datetime] = _stamp()
    answer: Mapped[Answer] = mapped_column(
        _enum(Answer, "invitation_answer"), default=Answer.PENDING
    )
    reason: Mapped[str] = mapped_column(String(300), default="")
    answered_by_id: Mapped[int | None] = _user()
    answered_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))

    company: Mapped[CompanyProfile] = relationship(lazy="joined")


class Team(Base):
    """A team (consortium) a coordinator proposes for a challenge: formed once every member
    has confirmed, declined as soon as one declines."""

    __tablename__ = "teams"

    id: Mapped[int] = mapped_column(primary_key=True)
    challenge_id: Mapped[int] = mapped_column(
        ForeignKey("challenges.id", ondelete="CASCADE"), index=True
    )
    note: Mapped[str] = mapped_column(Text, default="")
    status: Mapped[TeamStatus] = mapped_column(
        _enum(TeamStatus, "team_status"), default=TeamStatus.PROPOSED
    )
    proposed_by_id: Mapped[int | None] = _user()
    proposed_at: Mapped[datetime] = _stamp()
    settled_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    """When it was formed or declined."""

    members: Mapped[list[TeamMember]] = relationship(
        back_populates="team",
        order_by="TeamMember.position",
        cascade="all, delete-orphan",
        lazy="selectin",
    )


class TeamMember(Base):
    __tablename__ = "team_members"
    __table_args__ = (UniqueConstraint("team_id", "company_id", name="uq_team_members_pair"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    team_id: Mapped[int] = mapped_column(ForeignKey("teams.id", ondelete="CASCADE"), index=True)
    company_id: Mapped[int] = mapped_column(
        ForeignKey("company_profiles.id", ondelete="CASCADE"), index=True
    )
    position: Mapped[int] = mapped_column(Integer)
    """0 is the lead, as /consortia lists a team."""
    answer: Mapped[Answer] = mapped_column(_enum(Answer, "member_answer"), default=Answer.PENDING)
    reason: Mapped[str] = mapped_column(String(300), default="")
    answered_by_id: Mapped[int | None] = _user()
    answered_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))

    team: Mapped[Team] = relationship(back_populates="members")
    company: Mapped[CompanyProfile] = relationship(lazy="joined")
