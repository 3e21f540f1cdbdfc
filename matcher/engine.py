"""The engine: challenges and companies indexed over several channels, ranked by fusion.

Channels are embedders (dense sentence-transformers, lexical BM25, TF-IDF) plus, with a CPV
tagger, the `cpv` channel of shared procurement codes. One relevance score per (challenge,
company) pair: challenges are encoded as queries and profiles as documents once, so "companies
for a challenge" and "challenges for a company" rank by the same numbers.
"""

from __future__ import annotations

import contextlib
import copy
import dataclasses
import threading
from collections.abc import Iterator, Mapping, Sequence
from typing import Any

from matcher.backends import IndexFactory, Side, TargetIndex
from matcher.consortia import Team, best_teams
from matcher.controls import Controls
from matcher.cpv import CpvTagger, CpvVectors
from matcher.documents import Document
from matcher.embedders.base import Embedder, Matrix, Progress
from matcher.explain import SentenceScorer
from matcher.feedback import Feedback
from matcher.filters import Filters
from matcher.fusing import CPV, Fusing
from matcher.fusion import Fusion
from matcher.index import ExactIndex
from matcher.requirements import coverage, requirements_of
from matcher.selection import Match, Ranking, components_at, matches, top_hits
from matcher.strength import Calibrations
from matcher.strength_pairs import PairStrength
from matcher.topk import top_k

__all__ = ["CPV", "Match", "MatchEngine", "Ranking", "Side"]


