"""The strength of pairs for one engine: which calibration judges a pair, and what it reads.

A pair is judged by the richest calibration fitted for the engine's model whose features can
speak on it: the model's cosine and the lexical ratio where BM25 can compare the two texts,
the cosine alone where they are in two languages the model covers (BM25's zero there is no
evidence); the lexical one where the model has no calibration, or does not cover a language of
the pair (an English-only model's cosine between Swedish and Danish says nothing). The lexical ratio
divides the pair's BM25 by the challenge's bound, sum over its terms of count x idf x (k1+1):
the most any profile could score for it. It depends on the challenge and the fitted IDF only,
never on the other documents indexed since the fit.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np

from matcher.abstention import language_of
from matcher.documents import Document
from matcher.embedders.base import Embedder
from matcher.strength import LEXICAL, MODEL, Calibration, Calibrations, load_calibrations


def model_key(embedder: Embedder) -> str:
    """What a calibration is stored under: the fingerprint of a model (its vectors), the
    channel of a corpus-fitted one (`tfidf`, `lexical`), whose fingerprint names the corpus."""
    return embedder.fingerprint if embedder.cacheable else embedder.channel


def lexical_bounds(lexical: Any, texts: Sequence[str]) -> np.ndarray:
    """(len(texts),) the most a document could score in BM25 for each challenge text."""
    if not texts:
        return np.zeros(0)
    counts = lexical.encode_queries(list(texts))
    ceiling = np.asarray(lexical.idf_, dtype=np.float64) * (lexical.k1 + 1)
    return np.asarray(counts @ ceiling, dtype=np.float64).ravel()


class PairStrength:
    """The calibrations that apply to an engine's channels (the first is its model)."""

    def __init__(
        self, channels: Mapping[str, Embedder], calibrations: Calibrations | None = None
    ) -> None:
        found = calibrations if calibrations is not None else load_calibrations()
        self.model_channel, model = next(iter(channels.items()))
        lexical = channels.get(LEXICAL)
        self.lexical = lexical if getattr(lexical, "idf_", None) is not None else None
        self.model_languages = getattr(model, "languages", None)
        """The languages the model covers (None: any)."""
        key = model_key(model)
        own = self.model_channel != LEXICAL
        self.both = found.find(key, (MODEL, LEXICAL)) if own and self.lexical else None
        self.alone = found.find(key, (MODEL,)) if own else None
        self.fallback = found.find(LEXICAL, (LEXICAL,)) if self.lexical else None

    @property
    def version(self) -> str | None:
        """Names the fitted coefficients in use, so a stored run says which strengths it shows
        (a refit changes them without changing the ranking)."""
        used = [c.as_json() for c in (self.both, self.alone, self.fallback) if c is not None]
        if not used:
            return None
        for entry in used:
            entry.pop("fitted")
        digest = hashlib.sha256(json.dumps(used, sort_keys=True).encode()).hexdigest()
        return digest[:12]

    @property
    def any(self) -> bool:
        return any((self.both, self.alone, self.fallback))

    def pairs(
        self,
        challenges: Sequence[Document],
        companies: Sequence[Document],
        components: Sequence[Mapping[str, float]],
    ) -> list[float | None]:
        """Per (challenges[i], companies[i]) pair with the channel scores `components[i]`,
        its strength in [0, 1]; None where no fitted calibration can judge it."""
        if not self.any or not components:
            return [None] * len(components)
        values, speaks = self.features(challenges, companies, components)
        covered = self._model_covers(challenges, companies)
        result: list[float | None] = [None] * len(components)
        for calibration, chosen in self._choices(speaks, covered):
            if calibration is not None and chosen.any():
                rows = np.flatnonzero(chosen)
                picked = {n: values[n][rows] for n in calibration.features}
                for row, p in zip(rows, calibration.probability(picked), strict=True):
                    result[row] = round(float(p), 4)
        return result

    def features(
        self,
        challenges: Sequence[Document],
        companies: Sequence[Document],
        components: Sequence[Mapping[str, float]],
    ) -> tuple[dict[str, np.ndarray], np.ndarray]:
        """Each feature's (n_pairs,) raw values, and where BM25 can compare the pair."""
        values = {
            MODEL: np.array([c.get(self.model_channel, 0.0) for c in components], dtype=float),
            LEXICAL: self._lexical_ratios(challenges, components),
        }
        return values, self._lexical_speaks(challenges, companies)

    def choices(
        self,
        challenges: Sequence[Document],
        companies: Sequence[Document],
        speaks: np.ndarray,
    ) -> list[tuple[Calibration | None, np.ndarray]]:
        """Which of these pairs (`speaks` from `features`) each calibration judges."""
        return self._choices(speaks, self._model_covers(challenges, companies))

    def _choices(
        self, speaks: np.ndarray, covered: np.ndarray
    ) -> list[tuple[Calibration | None, np.ndarray]]:
        """Which pairs each calibration judges: the first that can, in this order. The lexical
        fallback takes what the model may not judge: a pair sharing no word is weak there."""
        left = np.ones(len(speaks), dtype=bool)
        choices = []
        for calibration, where in ((self.both, speaks & covered), (self.alone, covered)):
            if calibration is not None:
                chosen = left & where
                choices.append((calibration, chosen))
                left &= ~chosen
        choices.append((self.fallback, left & (speaks | ~covered)))
        return choices

    def _model_covers(
        self, challenges: Sequence[Document], companies: Sequence[Document]
    ) -> np.ndarray:
        """Where the model knows both texts' languages (an unknown language counts as known)."""
        if self.model_languages is None:
            return np.ones(len(companies), dtype=bool)
        known = set(self.model_languages)
        return np.array(
            [
                all(language_of(d) in known | {""} for d in (a, b))
                for a, b in zip(challenges, companies, strict=True)
            ],
            dtype=bool,
        )

    def _lexical_speaks(
        self, challenges: Sequence[Document], companies: Sequence[Document]
    ) -> np.ndarray:
        """Where BM25 can compare the pair: one language, or a language unknown."""
        if self.lexical is None:
            return np.zeros(len(companies), dtype=bool)
        languages = {id(d): language_of(d) for d in [*challenges, *companies]}
        return np.array(
            [
                "" in (languages[id(a)], languages[id(b)]) or languages[id(a)] == languages[id(b)]
                for a, b in zip(challenges, companies, strict=True)
            ],
            dtype=bool,
        )

    def _lexical_ratios(
        self, challenges: Sequence[Document], components: Sequence[Mapping[str, float]]
    ) -> np.ndarray:
        if self.lexical is None:
            return np.zeros(len(components))
        distinct = {id(c): c for c in challenges}
        found = lexical_bounds(self.lexical, [c.text for c in distinct.values()])
        bounds = dict(zip(distinct, found, strict=True))
        raw = np.array([c.get(LEXICAL, 0.0) for c in components], dtype=float)
        bound = np.array([bounds[id(c)] for c in challenges], dtype=float)
        return np.clip(raw / np.where(bound > 0, bound, np.inf), 0.0, 1.0)
