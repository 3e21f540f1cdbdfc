"""From a fused ranking to a shortlist: the top `k`, or the shortlist controls (MMR, caps,
reserved places) on the best candidates, and the `Match`es the engine returns (with their
explanations when asked). Pure functions of a `Ranking`, apart from the engine's state."""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
from scipy import sparse

from matcher.backends import Candidates
from matcher.controls import Controls, apply, mmr
from matcher.documents import Document
from matcher.explain import Explanation, SentenceScorer, explain_pairs
from matcher.strength_pairs import PairStrength
from matcher.topk import top_k

Hit = tuple[Document, float, dict[str, float]]
"""A chosen candidate: its document, fused score and per-channel components."""


@dataclass(frozen=True)
class Match:
    rank: int
    document: Document
    score: float
    components: dict[str, float]
    explanation: Explanation | None
    strength: float | None = None
    """P(relevant) in [0, 1], comparable across lists (`matcher.strength`); None where no
    fitted calibration can judge the pair."""


@dataclass(frozen=True)
class Ranking:
    """What a ranker sees for one query: per channel, raw scores over candidate rows.

    `rows` are positions in `pool.documents` (for the in-process index, its rows)."""

    query: Document
    rows: np.ndarray
    components: dict[str, np.ndarray]
    fused: np.ndarray
    pool: Candidates | None = field(default=None, repr=False, compare=False)

    @property
    def documents(self) -> list[Document]:
        """The ranked candidates' documents, in the order of `rows`."""
        assert self.pool is not None
        return [self.pool.documents[r] for r in self.rows]


def top_hits(
    ranking: Ranking, k: int, controls: Controls | None = None, *, diversity_channel: str
) -> list[Hit]:
    """The best `k` candidates, after the controls when there are any; MMR compares the
    candidates' vectors of `diversity_channel`."""
    assert ranking.pool is not None
    documents = ranking.pool.documents
    if controls is None or controls.is_empty:
        chosen = [i for i in top_k(ranking.fused, k)[0][0] if i >= 0]
    else:
        chosen = controlled(ranking, k, controls, diversity_channel=diversity_channel)
    return [
        (documents[ranking.rows[i]], float(ranking.fused[i]), components_at(ranking, i))
        for i in chosen
    ]


def components_at(ranking: Ranking, position: int) -> dict[str, float]:
    """The channel scores of the candidate at `position`, as a `Match` reports them."""
    return {n: round(float(c[position]), 6) for n, c in ranking.components.items()}


def controlled(
    ranking: Ranking, k: int, controls: Controls, *, diversity_channel: str
) -> list[int]:
    """Candidates (positions in `ranking`) after MMR, caps and reserved places."""
    assert ranking.pool is not None
    order = [int(i) for i in top_k(ranking.fused, max(10 * k, 100))[0][0] if i >= 0]
    documents = [ranking.pool.documents[ranking.rows[i]] for i in order]
    if controls.diversity > 0 and order:
        stacked = ranking.pool.rows(diversity_channel, [int(ranking.rows[i]) for i in order])
        matrix = stacked.toarray() if sparse.issparse(stacked) else np.asarray(stacked)
        norms = np.linalg.norm(matrix, axis=1, keepdims=True)
        unit = matrix / np.where(norms > 0, norms, 1)
        picked = mmr(ranking.fused[order], unit @ unit.T, len(order), controls.diversity)
        order, documents = [order[p] for p in picked], [documents[p] for p in picked]
    kept = apply(
        list(range(len(order))),
        k,
        countries=[d.fields.get("country", "") for d in documents],
        groups=[d.fields.get("group", str(d.id)) for d in documents],
        small=[d.fields.get("small") == "1" for d in documents],
        controls=controls,
    )
    return [order[p] for p in kept]


def matches(
    sentences: SentenceScorer,
    subject: Document,
    hits: list[Hit],
    explain: bool,
    *,
    query_is_challenge: bool,
    strength: PairStrength | None = None,
) -> list[Match]:
    """Ranked `Match`es for `subject`'s hits, with their strengths, explained sentence by
    sentence when asked."""
    pairs = [(subject, d) if query_is_challenge else (d, subject) for d, _, _ in hits]
    strengths = (
        strength.pairs([c for c, _ in pairs], [p for _, p in pairs], [h[2] for h in hits])
        if strength is not None
        else [None] * len(hits)
    )
    explanations = (
        explain_pairs(sentences, pairs, one_challenge=query_is_challenge)
        if explain
        else [None] * len(hits)
    )
    return [
        Match(rank, document, round(score, 6), components, explanation, pair_strength)
        for rank, ((document, score, components), explanation, pair_strength) in enumerate(
            zip(hits, explanations, strengths, strict=True), start=1
        )
    ]
