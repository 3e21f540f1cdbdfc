"""Fills the engine's indexes from the database, reusing cached embeddings.

Only texts whose (model, sha256) is not in the cache are encoded, so a restart or one new
profile costs one encoding, not the whole corpus. A rebuild happens in a spawned engine and is
swapped in at the end, so the previous index keeps serving until then (and if it fails).

An index kept outside the process (pgvector) writes rows itself, in the writer's transaction:
its factory (`engine.indexes`) is then a `RowStore`, which this module calls without knowing it.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Protocol, runtime_checkable

import numpy as np
from sqlalchemy.orm import Session
from tqdm import tqdm

from matcher import Document, MatchEngine
from matcher.engine import Side
from models import Challenge, ChallengeStatus, CompanyProfile, crud


@dataclass(frozen=True)
class IndexReport:
    challenges: int
    companies: int
    encoded: int
    reused: int

    def __str__(self) -> str:
        return (
            f"indexed {self.challenges} challenges and {self.companies} companies "
            f"({self.encoded} embedded, {self.reused} from cache)"
        )


@runtime_checkable
class RowStore(Protocol):
    """Writes rows into an engine's index and rebuilds it: `IN_PROCESS` (the engine's own
    arrays), or an index factory that stores them itself (`vector_backend.PgVectorIndexes`)."""

    def rebuild(
        self, *, session: Session, engine: MatchEngine, show_progress: bool = False
    ) -> IndexReport: ...

    def apply_rows(
        self,
        *,
        session: Session,
        engine: MatchEngine,
        challenges: Sequence[Challenge],
        companies: Sequence[CompanyProfile],
    ) -> None: ...


def challenge_document(challenge: Challenge) -> Document:
    return Document(
        id=challenge.id,
        text=challenge.text,
        fields={
            "language": challenge.language,
            "theme": challenge.theme,
            "status": challenge.status.value,
            "country": challenge.organisation.country if challenge.organisation else "",
        },
        codes=tuple(challenge.cpv_codes or ()),
    )


def company_document(company: CompanyProfile) -> Document:
    return Document(
        id=company.id,
        text=company.text,
        fields={
            "language": company.language,
            "sector": company.sector,
            "country": company.country,
            "group": str(company.organisation_id),
            "small": "1" if is_small_or_new(company) else "0",
        },
        codes=tuple(company.cpv_codes or ()),
    )


SMALL_EMPLOYEES = 50
NEWCOMER_DAYS = 180


def is_small_or_new(company: CompanyProfile) -> bool:
    """Who the shortlist's reserved places are for: under 50 staff, or registered recently
    without a staff count (a newcomer the coordinators do not know yet)."""
    created = company.created_at
    if created is not None and created.tzinfo is None:
        created = created.replace(tzinfo=UTC)
    recent = created is not None and datetime.now(UTC) - created < timedelta(days=NEWCOMER_DAYS)
    if company.employees is not None:
        return company.employees < SMALL_EMPLOYEES
    return recent


def store(engine: MatchEngine) -> RowStore:
    """Who writes `engine`'s rows: its index factory when that stores them, else this module."""
    return engine.indexes if isinstance(engine.indexes, RowStore) else IN_PROCESS


def rebuild(*, session: Session, engine: MatchEngine, show_progress: bool = False) -> IndexReport:
    """Index every non-archived challenge and every approved profile; replaces what the engine
    held."""
    return store(engine).rebuild(session=session, engine=engine, show_progress=show_progress)


def apply_rows(
    *,
    session: Session,
    engine: MatchEngine,
    challenges: Sequence[Challenge],
    companies: Sequence[CompanyProfile],
) -> None:
    """Written rows into the index, one encoding pass per side (archived challenges leave)."""
    store(engine).apply_rows(
        session=session, engine=engine, challenges=challenges, companies=companies
    )


def upsert_challenge(*, session: Session, engine: MatchEngine, challenge: Challenge) -> None:
    """Make one written challenge visible to the next shortlist (archived ones leave)."""
    apply_rows(session=session, engine=engine, challenges=[challenge], companies=[])


