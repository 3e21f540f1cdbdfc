"""A match's strength: the estimated probability that a (challenge, company) pair is relevant.

A fused score is relative to its list (z-scores over one query's candidates): 3.0 in one list
and 3.0 in another say different things, and a list of weak answers still has a best one with
a full bar. The strength reads only what is comparable across lists, languages and index
sizes: the model's cosine of the pair and its BM25 score divided by the most the challenge's
terms could score (`matcher.strength_pairs`), through a logistic regression (Platt scaling)
fitted on labelled pairs per model by `benchmarks/fit_strength.py` and shipped in
data/strength.json. Adding other documents to the index changes neither figure, so a pair
keeps its strength whatever else is indexed; one figure means the same on every page.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from enum import StrEnum
from functools import lru_cache
from pathlib import Path
from typing import Any

import numpy as np

CALIBRATION_FILE = Path(__file__).resolve().parents[1] / "data" / "strength.json"
MODEL = "model"
"""Feature: the cosine of the engine's first channel (its model) for the pair."""
LEXICAL = "lexical"
"""Feature: the pair's BM25 over the challenge's bound (`matcher.strength_pairs`), in [0, 1]."""

STRONG_AT = 0.5
"""From here the pair is more likely relevant than not (held out, the default model's strong
pairs were 64% relevant: `benchmarks/fit_strength.py`)."""
POSSIBLE_AT = 0.2
"""From here one pair in five or more is relevant: worth a look, not yet an answer (held out,
28% of the possible pairs were relevant, 2% of the weak ones)."""


class Strength(StrEnum):
    """A strength in words, by fixed thresholds (the same in lists, shortlists and alerts)."""

    STRONG = "strong"
    POSSIBLE = "possible"
    WEAK = "weak"

    @classmethod
    def of(cls, probability: float) -> Strength:
        if probability >= STRONG_AT:
            return cls.STRONG
        return cls.POSSIBLE if probability >= POSSIBLE_AT else cls.WEAK


def transform(feature: str, values: np.ndarray) -> np.ndarray:
    """What the logistic regression reads: a cosine as it is, the lexical ratio under a square
    root (most pairs share a few terms: the root spreads the low end the labels tell apart)."""
    values = np.asarray(values, dtype=np.float64)
    return np.sqrt(np.clip(values, 0.0, 1.0)) if feature == LEXICAL else values


@dataclass(frozen=True)
class Calibration:
    """One fitted logistic regression: P(relevant) from `features` of a pair, for `model`
    (an embedder's fingerprint, or its channel for the corpus-fitted ones: `lexical`, `tfidf`).
    `fitted` says on what, when, how many pairs, and the expected calibration error per set."""

    model: str
    features: tuple[str, ...]
    coefficients: tuple[float, ...]
    intercept: float
    fitted: dict[str, Any] = field(default_factory=dict, compare=False)

    def probability(self, values: Mapping[str, np.ndarray]) -> np.ndarray:
        """(n_pairs,) strengths in [0, 1] from each feature's (n_pairs,) raw values."""
        logit = np.full(len(next(iter(values.values()))), self.intercept, dtype=np.float64)
        for name, coefficient in zip(self.features, self.coefficients, strict=True):
            logit += coefficient * transform(name, values[name])
        return 1.0 / (1.0 + np.exp(-logit))

    def as_json(self) -> dict[str, Any]:
        return {
            "model": self.model,
            "features": list(self.features),
            "coefficients": [round(c, 6) for c in self.coefficients],
            "intercept": round(self.intercept, 6),
            "fitted": self.fitted,
        }

    @classmethod
    def from_json(cls, entry: Mapping[str, Any]) -> Calibration:
        return cls(
            model=str(entry["model"]),
            features=tuple(entry["features"]),
            coefficients=tuple(float(c) for c in entry["coefficients"]),
            intercept=float(entry["intercept"]),
            fitted=dict(entry.get("fitted") or {}),
        )


@dataclass(frozen=True)
class Calibrations:
    """Every fitted calibration, found by model and features."""

    entries: tuple[Calibration, ...] = ()

    def find(self, model: str, features: Sequence[str]) -> Calibration | None:
        wanted = tuple(features)
        return next((e for e in self.entries if e.model == model and e.features == wanted), None)

    def replaced(self, new: Sequence[Calibration]) -> Calibrations:
        """These calibrations with `new` ones in place of those for the same model and features."""
        keys = {(c.model, c.features) for c in new}
        kept = [e for e in self.entries if (e.model, e.features) not in keys]
        return Calibrations((*kept, *new))

    def as_json(self) -> dict[str, Any]:
        return {
            "about": "P(relevant) of a (challenge, company) pair: logistic regressions written "
            "by benchmarks/fit_strength.py; see matcher/strength.py",
            "thresholds": {Strength.STRONG.value: STRONG_AT, Strength.POSSIBLE.value: POSSIBLE_AT},
            "calibrations": [e.as_json() for e in self.entries],
        }


@lru_cache(maxsize=4)
def load_calibrations(path: Path = CALIBRATION_FILE) -> Calibrations:
    """The shipped calibrations; none when the file is absent (strengths are then None)."""
    if not path.is_file():
        return Calibrations()
    stored = json.loads(path.read_text(encoding="utf-8"))
    return Calibrations(tuple(Calibration.from_json(e) for e in stored["calibrations"]))


def save_calibrations(calibrations: Calibrations, path: Path = CALIBRATION_FILE) -> None:
    path.write_text(
        json.dumps(calibrations.as_json(), indent=2, ensure_ascii=False) + "\n", encoding="utf-8"
    )
    load_calibrations.cache_clear()
