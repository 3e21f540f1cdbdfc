"""Which pairs a channel can judge, so that it abstains on the others instead of counting
its structural zero as evidence against them (see `matcher.fusion.fuse`).

BM25 cannot compare texts in two languages; an English-only model beside a multilingual one
judges only English pairs; the CPV channel only pairs where both sides declare codes.
"""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np

from matcher.documents import Document
from matcher.embedders.base import Embedder
from matcher.fusion import Availability
from matcher.text import guess_language


def language_of(document: Document) -> str:
    """The declared language, else a guess from the text; "" when there is no evidence."""
    return (document.fields.get("language") or guess_language(document.text) or "").lower()


def availability(
    query: Document,
    documents: list[Document],
    channels: Mapping[str, Embedder],
    secondary: frozenset[str],
    cpv: str | None,
) -> dict[str, Availability]:
    """Per channel that can abstain, which candidates (rows of `documents`) it judges."""
    language = language_of(query)
    result: dict[str, Availability] = {}
    if language:
        for name, embedder in channels.items():
            if getattr(embedder, "crosses_languages", True) is False:
                result[name] = _same_language(documents, language)
    for name in secondary:
        covered = getattr(channels[name], "languages", None) or frozenset()
        result[name] = _within(documents, covered) if language in covered else _nobody
    if cpv is not None:
        result[cpv] = _declared(documents) if query.codes else _nobody
    return result


def floor(values: np.ndarray) -> np.ndarray:
    """A channel that did not score a candidate (a re-scoring or approximate channel outside
    its candidates) reports its lowest score there, never -inf."""
    finite = np.isfinite(values)
    if finite.all():
        return values
    return np.where(finite, values, values[finite].min() if finite.any() else 0.0)


def _nobody(_row: int, pool: np.ndarray) -> np.ndarray:
    return np.zeros(len(pool), dtype=bool)


def _same_language(documents: list[Document], language: str) -> Availability:
    def available(_row: int, pool: np.ndarray) -> np.ndarray:
        found = (language_of(documents[c]) for c in pool)
        return np.fromiter((d in ("", language) for d in found), dtype=bool, count=len(pool))

    return available


def _within(documents: list[Document], languages: frozenset[str]) -> Availability:
    def available(_row: int, pool: np.ndarray) -> np.ndarray:
        found = (language_of(documents[c]) for c in pool)
        return np.fromiter((d in languages for d in found), dtype=bool, count=len(pool))

    return available


def _declared(documents: list[Document]) -> Availability:
    def available(_row: int, pool: np.ndarray) -> np.ndarray:
        return np.fromiter((bool(documents[c].codes) for c in pool), dtype=bool, count=len(pool))

    return available
