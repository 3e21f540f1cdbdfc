"""SQLAlchemy 2.0 typed tables.

Enums are stored as checked strings so SQLite and PostgreSQL agree."""

from __future__ import annotations

import secrets
from datetime import UTC, date, datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import (
    JSON,
    Date,
    DateTime,
    Enum,
    Float,
    ForeignKey,
    Integer,
    LargeBinary,
    MetaData,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship

NAMING = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


def utcnow() -> datetime:
    return datetime.now(UTC)


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING)
    type_annotation_map = {dict[str, Any]: JSON, list[str]: JSON}


def _enum(kind: type[StrEnum], name: str) -> Enum:
    return Enum(
        kind,
        name=name,
        native_enum=False,
        length=16,
        values_callable=lambda members: [member.value for member in members],
    )


class OrganisationKind(StrEnum):
    CITY = "city"
    COMPANY = "company"
    NETWORK = "network"


class ChallengeStatus(StrEnum):
    DRAFT = "draft"
    PUBLISHED = "published"
    ARCHIVED = "archived"


class ChallengeStage(StrEnum):
    """Where a challenge is in the Nordic Solutions process; `status` still decides matching."""

    DRAFT = "draft"
    OPEN = "open"
    SHORTLISTING = "shortlisting"
    WORKSHOP = "workshop"
    CLOSED = "closed"


class ChallengeOutcome(StrEnum):
    PILOT = "pilot"
    PROCUREMENT = "procurement"
    NONE = "none"


def _initial_stage(context: Any) -> ChallengeStage:
    """A challenge posted as a draft starts as a draft, an archived one closed; else open."""
    status = context.get_current_parameters().get("status")
    if status == ChallengeStatus.DRAFT:
        return ChallengeStage.DRAFT
    return ChallengeStage.CLOSED if status == ChallengeStatus.ARCHIVED else ChallengeStage.OPEN


class Direction(StrEnum):
    CHALLENGE_TO_COMPANIES = "challenge"
    COMPANY_TO_CHALLENGES = "company"


class Decision(StrEnum):
    ACCEPTED = "accepted"
    REJECTED = "rejected"
    MAYBE = "maybe"


class Timestamped:
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(
        DateTime(timezone=True), default=utcnow, onupdate=utcnow
    )


class Role(StrEnum):
    CITY = "city"
    COMPANY = "company"
    COORDINATOR = "coordinator"
    ADMIN = "admin"


class Organisation(Base):
    """A city, a company or a network (C40); users and owned records hang from it."""

    __tablename__ = "organisations"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(200), unique=True)
    kind: Mapped[OrganisationKind] = mapped_column(_enum(OrganisationKind, "organisation_kind"))
    country: Mapped[str] = mapped_column(String(2), default="")
    approved: Mapped[bool] = mapped_column(default=True, index=True)
    """False for a company that registered by itself, until a coordinator approves it: its
    profiles are not matched (neither backend indexes them) before that."""
    approved_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    approved_by: Mapped[int | None] = mapped_column(Integer)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


class User(Base):
    """An account: a person signs in to the pages with e-mail and password (argon2 hash), a
    program calls the API with one of the person's API keys (`ApiKey`, sha256 hashes)."""

    __tablename__ = "users"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    role: Mapped[Role] = mapped_column(_enum(Role, "user_role"))
    organisation_id: Mapped[int | None] = mapped_column(ForeignKey("organisations.id"), index=True)
    token_hash: Mapped[str] = mapped_column(
        String(64), unique=True, default=lambda: secrets.token_hex(32)
    )
    """Not read since API keys (0008 copied every hash into `api_keys`). Kept because dropping
    it means rebuilding `users` on SQLite, whose implicit delete would clear the authors of
    reviews and runs; new accounts get random bytes that are nobody's token."""
    email: Mapped[str | None] = mapped_column(String(320), unique=True, index=True)
    """Stored lower-cased, so uniqueness is case-insensitive on every database."""
    password_hash: Mapped[str | None] = mapped_column(String(200))
    language: Mapped[str | None] = mapped_column(String(2))
    """The language of the e-mails we send this person (None: English)."""
    active: Mapped[bool] = mapped_column(default=True)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)

    organisation: Mapped[Organisation | None] = relationship(lazy="joined")


