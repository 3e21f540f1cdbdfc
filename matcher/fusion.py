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
    first = next(iter(scores.values()))
    pool = np.zeros(first.shape, dtype=bool)
    for matrix in scores.values():
        indices, _ = top_k(matrix, depth)
        for row, best in enumerate(indices):
            pool[row, best[best >= 0]] = True
    fused = np.zeros(first.shape, dtype=np.float64)
    for name, matrix in scores.items():
        fused += weights[name] * _normalise(np.asarray(matrix, dtype=np.float64), pool, strategy)
    fused[~pool] = -np.inf
    return fused


def _normalise(matrix: np.ndarray, pool: np.ndarray, strategy: Fusion) -> np.ndarray:
    """Scale by each row's pool; rows with an empty pool stay zero."""
    if not pool.any():
        return np.zeros_like(matrix)
    masked = np.where(pool & np.isfinite(matrix), matrix, np.nan)
    if strategy is Fusion.MINMAX:
        low = np.nanmin(masked, axis=1, keepdims=True)
        spread = np.nanmax(masked, axis=1, keepdims=True) - low
        return np.where(spread > 0, (matrix - low) / np.where(spread > 0, spread, 1), 0.0)
    mean = np.nanmean(masked, axis=1, keepdims=True)
    std = np.nanstd(masked, axis=1, keepdims=True)
    return np.where(std > 0, (matrix - mean) / np.where(std > 0, std, 1), 0.0)
