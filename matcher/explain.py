"""Why a pair matched: the content words both texts share and their closest sentences."""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, replace

import numpy as np
from scipy import sparse

from matcher.cpv import related_codes
from matcher.documents import Document
from matcher.embedders.base import Matrix
from matcher.requirements import requirements_of
from matcher.text import content_tokens, sentences

MIN_COMPOUND_PART = 5


@dataclass(frozen=True)
class RequirementMatch:
    """One requirement of the challenge and the profile sentence that answers it best."""

    requirement: str
    sentence: str
    score: float
    """Cosine of the requirement (as a query) and the sentence (as a document)."""
    answered: bool
    """True when this profile is among the best answers to the requirement (see
    `mark_answered`), so a coordinator sees which part of the challenge a company covers."""


@dataclass(frozen=True)
class Explanation:
    shared_terms: list[str]
    query_sentence: str
    document_sentence: str
    sentence_score: float
    shared_codes: list[str] = field(default_factory=list)
    requirements: list[RequirementMatch] = field(default_factory=list)

    def one_line(self, width: int = 90) -> str:
        terms = ", ".join(self.shared_terms[:4]) or "no shared words"
        if self.shared_codes:
            terms += f" | CPV {', '.join(self.shared_codes[:2])}"
        line = f"{terms} | “{self.document_sentence}”"
        return line if len(line) <= width else line[: width - 1] + "…"


def shared_terms(query: str, document: str, limit: int = 8) -> list[str]:
    """Content words in both texts, longest first; a compound counts when one word contains
    the other (Swedish "laddinfrastruktur" shares "infrastruktur")."""
    query_words = set(content_tokens(query))
    document_words = set(content_tokens(document))
    shared = query_words & document_words
    for word in query_words - shared:
        for other in document_words:
            shorter, longer = sorted((word, other), key=len)
            if len(shorter) >= MIN_COMPOUND_PART and shorter in longer:
                shared.add(shorter)
    return sorted(shared, key=lambda term: (-len(term), term))[:limit]


class SentenceScorer:
    """Finds the best-matching sentence pair, caching sentence vectors by text.

    `encode_query` / `encode_document` are the embedder's two sides, so asymmetric models
    see a challenge sentence as a query and a profile sentence as a document.
    """

    def __init__(
        self,
        encode_query: Callable[[Sequence[str]], Matrix],
        encode_document: Callable[[Sequence[str]], Matrix],
        cache_size: int = 50_000,
    ) -> None:
        self._encode = {"q": encode_query, "d": encode_document}
        self._cache: OrderedDict[tuple[str, str], np.ndarray] = OrderedDict()
        self._cache_size = cache_size
        self._lock = threading.Lock()

    def best_pair(self, query: str, document: str) -> tuple[str, str, float]:
        query_sentences, document_sentences = sentences(query), sentences(document)
        similarity = self._vectors("q", query_sentences) @ self._vectors("d", document_sentences).T
        q, d = np.unravel_index(int(np.argmax(similarity)), similarity.shape)
        return query_sentences[q], document_sentences[d], float(similarity[q, d])

    def explain(self, query: str, document: str) -> Explanation:
        query_sentence, document_sentence, score = self.best_pair(query, document)
        return Explanation(
            shared_terms(query, document), query_sentence, document_sentence, round(score, 4)
        )

    def requirements(self, requirements: list[str], document: str) -> list[RequirementMatch]:
        """Per requirement, the document sentence that answers it best (requirement x sentence
        scores, max-pooled over sentences); none is marked answered yet."""
        if not requirements:
            return []
        document_sentences = sentences(document)
        similarity = self._vectors("q", requirements) @ self._vectors("d", document_sentences).T
        best = similarity.argmax(axis=1)
        return [
            RequirementMatch(text, document_sentences[b], round(float(similarity[r, b]), 4), False)
            for r, (text, b) in enumerate(zip(requirements, best, strict=True))
        ]

    def _vectors(self, side: str, texts: list[str]) -> np.ndarray:
        with self._lock:
            return self._cached_vectors(side, texts)

    def _cached_vectors(self, side: str, texts: list[str]) -> np.ndarray:
        missing = [text for text in dict.fromkeys(texts) if (side, text) not in self._cache]
        if missing:
            encoded = self._encode[side](missing)
            dense = encoded.toarray() if sparse.issparse(encoded) else np.asarray(encoded)
            for text, vector in zip(missing, dense, strict=True):
                self._cache[(side, text)] = vector
        result = np.vstack([self._cache[(side, text)] for text in texts])
        while len(self._cache) > self._cache_size:
            self._cache.popitem(last=False)
        return result


def mark_answered(
    rows: list[list[RequirementMatch]], share: float = 0.75
) -> list[list[RequirementMatch]]:
    """Mark what each candidate answers, given one row per candidate for the same requirements.

    Scores of one model sit in a narrow band (e5: 0.75-1.0), so no fixed threshold carries
    across models: a requirement counts as answered by the candidates whose score reaches
    `share` of the way from the lowest to the highest score for it (the top quarter by default).
    A single candidate answers its best one."""
    if not rows or not rows[0]:
        return rows
    scores = np.array([[match.score for match in row] for row in rows])
    if len(rows) == 1:
        answered = scores == scores.max(axis=1, keepdims=True)
    else:
        low, high = scores.min(axis=0), scores.max(axis=0)
        answered = (scores - low) >= share * (high - low)
        answered &= high > low
    return [
        [replace(match, answered=bool(answered[i, r])) for r, match in enumerate(row)]
        for i, row in enumerate(rows)
    ]


def explain_pairs(
    scorer: SentenceScorer, pairs: list[tuple[Document, Document]], *, one_challenge: bool
) -> list[Explanation]:
    """Explanations for (challenge, company) pairs: shared terms and codes, the closest
    sentences, and the requirements each company answers. `one_challenge`: the pairs are one
    challenge's shortlist, so its requirements are compared across the companies on it."""
    answers = [
        scorer.requirements(requirements_of(challenge), company.text)
        for challenge, company in pairs
    ]
    answers = mark_answered(answers) if one_challenge else [mark_answered([a])[0] for a in answers]
    return [
        replace(
            scorer.explain(challenge.text, company.text),
            shared_codes=related_codes(challenge.all_codes, company.all_codes),
            requirements=answered,
        )
        for (challenge, company), answered in zip(pairs, answers, strict=True)
    ]
