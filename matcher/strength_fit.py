"""Fitting and measuring a strength calibration (`matcher.strength`) on labelled pairs.

Platt scaling: a logistic regression on a few features that mean the same in every list, so
the fit has little room to learn one set by heart (two or three parameters). Its quality is
the expected calibration error: over ten bins of predicted probability, how far the mean
prediction lies from the share of relevant pairs, weighted by the pairs in each bin.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
from sklearn.linear_model import LogisticRegression

from matcher.strength import Calibration, transform

BINS = 10


@dataclass(frozen=True)
class Bin:
    """One bin of a reliability diagram: predictions in [low, high); `weight` is its pairs'
    total weight (their number when the pairs are not weighted)."""

    low: float
    high: float
    pairs: int
    weight: float
    predicted: float
    observed: float


def fit_calibration(
    model: str,
    features: Sequence[str],
    values: Mapping[str, np.ndarray],
    labels: np.ndarray,
    weights: np.ndarray | None = None,
    fitted: dict[str, Any] | None = None,
) -> Calibration:
    """P(label) from the named features' (n_pairs,) raw values; `weights` balance the sets.
    Barely regularised: the few parameters are well determined by thousands of pairs. A
    feature whose fitted weight is negative says nothing the others do not (a closer pair is
    never less likely relevant): it is left out and the rest refitted, its weight 0; with none
    left, the strength is the share of relevant pairs."""
    matrix = np.column_stack([transform(n, values[n]) for n in features])
    kept = list(range(len(features)))
    coefficients = np.zeros(len(features))
    while True:
        if not kept:
            share = float(np.average(labels, weights=weights))
            intercept = float(np.log(share / (1.0 - share)))
            break
        regression = LogisticRegression(C=1e4, max_iter=1000)
        regression.fit(matrix[:, kept], labels, sample_weight=weights)
        fitted_weights = regression.coef_[0]
        if (fitted_weights >= 0).all():
            coefficients[kept] = fitted_weights
            intercept = float(regression.intercept_[0])
            break
        kept.pop(int(np.argmin(fitted_weights)))
    return Calibration(
        model, tuple(features), tuple(float(c) for c in coefficients), intercept, fitted or {}
    )


def reliability(
    predicted: np.ndarray, labels: np.ndarray, weights: np.ndarray | None = None, bins: int = BINS
) -> list[Bin]:
    """Equal-width bins over [0, 1] (the last one closed); empty bins are left out. `weights`
    count a pair as that many (a pair of a sampled corpus stands for those sampled out)."""
    weights = np.ones(len(predicted)) if weights is None else np.asarray(weights, dtype=float)
    edges = np.linspace(0.0, 1.0, bins + 1)
    which = np.clip(np.digitize(predicted, edges[1:-1]), 0, bins - 1)
    result = []
    for b in range(bins):
        inside = which == b
        if inside.any():
            w = weights[inside]
            result.append(
                Bin(
                    float(edges[b]),
                    float(edges[b + 1]),
                    int(inside.sum()),
                    float(w.sum()),
                    float(np.average(predicted[inside], weights=w)),
                    float(np.average(labels[inside], weights=w)),
                )
            )
    return result


def expected_calibration_error(
    predicted: np.ndarray, labels: np.ndarray, weights: np.ndarray | None = None
) -> float:
    """Sum over bins of |mean predicted - share relevant| x the bin's share of the pairs."""
    bins = reliability(predicted, labels, weights)
    total = sum(b.weight for b in bins)
    return sum(b.weight * abs(b.predicted - b.observed) for b in bins) / total if total else 0.0
