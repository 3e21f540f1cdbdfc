"""Fusion of ranked channels (lexical, dense, CPV) into one ranking: named, tested strategies.

Every function takes channel score matrices of one shape, (n_queries, n_docs), and returns the
fused (n_queries, n_docs) matrix; higher is better.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from enum import StrEnum

import numpy as np

from matcher.topk import top_k

Availability = Callable[[int, np.ndarray], np.ndarray]
"""(query row, candidate columns) -> boolean array: which of those pairs a channel can judge."""


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
    available: Mapping[str, Availability] | None = None,
) -> np.ndarray:
    """Combine channels; only each channel's top `depth` count as candidates of that channel.

    `available` (per channel, a function of a query row and candidate columns) says which pairs
    a channel can judge at all: BM25 cannot compare a Swedish challenge with an English
    profile, and the CPV channel cannot judge a profile that declares no codes. Such a channel
    abstains on the pair (the weighted strategies average the channels that can judge it)
    instead of counting its structural zero as evidence against the pair."""
    weights = {name: (weights or {}).get(name, 1.0) for name in scores}
    if strategy is Fusion.RRF:
        return _rrf(scores, weights, depth, rrf_k)
    return _weighted(scores, weights, depth, strategy, available or {})


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
    scores: Mapping[str, np.ndarray],
    weights: Mapping[str, float],
    depth: int,
    strategy: Fusion,
    available: Mapping[str, Availability],
) -> np.ndarray:
    """Works on each row's pool only (the union of the channels' top `depth`), so the cost
    beyond the top-k selection does not grow with the corpus. A pair's score is the weighted
    mean over the channels that can judge it."""
    first = next(iter(scores.values()))
    fused = np.full(first.shape, -np.inf, dtype=np.float64)
    for row in range(first.shape[0]):
        pool = candidate_pool({n: m[row] for n, m in scores.items()}, depth)
        if not len(pool):
            continue
        total, weight_sum = np.zeros(len(pool)), np.zeros(len(pool))
        for name, matrix in scores.items():
            can = (
                np.asarray(available[name](row, pool), dtype=bool)
                if name in available
                else np.ones(len(pool), dtype=bool)
            )
            values = np.asarray(matrix[row, pool], dtype=np.float64)
            scaled = _normalise(values, strategy, can)
            if scaled is None:
                continue
            total += weights[name] * scaled * can
            weight_sum += weights[name] * can
        fused[row, pool] = total / np.where(weight_sum > 0, weight_sum, 1.0)
    return fused


def candidate_pool(scores: Mapping[str, np.ndarray], depth: int) -> np.ndarray:
    """The columns one query's fusion works on, sorted: the union of every informative
    channel's top `depth` (`scores[channel]` is one row, (n_docs,)). A channel with one value
    for every document (no codes declared) proposes nobody."""
    informative = [n for n in scores if _spread(scores[n]) > 0] or list(scores)
    tops = [top_k(scores[n], depth)[0][0] for n in informative]
    return np.unique(np.concatenate([t[t >= 0] for t in tops])) if tops else np.zeros(0, int)


def _spread(values: np.ndarray) -> float:
    finite = values[np.isfinite(values)]
    return float(finite.max() - finite.min()) if len(finite) else 0.0


def _normalise(values: np.ndarray, strategy: Fusion, can: np.ndarray) -> np.ndarray | None:
    """Scale one row's pool values over the pairs the channel can judge; values it did not
    score count as its worst. None when it tells those pairs apart not at all (it abstains)."""
    finite = np.isfinite(values)
    judged = can & finite
    if not judged.any():
        return None
    values = np.where(finite, values, values[judged].min())
    seen = values[can]
    if strategy is Fusion.MINMAX:
        low, spread = seen.min(), seen.max() - seen.min()
        return (values - low) / spread if spread > 0 else None
    spread = seen.std()
    return (values - seen.mean()) / spread if spread > 0 else None
