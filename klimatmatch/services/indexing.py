"""Fills the engine's indexes from the database, reusing cached embeddings.

Only texts whose (model, sha256) is not in the cache are encoded, so a restart or one new
profile costs one encoding, not the whole corpus.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
from sqlalchemy.orm import Session
from tqdm import tqdm

from matcher import Document, MatchEngine
from models import Challenge, ChallengeStatus, CompanyProfile, crud


@dataclass(frozen=True)
class IndexReport:
    challenges: int
    companies: int
    encoded: int
    reused: int


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
    )


def company_document(company: CompanyProfile) -> Document:
    return Document(
        id=company.id,
        text=company.text,
        fields={"language": company.language, "sector": company.sector, "country": company.country},
    )


def rebuild(*, session: Session, engine: MatchEngine, show_progress: bool = False) -> IndexReport:
    """Index every non-archived challenge and every profile; replaces what the engine held."""
    active = [ChallengeStatus.DRAFT, ChallengeStatus.PUBLISHED]
    challenges = [
        challenge_document(c) for c in crud.list_challenges(session=session, statuses=active)
    ]
    companies = [company_document(c) for c in crud.list_companies(session=session)]
    if not engine.embedder.cacheable and (challenges or companies):
        engine.embedder.fit([d.text for d in challenges + companies])
    fresh = MatchEngine(engine.embedder)
    with tqdm(
        total=len(challenges) + len(companies),
        unit="text",
        desc="embedding",
        disable=not show_progress,
    ) as bar:
        encoded_c, reused_c = _upsert(session, fresh, challenges, is_challenge=True, bar=bar)
        encoded_p, reused_p = _upsert(session, fresh, companies, is_challenge=False, bar=bar)
    engine.replace(fresh)
    return IndexReport(len(challenges), len(companies), encoded_c + encoded_p, reused_c + reused_p)


def upsert_challenge(*, session: Session, engine: MatchEngine, challenge: Challenge) -> None:
    """Make one written challenge visible to the next shortlist (archived ones leave)."""
    if challenge.status is ChallengeStatus.ARCHIVED:
        engine.remove_challenge(challenge.id)
        return
    _upsert(session, engine, [challenge_document(challenge)], is_challenge=True)


def upsert_company(*, session: Session, engine: MatchEngine, company: CompanyProfile) -> None:
    _upsert(session, engine, [company_document(company)], is_challenge=False)


def remove_company(*, engine: MatchEngine, company_id: int) -> None:
    engine.remove_company(company_id)


def _upsert(
    session: Session,
    engine: MatchEngine,
    documents: Sequence[Document],
    *,
    is_challenge: bool,
    bar: tqdm | None = None,
) -> tuple[int, int]:
    """Returns (encoded, reused from cache)."""
    if not documents:
        return 0, 0
    upsert = engine.upsert_challenges if is_challenge else engine.upsert_companies
    embed = engine.embed_challenges if is_challenge else engine.embed_companies
    progress = bar.update if bar is not None else None
    if not engine.embedder.cacheable:
        if not engine.embedder.is_fitted:
            engine.embedder.fit([d.text for d in documents])
        upsert(list(documents), embed([d.text for d in documents], progress))
        return len(documents), 0
    model = f"{'q' if is_challenge else 'd'}:{engine.embedder.fingerprint}"
    cached = crud.cached_vectors(
        session=session, model=model, text_hashes=[d.text_hash for d in documents]
    )
    if progress is not None and cached:
        progress(sum(d.text_hash in cached for d in documents))
    missing = list({d.text_hash: d for d in documents if d.text_hash not in cached}.values())
    if missing:
        vectors = embed([d.text for d in missing], progress)
        new = {d.text_hash: np.asarray(v) for d, v in zip(missing, vectors, strict=True)}
        crud.store_vectors(session=session, model=model, vectors=new)
        cached.update(new)
    upsert(list(documents), np.vstack([cached[d.text_hash] for d in documents]))
    return len(missing), len(documents) - len(missing)
