"""The engine: two indexes (challenges, companies) under one embedder, and shortlists over them.

One relevance score per (challenge, company) pair: challenges are embedded as queries and
profiles as documents once, so "companies for a challenge" and "challenges for a company"
rank by the same number and agree with each other.
"""

from __future__ import annotations

import threading
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from matcher.documents import Document
from matcher.embedders.base import Embedder, Matrix, Progress
from matcher.explain import Explanation, SentenceScorer
from matcher.filters import Filters
from matcher.index import ExactIndex


@dataclass(frozen=True)
class Match:
    rank: int
    document: Document
    score: float
    components: dict[str, float]
    explanation: Explanation | None


class MatchEngine:
    """Thread-safe: searches and index changes take one lock, encoding happens outside it."""

    def __init__(self, embedder: Embedder) -> None:
        self.embedder = embedder
        self.challenges = ExactIndex()
        self.companies = ExactIndex()
        self._lock = threading.RLock()
        self._sentences = SentenceScorer(embedder.encode_queries, embedder.encode_documents)

    def upsert_challenges(self, documents: list[Document], vectors: Matrix) -> None:
        with self._lock:
            self.challenges.upsert(documents, vectors)

    def upsert_companies(self, documents: list[Document], vectors: Matrix) -> None:
        with self._lock:
            self.companies.upsert(documents, vectors)

    def remove_challenge(self, challenge_id: int) -> bool:
        with self._lock:
            return self.challenges.remove(challenge_id)

    def remove_company(self, company_id: int) -> bool:
        with self._lock:
            return self.companies.remove(company_id)

    def replace(self, other: MatchEngine) -> None:
        """Swap in indexes built elsewhere, so readers never see a half-built index."""
        with self._lock:
            self.challenges, self.companies = other.challenges, other.companies

    @property
    def parameters(self) -> dict[str, Any]:
        """What a match run records so that a shortlist can be reproduced later."""
        return {
            "embedder": self.embedder.fingerprint,
            "channel": self.embedder.channel,
            "metric": "cosine",
            "search": "exact",
        }

    def embed_challenges(self, texts: Sequence[str], progress: Progress | None = None) -> Matrix:
        return self.embedder.encode_queries(texts, progress)

    def embed_companies(self, texts: Sequence[str], progress: Progress | None = None) -> Matrix:
        return self.embedder.encode_documents(texts, progress)

    def shortlist(
        self, challenge_id: int, k: int, filters: Filters | None = None, explain: bool = True
    ) -> list[Match]:
        """Top `k` companies for an indexed challenge."""
        with self._lock:
            challenge = self.challenges.document(challenge_id)
            hits = self.companies.search(self.challenges.vector(challenge_id), k, filters)
        return self._matches(challenge, hits, explain, query_is_challenge=True)

    def shortlist_for_text(
        self, text: str, k: int, filters: Filters | None = None, explain: bool = True
    ) -> list[Match]:
        """Top `k` companies for a challenge text that is not indexed (a draft, a search box)."""
        query = self.embed_challenges([text])
        with self._lock:
            hits = self.companies.search(query, k, filters)
        return self._matches(Document(id=-1, text=text), hits, explain, query_is_challenge=True)

    def opportunities(
        self, company_id: int, k: int, filters: Filters | None = None, explain: bool = True
    ) -> list[Match]:
        """Top `k` challenges for an indexed company profile."""
        with self._lock:
            company = self.companies.document(company_id)
            hits = self.challenges.search(self.companies.vector(company_id), k, filters)
        return self._matches(company, hits, explain, query_is_challenge=False)

    def _matches(
        self,
        subject: Document,
        hits: list[tuple[Document, float]],
        explain: bool,
        *,
        query_is_challenge: bool,
    ) -> list[Match]:
        matches = []
        for rank, (document, score) in enumerate(hits, start=1):
            explanation = None
            if explain:
                challenge, company = (
                    (subject, document) if query_is_challenge else (document, subject)
                )
                explanation = self._sentences.explain(challenge.text, company.text)
            components = {self.embedder.channel: round(score, 6)}
            matches.append(Match(rank, document, round(score, 6), components, explanation))
        return matches
