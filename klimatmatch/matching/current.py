"""The current ranking of a challenge: what the engine answers for this data version.

A shortlist is a function of the data and the engine, not of who looked at it: it is computed
once per (data version, engine, re-ranker) and read after, so the review queue, the funnel and
the pages count the same companies as "on the shortlist" without storing anything."""

from __future__ import annotations

from collections.abc import Callable, Hashable, Iterable

from sqlalchemy.orm import Session

from klimatmatch.matching.topk_cache import TopKCache
from matcher import MatchEngine
from models import crud


def generation(session: Session, engine: MatchEngine) -> Hashable:
    """What a ranking depends on besides the challenge: the data, the models, the re-ranker."""
    reranker = getattr(engine.reranker, "version", None)
    return crud.data_version(session=session), engine.fingerprint, reranker


def top_ids(
    *,
    session: Session,
    engine: MatchEngine,
    challenge_ids: Iterable[int],
    k: int,
    cache: TopKCache | None = None,
) -> dict[int, list[int]]:
    """Per challenge, the company ids of its current top-`k` (empty when it is not indexed:
    a draft or an archived challenge has no shortlist). Commits the session first so the
    database is free while the engine ranks."""
    current = generation(session, engine)
    session.commit()
    cache = cache if cache is not None else TopKCache()
    found: dict[int, list[int]] = {}
    for challenge_id in challenge_ids:
        if challenge_id not in engine.challenges:
            found[challenge_id] = []
            continue
        found[challenge_id] = cache.get(
            current, (challenge_id, k), _ranked(engine, challenge_id, k)
        )
    return found


def _ranked(engine: MatchEngine, challenge_id: int, k: int) -> Callable[[], list[int]]:
    return lambda: [m.document.id for m in engine.shortlist(challenge_id, k, explain=False)]


def ranks(
    *,
    session: Session,
    engine: MatchEngine,
    challenge_id: int,
    k: int,
    cache: TopKCache | None = None,
) -> dict[int, int]:
    """Company id -> rank on the challenge's current top `k`."""
    ids = top_ids(session=session, engine=engine, challenge_ids=[challenge_id], k=k, cache=cache)
    return {company_id: rank for rank, company_id in enumerate(ids[challenge_id], start=1)}
