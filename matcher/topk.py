"""The best `k` columns of score rows: the one selection every ranking step shares."""

from __future__ import annotations

import numpy as np


def top_k(scores: np.ndarray, k: int) -> tuple[np.ndarray, np.ndarray]:
    """Best `k` columns per row of `scores` (n_queries, n_items), best first.

    Returns (indices, values), each (n_queries, min(k, n_items)). Ties go to the lower index,
    so the result equals a stable full sort; `-inf` marks items that must never be returned
    and they are dropped, so rows may be shorter (padded with -1 / -inf).
    """
    scores = np.atleast_2d(scores)
    n_queries, n_items = scores.shape
    k = min(k, n_items)
    indices = np.full((n_queries, k), -1, dtype=np.int64)
    values = np.full((n_queries, k), -np.inf, dtype=np.float64)
    if k <= 0:
        return indices, values
    for row_number, row in enumerate(scores):
        best = _top_k_row(row, k)
        indices[row_number, : len(best)] = best
        values[row_number, : len(best)] = row[best]
    return indices, values


def _top_k_row(row: np.ndarray, k: int) -> np.ndarray:
    part = np.argpartition(-row, k - 1)[:k]
    threshold = row[part].min()
    greater = np.flatnonzero(row > threshold)
    equal = np.flatnonzero(row == threshold)[: k - len(greater)]
    chosen = np.concatenate([greater, equal])
    chosen = chosen[np.isfinite(row[chosen])]
    return chosen[np.lexsort((chosen, -row[chosen]))]
