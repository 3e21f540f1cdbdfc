"""Queries over the tables. Keyword-only arguments, session first; no commits here:
the caller owns the transaction, so an import or a match run is all-or-nothing."""

from __future__ import annotations

from collections.abc import Iterable, Sequence

import numpy as np
from sqlalchemy import func, select, tuple_
from sqlalchemy.dialects.postgresql import insert as postgres_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.orm import Session

from models.matching import MatchRun
from models.tables import (
    Challenge,
    ChallengeStatus,
    CompanyProfile,
    DataVersion,
    EmbeddingCache,
    Organisation,
    OrganisationKind,
    utcnow,
)


def get_or_create_organisation(
    *, session: Session, name: str, kind: OrganisationKind, country: str = ""
) -> Organisation:
    organisation = session.scalar(select(Organisation).where(Organisation.name == name))
    if organisation is None:
        organisation = Organisation(name=name, kind=kind, country=country)
        session.add(organisation)
        session.flush()
    return organisation


def get_challenge(*, session: Session, challenge_id: int) -> Challenge | None:
    return session.get(Challenge, challenge_id)


def get_company(*, session: Session, company_id: int) -> CompanyProfile | None:
    return session.get(CompanyProfile, company_id)


def list_challenges(
    *, session: Session, statuses: Sequence[ChallengeStatus] | None = None
) -> list[Challenge]:
    query = select(Challenge).order_by(Challenge.id)
    if statuses:
        query = query.where(Challenge.status.in_(statuses))
    return list(session.scalars(query))


def list_companies(*, session: Session) -> list[CompanyProfile]:
    return list(session.scalars(select(CompanyProfile).order_by(CompanyProfile.id)))


def challenge_by_external_id(*, session: Session, external_id: str) -> Challenge | None:
    return session.scalar(select(Challenge).where(Challenge.external_id == external_id))


def company_by_external_id(*, session: Session, external_id: str) -> CompanyProfile | None:
    return session.scalar(select(CompanyProfile).where(CompanyProfile.external_id == external_id))


def counts(*, session: Session) -> dict[str, int]:
    return {
        "challenges": session.scalar(select(func.count()).select_from(Challenge)) or 0,
        "companies": session.scalar(select(func.count()).select_from(CompanyProfile)) or 0,
    }


def data_version(*, session: Session) -> str:
    """Changes whenever a challenge or profile is added, edited or removed (see versioning)."""
    version = session.scalar(select(DataVersion.version).where(DataVersion.id == 1))
    return f"v{version or 0}"


def cached_vectors(
    *, session: Session, model: str, text_hashes: Iterable[str]
) -> dict[str, np.ndarray]:
    """Vectors already computed for these texts under this model, by text hash."""
    wanted = list(dict.fromkeys(text_hashes))
    found: dict[str, np.ndarray] = {}
    for start in range(0, len(wanted), 500):
        chunk = wanted[start : start + 500]
        rows = session.execute(
            select(EmbeddingCache.text_hash, EmbeddingCache.vector).where(
                tuple_(EmbeddingCache.model, EmbeddingCache.text_hash).in_(
                    [(model, text_hash) for text_hash in chunk]
                )
            )
        )
        for text_hash, blob in rows:
            found[text_hash] = np.frombuffer(blob, dtype=np.float32)
    return found


def store_vectors(*, session: Session, model: str, vectors: dict[str, np.ndarray]) -> None:
    """Insert what is missing; a vector another process stored meanwhile is the same vector
    (same model, same text), so a conflict is simply skipped, never an error."""
    rows = [
        {
            "model": model,
            "text_hash": text_hash,
            "dimension": int(np.asarray(vector).shape[0]),
            "vector": np.asarray(vector, dtype=np.float32).tobytes(),
            "created_at": utcnow(),
        }
        for text_hash, vector in vectors.items()
    ]
    if not rows:
        return
    insert = sqlite_insert if session.get_bind().dialect.name == "sqlite" else postgres_insert
    session.execute(insert(EmbeddingCache).on_conflict_do_nothing(), rows)


def get_match_run(*, session: Session, run_id: int) -> MatchRun | None:
    return session.get(MatchRun, run_id)