def upsert_company(*, session: Session, engine: MatchEngine, company: CompanyProfile) -> None:
    apply_rows(session=session, engine=engine, challenges=[], companies=[company])


def remove_company(*, engine: MatchEngine, company_id: int) -> None:
    engine.remove("company", company_id)


class InProcess:
    """The engine's own index: documents upserted into its arrays, vectors from the cache."""

    def rebuild(
        self, *, session: Session, engine: MatchEngine, show_progress: bool = False
    ) -> IndexReport:
        active = [ChallengeStatus.DRAFT, ChallengeStatus.PUBLISHED]
        challenges = [
            challenge_document(c) for c in crud.list_challenges(session=session, statuses=active)
        ]
        companies = [
            company_document(c) for c in crud.list_companies(session=session) if c.approved
        ]
        staged = engine.spawn()
        staged.fit([d.text for d in challenges + companies])
        models = max(1, sum(e.cacheable for e in staged.channels.values()))
        with tqdm(
            total=(len(challenges) + len(companies)) * models,
            unit="text",
            desc="embedding",
            disable=not show_progress,
        ) as bar:
            encoded_c, reused_c = _upsert(session, staged, "challenge", challenges, bar)
            encoded_p, reused_p = _upsert(session, staged, "company", companies, bar)
        engine.adopt(staged)
        encoded, reused = encoded_c + encoded_p, reused_c + reused_p
        return IndexReport(len(challenges), len(companies), encoded, reused)

    def apply_rows(
        self,
        *,
        session: Session,
        engine: MatchEngine,
        challenges: Sequence[Challenge],
        companies: Sequence[CompanyProfile],
    ) -> None:
        live = []
        for challenge in challenges:
            if challenge.status is ChallengeStatus.ARCHIVED:
                engine.remove("challenge", challenge.id)
            else:
                live.append(challenge_document(challenge))
        _upsert(session, engine, "challenge", live)
        for company in companies:
            if not company.approved:
                engine.remove("company", company.id)
        ready = [company_document(c) for c in companies if c.approved]
        _upsert(session, engine, "company", ready)


IN_PROCESS = InProcess()


def _upsert(
    session: Session,
    engine: MatchEngine,
    side: Side,
    documents: Sequence[Document],
    bar: tqdm | None = None,
) -> tuple[int, int]:
    """Returns (texts encoded by a cacheable model, texts found in the cache)."""
    if not documents:
        return 0, 0
    engine.ensure_fitted([d.text for d in documents])
    prepared = engine.prepare(documents)
    precomputed, encoded, reused = {}, 0, 0
    for name, embedder in engine.channels.items():
        if embedder.cacheable:
            precomputed[name], fresh, found = _cached(session, engine, name, side, prepared, bar)
            encoded, reused = encoded + fresh, reused + found
    vectors = engine.encode(side, prepared, precomputed)
    engine.upsert(side, prepared, vectors)
    if bar is not None and not precomputed:
        bar.update(len(prepared))
    return encoded, reused


def _cached(
    session: Session,
    engine: MatchEngine,
    name: str,
    side: Side,
    documents: list[Document],
    bar: tqdm | None,
) -> tuple[np.ndarray, int, int]:
    embedder = engine.channels[name]
    model = f"{'q' if side == 'challenge' else 'd'}:{embedder.fingerprint}"
    cached = crud.cached_vectors(
        session=session, model=model, text_hashes=[d.text_hash for d in documents]
    )
    progress = bar.update if bar is not None else None
    if progress is not None and cached:
        progress(sum(d.text_hash in cached for d in documents))
    missing = list({d.text_hash: d for d in documents if d.text_hash not in cached}.values())
    if missing:
        session.commit()  # do not hold the database while the model encodes
        encode = embedder.encode_queries if side == "challenge" else embedder.encode_documents
        vectors = encode([d.text for d in missing], progress)
        new = {d.text_hash: np.asarray(v) for d, v in zip(missing, vectors, strict=True)}
        crud.store_vectors(session=session, model=model, vectors=new)
        cached.update(new)
    matrix = np.vstack([cached[d.text_hash] for d in documents])
    return matrix, len(missing), len(documents) - len(missing)
