"""Consortia: teams of 2-4 companies that together answer a challenge's requirements.

A challenge is split into requirements (its sentences and clauses that ask for something);
each candidate company gets a coverage score per requirement; a team covers a requirement as
well as its best member does, and its value is the sum over requirements (weighted maximum
coverage). Teams are found by exact enumeration over the top candidates: with 15 candidates
there are at most 1,365 teams of four, so exact is cheap and beats greedy's (1 - 1/e) bound.
`greedy_team` is kept for larger pools and as a tested lower bound.
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass

import numpy as np


@dataclass(frozen=True)
class Team:
    members: tuple[int, ...]
    """Candidate indices (columns of the coverage matrix), lead first."""
    value: float
    coverage: tuple[float, ...]
    """Per requirement, the best member's coverage."""
    overlaps: tuple[tuple[int, tuple[int, ...]], ...]
    """(requirement, members) where two or more members both cover it well."""
    covered_by: tuple[int, ...] = ()
    """Per requirement, the member that covers it best (the one to ask about it)."""


def team_value(coverage: np.ndarray, members: tuple[int, ...]) -> float:
    """coverage (n_requirements, n_candidates) in [0, 1]: sum of per-requirement maxima."""
    return float(coverage[:, list(members)].max(axis=1).sum())


def best_teams(coverage: np.ndarray, size: int, k: int, *, strong: float = 0.5) -> list[Team]:
    """The `k` most valuable teams of exactly `size` candidates (fewer if too few exist).

    When values tie (one member already covers everything, say), the team whose members cover
    more in total wins: partners who can back each other up, which is what a consortium without
    the capacity alone needs. Then better-ranked candidates (lower indices), so results are
    stable."""
    n = coverage.shape[1]
    if n == 0:
        return []
    totals = coverage.sum(axis=0)
    scored = [
        (round(team_value(coverage, combo), 9), round(float(totals[list(combo)].sum()), 9), combo)
        for combo in itertools.combinations(range(n), min(size, n))
    ]
    scored.sort(key=lambda item: (-item[0], -item[1], item[2]))
    return [_describe(coverage, combo, value, strong) for value, _, combo in scored[:k]]


def greedy_team(coverage: np.ndarray, size: int) -> tuple[int, ...]:
    """Adds the candidate with the largest marginal gain, `size` times ((1 - 1/e)-optimal)."""
    chosen: list[int] = []
    for _ in range(min(size, coverage.shape[1])):
        gains = [
            (-1.0 if j in chosen else team_value(coverage, (*chosen, j)), -j)
            for j in range(coverage.shape[1])
        ]
        chosen.append(-max(gains)[1])
    return tuple(chosen)


def _describe(coverage: np.ndarray, combo: tuple[int, ...], value: float, strong: float) -> Team:
    block = coverage[:, list(combo)]
    lead = combo[int(np.argmax(block.sum(axis=0)))]
    members = (lead, *[m for m in combo if m != lead])
    overlaps = tuple(
        (r, tuple(combo[j] for j in np.flatnonzero(block[r] >= strong)))
        for r in range(block.shape[0])
        if (block[r] >= strong).sum() >= 2
    )
    return Team(
        members,
        round(value, 6),
        tuple(round(float(v), 4) for v in block.max(axis=1)),
        overlaps,
        tuple(combo[int(j)] for j in block.argmax(axis=1)),
    )
