"""How the engine fuses one query's channel scores: per-language weights, which channels judge
which pairs, the pseudo-relevance feedback channel and the optional re-ranker. Kept apart from
`matcher.engine` (indexing and the public searches), which supplies the attributes declared here."""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping
from typing import Any

import numpy as np

from matcher.abstention import availability, floor, language_of
from matcher.backends import Candidates
from matcher.cpv import CpvTagger
from matcher.documents import Document
from matcher.embedders.base import Embedder
from matcher.feedback import FEEDBACK, Feedback, feedback_query, feedback_scores
from matcher.fusion import Availability, Fusion, fuse
from matcher.selection import Ranking
from matcher.topk import top_k

CPV = "cpv"
LEXICAL = "lexical"


class Fusing:
    """The fusion half of `matcher.engine.MatchEngine` (its only subclass)."""

    channels: dict[str, Embedder]
    fusion: Fusion
    weights: dict[str, float]
    depth: int
    cpv: CpvTagger | None
    foreign_weight: float
    reranker: Any | None
    feedback: Feedback

    @property
    def _cpv_name(self) -> str | None:
        return CPV if self.cpv is not None else None

    @property
    def secondary(self) -> frozenset[str]:
        """Channels whose model covers only some languages (the English MiniLM) while another
        model covers every language: they re-score that model's candidates and judge only the
        pairs where both texts are known to be in their languages. Alone, such a model ranks
        everything, at `foreign_weight` where the query is outside its languages."""
        multilingual = any(
            e.cacheable and getattr(e, "languages", None) is None for e in self.channels.values()
        )
        if not multilingual:
            return frozenset()
        return frozenset(
            name
            for name, e in self.channels.items()
            if e.cacheable and getattr(e, "languages", None) is not None
        )

    def _fuse(
        self,
        query: Document,
        raw: dict[str, np.ndarray],
        pool: Candidates,
        use_reranker: bool = True,
    ) -> Ranking:
        if len(raw) == 1:
            fused = next(iter(raw.values()))
        else:
            available = availability(
                query, list(pool.documents), self.channels, self.secondary, self._cpv_name
            )
            weights = self._weights(query)
            fused = self._fused(raw, weights, available)
            if self._feedback_source is not None and LEXICAL in raw:
                fused = self._with_feedback(raw, fused, weights, available, pool)
        candidates = np.flatnonzero(np.isfinite(fused))
        ranking = Ranking(
            query,
            candidates,
            {n: floor(r[candidates]) for n, r in raw.items()},
            fused[candidates],
            pool,
        )
        if use_reranker and self.reranker is not None and len(candidates):
            ranking = dataclasses.replace(ranking, fused=self.reranker.score(ranking))
        return ranking

    def _fused(
        self,
        raw: Mapping[str, np.ndarray],
        weights: Mapping[str, float],
        available: Mapping[str, Availability],
    ) -> np.ndarray:
        """(n_candidates,) fused scores of one query; -inf outside the fusion pool."""
        rows = {n: r[None, :] for n, r in raw.items()}
        return fuse(rows, self.fusion, weights, depth=self.depth, available=available)[0]

    @property
    def _feedback_source(self) -> str | None:
        """The dense channel whose best candidates give the feedback terms, when the engine
        also has the lexical channel they are read from (the first channel: the model)."""
        first = next(iter(self.channels))
        if not self.feedback.enabled or LEXICAL not in self.channels or first == LEXICAL:
            return None
        return first

    def _with_feedback(
        self,
        raw: Mapping[str, np.ndarray],
        fused: np.ndarray,
        weights: Mapping[str, float],
        available: Mapping[str, Availability],
        pool: Candidates,
    ) -> np.ndarray:
        """The fusion again, with the feedback channel, over the first fusion's pool (the
        columns it scored) only. Feedback is a channel of the fusion, not a score component
        of its own (it re-reads the lexical channel): the components stay the index's."""
        columns = np.flatnonzero(np.isfinite(fused))
        if not len(columns):
            return fused
        local = {n: r[columns] for n, r in raw.items()}
        local[FEEDBACK], can = self._feedback(local, fused[columns], pool, columns)
        judges = {n: _mapped(judge, columns) for n, judge in available.items()}
        judges[FEEDBACK] = _judges(can)
        weights = {**weights, FEEDBACK: self.weights.get(FEEDBACK, self.feedback.weight)}
        # every column is in the pool already; RRF counts each channel's top `depth` only
        depth = self.depth if self.fusion is Fusion.RRF else len(columns)
        result = np.full(len(fused), -np.inf)
        result[columns] = fuse(
            {n: r[None, :] for n, r in local.items()},
            self.fusion,
            weights,
            depth=depth,
            available=judges,
        )[0]
        return result

    def _feedback(
        self,
        local: Mapping[str, np.ndarray],
        fused: np.ndarray,
        pool: Candidates,
        columns: np.ndarray,
    ) -> tuple[np.ndarray, np.ndarray]:
        """The feedback channel's scores over the pool's `columns` (-inf where it did not
        score) and which of them it judges: the fused ranking's best, in a language of
        the feedback documents (their lexical rows are read for those candidates only)."""
        source = local[str(self._feedback_source)]
        best = [int(i) for i in top_k(source, self.feedback.docs)[0][0] if i >= 0]
        judged = [int(i) for i in top_k(fused, self.feedback.candidates)[0][0] if i >= 0]
        scores, can = np.full(len(columns), -np.inf), np.zeros(len(columns), dtype=bool)
        if not best or not judged:
            return scores, can
        # one read of the lexical rows: the feedback documents' first, then the judged ones'
        read = best + sorted(set(judged) - set(best))
        rows = pool.rows(LEXICAL, [int(columns[i]) for i in read])
        query = feedback_query(rows[: len(best)], self.feedback.terms)
        found = feedback_scores(rows, query)
        scores[read] = found
        languages = {language_of(pool.documents[columns[i]]) for i in best} | {""}
        can[judged] = [language_of(pool.documents[columns[i]]) in languages for i in judged]
        return scores, can

    def _weights(self, query: Document) -> dict[str, float]:
        weights = {name: self.weights.get(name, 1.0) for name in [*self.channels, CPV]}
        language = language_of(query)
        for name, embedder in self.channels.items():
            covered = getattr(embedder, "languages", None)
            if name in self.secondary:
                continue  # abstains instead, see `_availability`
            if covered is not None and language and language not in covered:
                weights[name] *= self.foreign_weight
        return weights


def _judges(can: np.ndarray) -> Availability:
    """An availability over fixed candidate columns (see `matcher.fusion.Availability`)."""

    def available(_row: int, columns: np.ndarray) -> np.ndarray:
        return can[columns]

    return available


def _mapped(judge: Availability, columns: np.ndarray) -> Availability:
    """`judge` over the candidates, asked about a subset of them (`columns`)."""

    def available(row: int, local: np.ndarray) -> np.ndarray:
        return judge(row, columns[local])

    return available
