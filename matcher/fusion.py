"""Fusion of ranked channels (lexical, dense, CPV) into one ranking: named, tested strategies.

Every function takes channel score matrices of one shape, (n_queries, n_docs), and returns the
fused (n_queries, n_docs) matrix; higher is better.
"""

from __future__ import annotations

from collections.abc import Mapping
from enum import StrEnum

import numpy as np

from matcher.index import top_k


class Fusion(StrEnum):
    RRF = "rrf"
    """Reciprocal rank fusion (Cormack et al. 2009): sum of weight / (k + rank)."""
    MINMAX = "minmax"
    """Weighted sum of scores min-max scaled to [0, 1] over each query's candidate pool."""
    ZSCORE = "zscore"
    """Weighted sum of standardised scores (distribution-based: mean and spread per query)."""


def fuse(
    scores: Mapping[str, np.ndarray],
    strategy: Fusion,
    weights: Mapping[str, float] | None = None,
    *,
    depth: int = 100,
    rrf_k: float = 60.0,
) -> np.ndarray:
    """Combine channels; only each channel's top `depth` count as candidates of that channel."""
    weights = {name: (weights or {}).get(name, 1.0) for name in scores}
    if strategy is Fusion.RRF:
        return _rrf(scores, weights, depth, rrf_k)
    return _weighted(scores, weights, depth, strategy)


def _rrf(
    scores: Mapping[str, np.ndarray], weights: Mapping[str, float], depth: int, rrf_k: float
) -> np.ndarray:
    first = next(iter(scores.values()))
    fused = np.zeros(first.shape, dtype=np.float64)
    ranks = np.arange(1, first.shape[1] + 1, dtype=np.float64)
    for name, matrix in scores.items():
        indices, _ = top_k(matrix, depth)
        for row, best in enumerate(indices):
            best = best[best >= 0]
            fused[row, best] += weights[name] / (rrf_k + ranks[: len(best)])
    return fused


def _weighted(
    scores: Mapping[str, np.ndarray], weights: Mapping[str, float], depth: int, strategy: Fusion
) -> np.ndarray:
    """Works on each row's pool only (the union of the channels' top `depth`), so the cost
    beyond the top-k selection does not grow with the corpus."""
    first = next(iter(scores.values()))
    fused = np.full(first.shape, -np.inf, dtype=np.float64)
    tops = {name: top_k(matrix, depth)[0] for name, matrix in scores.items()}
    for row in range(first.shape[0]):
        pool = np.unique(np.concatenate([best[row][best[row] >= 0] for best in tops.values()]))
        if not len(pool):
            continue
        total = np.zeros(len(pool))
        for name, matrix in scores.items():
            total += weights[name] * _normalise(
                np.asarray(matrix[row, pool], dtype=np.float64), strategy
            )
        fused[row, pool] = total
    return fused


def _normalise(values: np.ndarray, strategy: Fusion) -> np.ndarray:
    """Scale one row's pool values; values a channel did not score count as its worst."""
    finite = np.isfinite(values)
    if not finite.any():
        return np.zeros_like(values)
    values = np.where(finite, values, values[finite].min())
    if strategy is Fusion.MINMAX:
        low, spread = values.min(), values.max() - values.min()
        return (values - low) / spread if spread > 0 else np.zeros_like(values)
    spread = values.std()
    return (values - values.mean()) / spread if spread > 0 else np.zeros_like(values)
