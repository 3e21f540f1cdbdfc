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
    ForeignKey,
    Integer,
    LargeBinary,
    MetaData,
    String,
    Text,
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
    """Moved only by klimatmatch.engagement.stages, which records each change (0013)."""
    workshop_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    workshop_place: Mapped[str] = mapped_column(String(300), default="")
    """An address or a meeting link."""
    outcome: Mapped[ChallengeOutcome | None] = mapped_column(
        _enum(ChallengeOutcome, "challenge_outcome")
    )
    summary: Mapped[str] = mapped_column(Text, default="")
    """The public summary of how the challenge ended, written when it closes."""
    nuts_code: Mapped[str] = mapped_column(String(5), default="")
    """The delivery region as a NUTS code (SE224), for procurement data; empty if unknown."""
    innovative_procurement: Mapped[str] = mapped_column(Text, default="")
    """eForms BT-776: how the later procurement is innovative (free text, optional)."""
    green_procurement: Mapped[list[str]] = mapped_column(default=list)
    """eForms BT-774: environmental-impact codes (clim-mitig, circ-econ, ...)."""
    green_criteria: Mapped[list[str]] = mapped_column(default=list)
    """eForms BT-805: whose green public procurement criteria apply (eu, national, ...)."""
    clean_vehicles: Mapped[bool | None] = mapped_column()
    """eForms BT-717: the Clean Vehicles Directive applies; None while unknown."""
    tender_ocid: Mapped[str] = mapped_column(String(100), default="")
    """The OCDS ocid of the tender that followed, once a challenge closed with a procurement."""
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
