"""Shortlist controls applied after ranking: diversity (MMR), caps per country and per company
group, and reserved room for small companies and newcomers.

Hard exclusions (conflicts of interest) are filters, applied before ranking (`Filters`); these
controls only reorder or drop candidates that are allowed, so the two never mix.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np


@dataclass(frozen=True)
class Controls:
    diversity: float = 0.0
    """0 keeps the relevance order; up to 1 trades relevance for unlike companies (MMR)."""
    max_per_country: int | None = None
    max_per_group: int | None = None
    min_small: int = 0
    """At least this many places go to small companies or newcomers when any qualify."""

    @property
    def is_empty(self) -> bool:
        return (
            self.diversity == 0
            and self.max_per_country is None
            and self.max_per_group is None
            and self.min_small == 0
        )


def mmr(relevance: np.ndarray, similarity: np.ndarray, k: int, diversity: float) -> list[int]:
    """Maximal marginal relevance (Carbonell and Goldstein 1998) over candidates.

    relevance (n,), similarity (n, n); returns k indices, each maximising
    (1 - diversity) * relevance - diversity * max similarity to those already chosen."""
    n = len(relevance)
    chosen: list[int] = []
    closest = np.full(n, -np.inf)
    available = np.ones(n, dtype=bool)
    scale = np.ptp(relevance) or 1.0
    rel = (relevance - relevance.min()) / scale
    for _ in range(min(k, n)):
        penalty = np.where(np.isfinite(closest), closest, 0.0)
        value = np.where(available, (1 - diversity) * rel - diversity * penalty, -np.inf)
        best = int(np.argmax(value))
        chosen.append(best)
        available[best] = False
        closest = np.maximum(closest, similarity[best])
    return chosen


def apply(
    order: Sequence[int],
    k: int,
    *,
    countries: Sequence[str],
    groups: Sequence[str],
    small: Sequence[bool],
    controls: Controls,
) -> list[int]:
    """Walk candidates in `order` (best first) and keep those the caps allow; then make room
    for small companies if fewer than `min_small` made it, replacing the lowest others."""
    per_country: Counter[str] = Counter()
    per_group: Counter[str] = Counter()
    kept: list[int] = []
    for i in order:
        if len(kept) == k:
            break
        if (
            controls.max_per_country is not None
            and per_country[countries[i]] >= controls.max_per_country
        ):
            continue
        if controls.max_per_group is not None and per_group[groups[i]] >= controls.max_per_group:
            continue
        kept.append(i)
        per_country[countries[i]] += 1
        per_group[groups[i]] += 1
    missing = min(controls.min_small, k) - sum(small[i] for i in kept)
    if missing > 0:
        reserve = [i for i in order if small[i] and i not in kept][:missing]
        others = [i for i in reversed(kept) if not small[i]][: len(reserve)]
        kept = [i for i in kept if i not in others] + reserve
    return kept
