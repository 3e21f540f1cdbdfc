"""A challenge's requirements, and how well each candidate covers each of them.

A challenge asks for several things; a profile answers some. Splitting the challenge into its
requirements lets the engine explain which requirement a company answers and build teams whose
members cover different requirements. (Ranking on pooled requirement scores was measured and
lost on the sample: see the README.)
"""

from __future__ import annotations

import re
from collections.abc import Mapping

import numpy as np
from scipy import sparse

from matcher.documents import Document
from matcher.embedders.base import Matrix

_SENTENCE = re.compile(r"(?<=[.!?])\s+|\n+")
_CLAUSE = re.compile(r"(?<=[;:])\s+|\s+(?:samt|as well as|and also|og også|sekä)\s+", re.IGNORECASE)
# Words with which a challenge asks for something, in the languages challenges are written in.
_ASKS = re.compile(
    r"\b(?:söker|sökes|behöver|behövs|efterfrågar|efterlyser|önskar|ska|skall|bör|krävs|kräver"
    r"|letar|seek\w*|need\w*|looking for|requir\w*|must|should|shall|invit\w*"
    r"|søger|søker|behøver|trenger|skal|ønsker|efterspørger|etsi\w*|tarvi\w*|pitää|täytyy"
    r"|edellyt\w*)\b",
    re.IGNORECASE,
)


def requirements_of(challenge: Document) -> list[str]:
    """The challenge's requirements (its title, before the first ". ", is left out)."""
    return split_requirements(challenge.text.split(". ", 1)[-1])


def split_requirements(text: str, min_words: int = 3) -> list[str]:
    """Sentences and clauses of a challenge text, each long enough to ask for something.

    Background before the first sentence that asks ("söker", "need", "skal", "etsii", ...) is
    left out: "Stockholm wants to halve its emissions by 2030" says why, not what, and a team
    should not be rewarded for echoing it. A text that never asks keeps every sentence."""
    sentences = [sentence for sentence in _SENTENCE.split(text) if sentence.strip()]
    first = next((i for i, sentence in enumerate(sentences) if _ASKS.search(sentence)), 0)
    pieces = [
        piece.strip(" .,;:")
        for sentence in sentences[first:]
        for clause in _CLAUSE.split(sentence)
        for piece in _list_items(clause)
    ]
    return [piece for piece in pieces if len(piece.split()) >= min_words] or [text.strip()]


def _list_items(clause: str, min_item_words: int = 4) -> list[str]:
    """A comma list of things asked for ("charging at depots, grid planning and scheduling
    software") is one requirement per item when every item is a phrase of its own; a list of
    nouns ("grävmaskiner, hjullastare") stays one requirement."""
    items = [item for item in clause.split(",") if item.strip()]
    if len(items) > 1 and all(len(item.split()) >= min_item_words for item in items):
        return items
    return [clause]


def coverage(
    queries: Mapping[str, Matrix], documents: Mapping[str, Matrix], weights: Mapping[str, float]
) -> np.ndarray:
    """(n_requirements, n_candidates) in [0, 1]: per channel, requirement x candidate scores
    min-max scaled per requirement over the candidates, then averaged with the channel weights.

    Scaling is relative to the candidates: 1.0 is the best candidate for that requirement."""
    total, weight_sum = None, 0.0
    for name, query in queries.items():
        weight = weights.get(name, 1.0)
        if weight <= 0 or name not in documents:
            continue
        raw = query @ documents[name].T
        raw = np.asarray(raw.todense() if sparse.issparse(raw) else raw, dtype=float)
        low, high = raw.min(axis=1, keepdims=True), raw.max(axis=1, keepdims=True)
        spread = np.where(high > low, high - low, 1.0)
        scaled = np.where(high > low, (raw - low) / spread, 0.0)
        total = weight * scaled if total is None else total + weight * scaled
        weight_sum += weight
    if total is None:
        return np.zeros((0, 0))
    return total / weight_sum