class Challenge(Timestamped, Base):
    """A city's climate challenge; the query side of matching."""

    __tablename__ = "challenges"

    id: Mapped[int] = mapped_column(primary_key=True)
    external_id: Mapped[str | None] = mapped_column(String(100), unique=True)
    organisation_id: Mapped[int] = mapped_column(ForeignKey("organisations.id"), index=True)
    title: Mapped[str] = mapped_column(String(300))
    description: Mapped[str] = mapped_column(Text)
    theme: Mapped[str] = mapped_column(String(100), default="", index=True)
    language: Mapped[str] = mapped_column(String(8), default="")
    status: Mapped[ChallengeStatus] = mapped_column(
        _enum(ChallengeStatus, "challenge_status"), default=ChallengeStatus.PUBLISHED, index=True
    )
    cpv_codes: Mapped[list[str]] = mapped_column(default=list)
    criteria: Mapped[str] = mapped_column(Text, default="")
    deadline: Mapped[date | None] = mapped_column(Date)
    location: Mapped[str] = mapped_column(String(200), default="")
    contact: Mapped[str] = mapped_column(String(300), default="")
    stage: Mapped[ChallengeStage] = mapped_column(
        _enum(ChallengeStage, "challenge_stage"), default=_initial_stage, index=True
    )
    """Moved only by klimatmatch.services.stages, which records each change (0013)."""
    workshop_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    workshop_place: Mapped[str] = mapped_column(String(300), default="")
    """An address or a meeting link."""
    outcome: Mapped[ChallengeOutcome | None] = mapped_column(
        _enum(ChallengeOutcome, "challenge_outcome")
    )
    summary: Mapped[str] = mapped_column(Text, default="")
    """The public summary of how the challenge ended, written when it closes."""
    version: Mapped[int] = mapped_column(Integer, default=1)

    organisation: Mapped[Organisation] = relationship(lazy="joined")

    __mapper_args__ = {"version_id_col": version}

    @property
    def text(self) -> str:
        """What gets embedded: the title carries the most signal, so it leads."""
        return f"{self.title}. {self.description}"


class CompanyProfile(Timestamped, Base):
    """A company's capability profile; the document side of matching."""

    __tablename__ = "company_profiles"

    id: Mapped[int] = mapped_column(primary_key=True)
    external_id: Mapped[str | None] = mapped_column(String(100), unique=True)
    organisation_id: Mapped[int] = mapped_column(ForeignKey("organisations.id"), index=True)
    name: Mapped[str] = mapped_column(String(200))
    description: Mapped[str] = mapped_column(Text)
    sector: Mapped[str] = mapped_column(String(100), default="", index=True)
    country: Mapped[str] = mapped_column(String(2), default="", index=True)
    language: Mapped[str] = mapped_column(String(8), default="")
    employees: Mapped[int | None] = mapped_column(Integer)
    website: Mapped[str] = mapped_column(String(300), default="")
    cpv_codes: Mapped[list[str]] = mapped_column(default=list)
    references: Mapped[list[dict[str, Any]]] = mapped_column(JSON, default=list)
    """Earlier projects with cities: [{"what", "where", "when"}], shown, not matched."""
    languages: Mapped[list[str]] = mapped_column(default=list)
    """The languages the company works in (ISO 639-1), besides the one its text is in."""
    version: Mapped[int] = mapped_column(Integer, default=1)

    organisation: Mapped[Organisation] = relationship(lazy="joined")

    __mapper_args__ = {"version_id_col": version}

    @property
    def text(self) -> str:
        return f"{self.name}. {self.description}"

    @property
    def approved(self) -> bool:
        """Its organisation is approved (a self-registered company waits for a coordinator):
        only then is the profile matched, shown to others and able to act for the company."""
        return self.organisation is None or self.organisation.approved


class EmbeddingCache(Base):
    """Vectors by (model fingerprint, sha256 of the text): a restart re-embeds nothing."""

    __tablename__ = "embeddings"

    model: Mapped[str] = mapped_column(String(300), primary_key=True)
    text_hash: Mapped[str] = mapped_column(String(64), primary_key=True)
    dimension: Mapped[int] = mapped_column(Integer)
    vector: Mapped[bytes] = mapped_column(LargeBinary)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


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


class DataVersion(Base):
    """One row, bumped in the same transaction as every change to a challenge or profile, so a
    match run can name the data it saw without scanning the tables."""

    __tablename__ = "data_version"

    id: Mapped[int] = mapped_column(primary_key=True)
    version: Mapped[int] = mapped_column(Integer, default=0)
    database_id: Mapped[str | None] = mapped_column(String(36), default=None)
    """Random, set once by the migration: a snapshot of the index names it, so a snapshot
    made for another database (or a restored copy's twin) is never loaded."""