class MatchEngine(Fusing):
    """Thread-safe: searches and index changes take one lock; encoding happens outside it
    (an index in a database needs none: the database isolates its readers and writers).

    `indexes` makes the index of each side (`matcher.backends`); in-process by default.
    `weights` scale each channel in the fusion; `foreign_weight` scales a dense channel whose
    model does not cover the query's language (an English-only model on a Swedish query).
    `feedback` adds the pseudo-relevance feedback channel (`matcher.feedback`) where there is
    a dense and a lexical channel; `Feedback(docs=0)` turns it off. `calibrations` turn a
    pair's channel scores into its strength (`matcher.strength`; the shipped file by default).
    """

    def __init__(
        self,
        channels: Mapping[str, Embedder] | Embedder,
        *,
        fusion: Fusion = Fusion.ZSCORE,
        weights: Mapping[str, float] | None = None,
        depth: int = 100,
        cpv: CpvTagger | None = None,
        foreign_weight: float = 0.5,
        reranker: Any | None = None,
        ann_threshold: int | None = None,
        indexes: IndexFactory | None = None,
        feedback: Feedback | None = None,
        calibrations: Calibrations | None = None,
    ) -> None:
        if not isinstance(channels, Mapping):
            channels = {channels.channel: channels}
        self.channels: dict[str, Embedder] = dict(channels)
        self.fusion = fusion
        self.weights = dict(weights or {})
        self.depth = depth
        self.cpv = cpv
        self.foreign_weight = foreign_weight
        self.reranker = reranker
        self.feedback = feedback if feedback is not None else Feedback()
        self.calibrations = calibrations
        self.degraded: str | None = None
        """Why the engine runs with fewer channels than configured, if it does."""
        self.cpv_vectors = CpvVectors()
        self.ann_threshold = ann_threshold
        self.indexes = indexes
        self.challenges = indexes("challenge") if indexes else ExactIndex(ann_threshold)
        self.companies = indexes("company") if indexes else ExactIndex(ann_threshold)
        self._lock: Any = threading.RLock() if indexes is None else contextlib.nullcontext()
        explainer = next(iter(self.channels.values()))
        self._sentences = SentenceScorer(explainer.encode_queries, explainer.encode_documents)

    @property
    def embedder(self) -> Embedder:
        """The first channel: it names the model in /health and explains sentences."""
        return next(iter(self.channels.values()))

    @property
    def fingerprint(self) -> str:
        return " + ".join(e.fingerprint for e in self.channels.values()) + (
            " + cpv" if self.cpv else ""
        )

    @property
    def parameters(self) -> dict[str, Any]:
        """What a match run records so that a shortlist can be reproduced later."""
        return {
            "channels": {name: e.fingerprint for name, e in self.channels.items()},
            "cpv": self.cpv is not None,
            "fusion": self.fusion.value,
            "weights": self.weights,
            "foreign_weight": self.foreign_weight,
            "depth": self.depth,
            "search": "hnsw" if self.companies.approximate_channels else "exact",
            "reranker": getattr(self.reranker, "version", None),
            "feedback": dataclasses.asdict(self.feedback) if self._feedback_source else None,
            "strength": self.pair_strength.version,
        }

    def fit(self, corpus: Sequence[str]) -> None:
        """Fit the channels that learn from the corpus (BM25, TF-IDF)."""
        for embedder in self.channels.values():
            if not embedder.cacheable and corpus:
                embedder.fit(corpus)

    def ensure_fitted(self, texts: Sequence[str]) -> None:
        for embedder in self.channels.values():
            if not embedder.is_fitted:
                embedder.fit(texts)

    def prepare(self, documents: Sequence[Document]) -> list[Document]:
        """Tag CPV codes in the texts (kept apart from the declared ones: they filter and
        explain, but only declared codes rank)."""
        if self.cpv is None:
            return list(documents)
        tags = self.cpv.tag(d.text for d in documents)
        return [
            dataclasses.replace(d, tagged=tuple(c for c, _ in t if c not in d.codes))
            for d, t in zip(documents, tags, strict=True)
        ]

    def encode(
        self,
        side: Side,
        documents: Sequence[Document],
        precomputed: Mapping[str, Matrix] | None = None,
        progress: Progress | None = None,
    ) -> dict[str, Matrix]:
        """Vectors of every channel for prepared documents; `precomputed` ones are kept."""
        vectors = dict(precomputed or {})
        texts = [d.text for d in documents]
        for name, embedder in self.channels.items():
            if name not in vectors:
                encode = (
                    embedder.encode_queries if side == "challenge" else embedder.encode_documents
                )
                vectors[name] = encode(texts, progress)
        if self.cpv is not None:
            vectors[CPV] = self.cpv_vectors.encode([d.codes for d in documents])
        return vectors

    def upsert(self, side: Side, documents: list[Document], vectors: Mapping[str, Matrix]) -> None:
        with self._lock:
            self.index(side).upsert(documents, vectors)

    def remove(self, side: Side, document_id: int) -> bool:
        with self._lock:
            return self.index(side).remove(document_id)

    @contextlib.contextmanager
    def locked(self) -> Iterator[None]:
        """Hold off searches and index changes, so a snapshot copies one consistent index."""
        with self._lock:
            yield

    def spawn(self) -> MatchEngine:
        """An empty engine with this configuration and its own copies of the fitted channels,
        to rebuild in while this one keeps serving."""
        channels = {n: e if e.cacheable else copy.deepcopy(e) for n, e in self.channels.items()}
        return MatchEngine(
            channels,
            fusion=self.fusion,
            weights=self.weights,
            depth=self.depth,
            cpv=self.cpv,
            foreign_weight=self.foreign_weight,
            reranker=self.reranker,
            ann_threshold=self.ann_threshold,
            indexes=self.indexes,
            feedback=self.feedback,
            calibrations=self.calibrations,
        )

    def adopt(self, other: MatchEngine) -> None:
        """Swap in channels and indexes built elsewhere: readers never see a half-built index."""
        with self._lock:
            self.channels = other.channels
            self.challenges, self.companies = other.challenges, other.companies
            self._sentences = other._sentences

    def shortlist(
        self,
        challenge_id: int,
        k: int,
        filters: Filters | None = None,
        explain: bool = True,
        controls: Controls | None = None,
    ) -> list[Match]:
        """Top `k` companies for an indexed challenge, with optional shortlist controls."""
        with self._lock:
            challenge, vectors = self.challenges.entry(challenge_id)
            ranking = self._rank(challenge, vectors, self.companies, filters)
            hits = top_hits(ranking, k, controls, diversity_channel=next(iter(self.channels)))
            strength = self.pair_strength
        return matches(
            self._sentences, challenge, hits, explain, query_is_challenge=True, strength=strength
        )

    def consortia(
        self, challenge_id: int, size: int, k: int, filters: Filters | None = None, pool: int = 15
    ) -> tuple[list[str], list[Document], list[Team]]:
        """Teams of `size` from the challenge's top `pool` companies that together cover its
        requirements best. Returns (requirements, candidates, teams)."""
        with self._lock:
            challenge, vectors = self.challenges.entry(challenge_id)
            ranking = self._rank(challenge, vectors, self.companies, filters)
            order, _ = top_k(ranking.fused, pool)
            rows = [int(ranking.rows[i]) for i in order[0] if i >= 0]
            assert ranking.pool is not None
            candidates = [ranking.pool.documents[r] for r in rows]
            stacked = {n: ranking.pool.rows(n, rows) for n in self.channels} if rows else {}
        requirements = requirements_of(challenge)
        if not candidates:  # the filters left nobody
            return requirements, [], []
        queries = {n: e.encode_queries(requirements) for n, e in self.channels.items()}
        covered = coverage(queries, stacked, {})
        return requirements, candidates, best_teams(covered, size, k)

    def opportunities(
        self, company_id: int, k: int, filters: Filters | None = None, explain: bool = True
    ) -> list[Match]:
        """Top `k` challenges for an indexed company profile (the same pair scores)."""
        with self._lock:
            company, vectors = self.companies.entry(company_id)
            ranking = self._rank(company, vectors, self.challenges, filters)
            hits = top_hits(ranking, k, diversity_channel=next(iter(self.channels)))
            strength = self.pair_strength
        return matches(
            self._sentences, company, hits, explain, query_is_challenge=False, strength=strength
        )

    @property
    def pair_strength(self) -> PairStrength:
        """How the engine's channels turn a pair's scores into its strength (taken under the
        lock with the ranking: `adopt` may swap the fitted BM25 the strength reads)."""
        return PairStrength(self.channels, self.calibrations)

    def strengths(self, ranking: Ranking, positions: Sequence[int]) -> list[float | None]:
        """The strengths of a challenge's candidates at `positions` of its ranking (from
        `rank_query` or `ranking_for_challenge`), as `shortlist` gives them."""
        assert ranking.pool is not None
        chosen = [ranking.pool.documents[ranking.rows[i]] for i in positions]
        components = [components_at(ranking, i) for i in positions]
        return self.pair_strength.pairs([ranking.query] * len(chosen), chosen, components)

    def ranking_for_challenge(self, challenge_id: int, use_reranker: bool = True) -> Ranking:
        """The full candidate ranking of companies for an indexed challenge (for training)."""
        with self._lock:
            challenge, vectors = self.challenges.entry(challenge_id)
            return self._rank(
                challenge,
                vectors,
                self.companies,
                None,
                use_reranker=use_reranker,
            )

    def rank_query(self, query: Document, vectors: Mapping[str, Matrix]) -> Ranking:
        """The company index ranked for one prepared query (see `prepare` and `encode`)."""
        with self._lock:
            return self._rank(query, vectors, self.companies, None)

    def index(self, side: Side) -> TargetIndex:
        return self.challenges if side == "challenge" else self.companies

    def _rank(
        self,
        query: Document,
        vectors: Mapping[str, Matrix],
        target: TargetIndex,
        filters: Filters | None,
        use_reranker: bool = True,
    ) -> Ranking:
        pool = target.candidates(
            vectors, filters or Filters(), depth=self.depth, rescore=self.secondary
        )
        order = [n for n in [*self.channels, CPV] if n in pool.scores]
        raw = {name: pool.scores[name] for name in order}
        return self._fuse(query, raw, pool, use_reranker)
