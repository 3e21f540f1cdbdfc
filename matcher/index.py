"""Exact nearest-neighbour search over unit vectors, with incremental updates and filters."""

from __future__ import annotations

import numpy as np
from scipy import sparse

from matcher.documents import Document
from matcher.embedders.base import Matrix
from matcher.filters import Filters


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


class ExactIndex:
    """Documents and their vectors, searched by brute force (a matrix-vector product).

    Dense rows live in a buffer that grows by doubling, so adding one document is O(d),
    not a copy of the index. Sparse rows (TF-IDF) are stacked.
    """

    def __init__(self) -> None:
        self._documents: list[Document] = []
        self._rows: dict[int, int] = {}
        self._dense: np.ndarray | None = None
        self._sparse: sparse.csr_matrix | None = None

    def __len__(self) -> int:
        return len(self._documents)

    def __contains__(self, document_id: object) -> bool:
        return document_id in self._rows

    @property
    def documents(self) -> list[Document]:
        return list(self._documents)

    def document(self, document_id: int) -> Document:
        return self._documents[self._rows[document_id]]

    def vector(self, document_id: int) -> Matrix:
        row = self._rows[document_id]
        if self._sparse is not None:
            return self._sparse[row]
        assert self._dense is not None
        return self._dense[row : row + 1]

    def upsert(self, documents: list[Document], vectors: Matrix) -> None:
        """Add new documents or replace existing ones (same id) with their new vectors."""
        if len(documents) != vectors.shape[0]:
            raise ValueError(f"{len(documents)} documents but {vectors.shape[0]} vectors")
        for position, document in enumerate(documents):
            row = self._rows.get(document.id)
            if row is None:
                row = len(self._documents)
                self._documents.append(document)
                self._rows[document.id] = row
            else:
                self._documents[row] = document
            self._write_row(row, vectors[position])

    def remove(self, document_id: int) -> bool:
        """Drop a document; the last row moves into its place. Returns False if absent."""
        row = self._rows.pop(document_id, None)
        if row is None:
            return False
        last = len(self._documents) - 1
        if row != last:
            moved = self._documents[last]
            self._documents[row] = moved
            self._rows[moved.id] = row
            self._copy_row(last, row)
        self._documents.pop()
        if self._sparse is not None:
            self._sparse = self._sparse[:last]
        return True

    def scores(self, queries: Matrix) -> np.ndarray:
        """Cosine scores, (n_queries, len(self)) float64."""
        if not self._documents:
            return np.zeros((queries.shape[0], 0))
        if self._sparse is not None:
            product = sparse.csr_matrix(queries) @ self._sparse.T
            return np.asarray(product.todense(), dtype=np.float64)
        assert self._dense is not None
        dense_queries = queries.toarray() if sparse.issparse(queries) else queries
        return (np.asarray(dense_queries, np.float32) @ self._dense[: len(self)].T).astype(
            np.float64
        )

    def mask(self, filters: Filters) -> np.ndarray | None:
        """Boolean (len(self),) of the candidates that pass; None when nothing is filtered."""
        if filters.is_empty:
            return None
        keep = np.ones(len(self), dtype=bool)
        wanted = filters.by_field()
        for row, document in enumerate(self._documents):
            if document.id in filters.exclude_ids:
                keep[row] = False
                continue
            for name, allowed in wanted.items():
                if document.fields.get(name, "").lower() not in allowed:
                    keep[row] = False
                    break
        return keep

    def search(
        self, query: Matrix, k: int, filters: Filters | None = None, skip_id: int | None = None
    ) -> list[tuple[Document, float]]:
        """Top `k` documents for one query vector (1, d), best first, filters applied."""
        row_scores = self.scores(query)[0]
        keep = self.mask(filters or Filters())
        if keep is not None:
            row_scores[~keep] = -np.inf
        if skip_id is not None and skip_id in self._rows:
            row_scores[self._rows[skip_id]] = -np.inf
        indices, values = top_k(row_scores, k)
        return [
            (self._documents[i], float(v))
            for i, v in zip(indices[0], values[0], strict=True)
            if i >= 0
        ]

    def _write_row(self, row: int, vector: Matrix) -> None:
        if sparse.issparse(vector):
            self._write_sparse(row, sparse.csr_matrix(vector))
            return
        vector = np.asarray(vector, dtype=np.float32).ravel()
        if self._dense is None:
            self._dense = np.zeros((max(16, row + 1), vector.shape[0]), dtype=np.float32)
        elif vector.shape[0] != self._dense.shape[1]:
            raise ValueError(f"vector has {vector.shape[0]} dims, index has {self._dense.shape[1]}")
        if row >= self._dense.shape[0]:
            grown = np.zeros(
                (max(row + 1, 2 * self._dense.shape[0]), self._dense.shape[1]), dtype=np.float32
            )
            grown[: self._dense.shape[0]] = self._dense
            self._dense = grown
        self._dense[row] = vector

    def _write_sparse(self, row: int, vector: sparse.csr_matrix) -> None:
        if self._sparse is None or row == self._sparse.shape[0]:
            parts = [vector] if self._sparse is None else [self._sparse, vector]
            self._sparse = sparse.csr_matrix(sparse.vstack(parts, format="csr"))
            return
        lil = self._sparse.tolil()
        lil[row] = vector
        self._sparse = lil.tocsr()

    def _copy_row(self, source: int, target: int) -> None:
        if self._sparse is not None:
            self._write_sparse(target, self._sparse[source])
        elif self._dense is not None:
            self._dense[target] = self._dense[source]