class Change(Base):
    """One challenge or profile written at a data version: the ordered log every process
    replays into its in-memory index. Versions come from the `data_version` row, bumped under
    its lock, so they follow commit order with no gaps (a rollback takes its version back)."""

    __tablename__ = "changes"

    version: Mapped[int] = mapped_column(Integer, primary_key=True)
    kind: Mapped[str] = mapped_column(String(20), primary_key=True)
    object_id: Mapped[int] = mapped_column(Integer, primary_key=True)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


class JobState(StrEnum):
    QUEUED = "queued"
    RUNNING = "running"
    DONE = "done"
    FAILED = "failed"


class Job(Base):
    """Long work run in the background (an import, a re-encoding, training, a snapshot): what
    to do, how far it got, how many tries it took and how it ended. The row, not the broker's
    message, is the truth: a worker loads it by id, so a message delivered twice finds the job
    already done and does nothing."""

    __tablename__ = "jobs"

    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    kind: Mapped[str] = mapped_column(String(40), index=True)
    arguments: Mapped[dict[str, Any]] = mapped_column(default=dict)
    idempotency_key: Mapped[str | None] = mapped_column(String(200), unique=True)
    """Held while the job is queued or running and released when it ends: asking for the
    same work while it is under way returns this job; asking after it ended starts a new one."""
    state: Mapped[JobState] = mapped_column(
        _enum(JobState, "job_state"), default=JobState.QUEUED, index=True
    )
    done: Mapped[int] = mapped_column(Integer, default=0)
    total: Mapped[int | None] = mapped_column(Integer)
    message: Mapped[str] = mapped_column(String(300), default="")
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    error: Mapped[str] = mapped_column(Text, default="")
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    started_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    finished_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    updated_at: Mapped[datetime] = mapped_column(
        DateTime(timezone=True), default=utcnow, onupdate=utcnow
    )


class ApiKey(Base):
    """A person's key for programs calling the API, named by its owner; stored as a sha256
    hash (a fast hash is enough for a 256-bit random secret) and shown only once."""

    __tablename__ = "api_keys"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    name: Mapped[str] = mapped_column(String(100))
    key_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    last_used_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    revoked_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))

    user: Mapped[User] = relationship(lazy="joined")


class SignInSession(Base):
    """A signed-in browser. The cookie holds a random id; only its sha256 is stored, so a copy
    of the database cannot be used to sign in. Revoked on sign-out, never deleted: the account
    page lists them."""

    __tablename__ = "sign_in_sessions"

    id: Mapped[int] = mapped_column(primary_key=True)
    id_hash: Mapped[str] = mapped_column(String(64), unique=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    last_seen_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    expires_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    user_agent: Mapped[str] = mapped_column(String(300), default="")
    address: Mapped[str] = mapped_column(String(64), default="")
    revoked_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))

    user: Mapped[User] = relationship(lazy="joined")


class SignInFailure(Base):
    """One failed sign-in, counted under the e-mail tried and under the client's address, so
    every process serving the database sees the same counts."""

    __tablename__ = "sign_in_failures"

    id: Mapped[int] = mapped_column(primary_key=True)
    key: Mapped[str] = mapped_column(String(400), index=True)
    """'account:<e-mail>' or 'address:<ip>'."""
    at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow, index=True)


class Invitation(Base):
    """A coordinator's or administrator's invitation: a single-use link (sha256 of its token
    stored) that lets the person set a password and creates their account."""

    __tablename__ = "invitations"

    id: Mapped[int] = mapped_column(primary_key=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    email: Mapped[str] = mapped_column(String(320), index=True)
    name: Mapped[str] = mapped_column(String(200), default="")
    role: Mapped[Role] = mapped_column(_enum(Role, "invitation_role"))
    organisation_id: Mapped[int | None] = mapped_column(ForeignKey("organisations.id"))
    language: Mapped[str] = mapped_column(String(2), default="en")
    invited_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    expires_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    used_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))

    organisation: Mapped[Organisation | None] = relationship(lazy="joined")


class PasswordReset(Base):
    """A single-use, expiring link to set a new password (sha256 of its token stored)."""

    __tablename__ = "password_resets"

    id: Mapped[int] = mapped_column(primary_key=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    expires_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    used_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
