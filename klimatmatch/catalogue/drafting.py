"""Help while writing: CPV codes suggested from a text, and a preview of an unsaved challenge.

The preview ranks text that is not stored yet ("who could answer this?") with the same engine
and fusion as a stored challenge's shortlist, but writes nothing: no challenge, no match run,
nothing in the index, so a city can try wordings freely before it saves or publishes."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from sqlalchemy import select
from sqlalchemy.orm import Session

from matcher import Document, MatchEngine
from matcher.requirements import requirements_of
from matcher.text import guess_language
from models import CompanyProfile

UNSAVED = -1
"""The id an unsaved challenge has while it is ranked (ids in the index start at 1)."""


@dataclass(frozen=True)
class Candidate:
    company: CompanyProfile
    score: float
    strength: float | None
    """The same calibrated strength the published shortlist will show (`matcher.strength`)."""


@dataclass(frozen=True)
class Preview:
    language: str
    requirements: list[str]
    suggested_codes: list[str]
    candidates: list[Candidate]


def suggest_codes(*, engine: MatchEngine, text: str) -> list[str]:
    """The tagger's CPV codes for a text, best first; none when the engine has no tagger."""
    if engine.cpv is None or not text.strip():
        return []
    return [code for code, _ in engine.cpv.tag([text])[0]]


def preview_challenge(
    *,
    session: Session,
    engine: MatchEngine,
    title: str,
    description: str,
    language: str,
    codes: list[str],
    k: int = 5,
) -> Preview:
    """The requirements the engine will match on and the `k` companies it would shortlist now,
    ranked with the CPV codes the challenge will be saved with (the suggested ones when the
    city gave none, as the form fills them in), so the preview and the shortlist agree."""
    text = f"{title}. {description}"
    language = language or guess_language(description) or ""
    suggested = suggest_codes(engine=engine, text=text)
    codes = codes or suggested  # what the form will hold, and so the published challenge
    query = engine.prepare(
        [Document(id=UNSAVED, text=text, fields={"language": language}, codes=tuple(codes))]
    )[0]
    ranking = engine.rank_query(query, engine.encode("challenge", [query]))
    order = np.argsort(-ranking.fused, kind="stable")[: 3 * k] if len(ranking.rows) else []
    documents = ranking.documents
    scores = {documents[i].id: float(ranking.fused[i]) for i in order}
    strengths = dict(zip(scores, engine.strengths(ranking, list(order)), strict=True))
    companies = session.scalars(select(CompanyProfile).where(CompanyProfile.id.in_(scores)))
    ranked = sorted(companies, key=lambda company: -scores[company.id])[:k]
    return Preview(
        language=language,
        requirements=requirements_of(query),
        suggested_codes=suggested,
        candidates=[
            Candidate(company, round(scores[company.id], 4), strengths[company.id])
            for company in ranked
        ],
    )
