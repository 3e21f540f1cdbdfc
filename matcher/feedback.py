"""Pseudo-relevance feedback: a lexical query built from the dense channel's best documents.

BM25 cannot compare a Swedish challenge with English profiles, so on such a pair it abstains
and the ranking rests on the multilingual model alone. Feedback lets the lexical channel speak
again, in the documents' own language: the terms that weigh most in the model's top `docs`
candidates (RM3-style relevance model: each document's BM25 weights scaled to sum 1, weighed
by 1 / rank, the `terms` heaviest kept) form a query, and every candidate of the fusion pool is
scored by its BM25 weights for those terms. Where query and documents share a language, it
adds the vocabulary the top documents share but the challenge does not use.

It re-scores the pool only (the union of the channels' top `depth`): the cost does not grow
with the index, and every backend serves it through `Candidates.rows`.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from scipy import sparse

from matcher.embedders.base import Matrix

FEEDBACK = "feedback"


@dataclass(frozen=True)
class Feedback:
    """`docs`: how many of the dense channel's best candidates give their terms (0: off);
    `terms`: how many terms the feedback query keeps; `weight`: the channel's fusion weight;
    `candidates`: how many of the fused ranking's best candidates it re-scores."""

    docs: int = 3
    terms: int = 30
    weight: float = 0.25
    candidates: int = 100

    @property
    def enabled(self) -> bool:
        return self.docs > 0 and self.terms > 0 and self.weight > 0


def feedback_query(rows: Matrix, terms: int) -> sparse.csr_matrix:
    """(1, vocabulary) term weights from the feedback documents' lexical rows, best first in
    `rows` ((n_feedback, vocabulary), BM25 weights): each row scaled to sum 1 and weighed by
    1 / rank; only the `terms` heaviest terms are kept (work in the rows' terms only, however
    wide the vocabulary)."""
    matrix = sparse.csr_matrix(rows, dtype=np.float64)
    sums = np.asarray(matrix.sum(axis=1)).ravel()
    ranks = 1.0 / np.arange(1, matrix.shape[0] + 1)
    scale = np.where(sums > 0, ranks / np.where(sums > 0, sums, 1.0), 0.0) / ranks.sum()
    weighted = matrix.data * np.repeat(scale, np.diff(matrix.indptr))
    found, slots = np.unique(matrix.indices, return_inverse=True)
    weights = np.bincount(slots, weights=weighted, minlength=len(found))
    keep = np.flatnonzero(weights > 0)
    if len(keep) > terms:
        keep = keep[np.argsort(-weights[keep], kind="stable")[:terms]]
    return sparse.csr_matrix(
        (weights[keep], (np.zeros(len(keep), dtype=int), found[keep])), shape=(1, matrix.shape[1])
    )


def feedback_scores(candidates: Matrix, query: sparse.csr_matrix) -> np.ndarray:
    """(n_candidates,): each candidate's lexical row (BM25 weights) times the feedback query."""
    product = candidates @ query.T
    product = product.toarray() if sparse.issparse(product) else product
    return np.asarray(product, dtype=np.float64).ravel()
