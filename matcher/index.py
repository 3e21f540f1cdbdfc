"""Exact nearest-neighbour search over several vector channels that share one row order."""

from __future__ import annotations

from collections.abc import Mapping

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


class _Channel:
    """One channel's rows: a doubling dense buffer (adding one row is O(d)) or stacked sparse."""

    def __init__(self) -> None:
        self.dense: np.ndarray | None = None
        self.sparse: sparse.csr_matrix | None = None

    def write(self, row: int, vector: Matrix) -> None:
        if sparse.issparse(vector):
            self._write_sparse(row, sparse.csr_matrix(vector, dtype=np.float32))
            return
        vector = np.asarray(vector, dtype=np.float32).ravel()
        if self.dense is None:
            self.dense = np.zeros((max(16, row + 1), vector.shape[0]), dtype=np.float32)
        elif vector.shape[0] != self.dense.shape[1]:
            raise ValueError(f"vector has {vector.shape[0]} dims, index has {self.dense.shape[1]}")
        if row >= self.dense.shape[0]:
            grown = np.zeros(
                (max(row + 1, 2 * self.dense.shape[0]), self.dense.shape[1]), dtype=np.float32
            )
            grown[: self.dense.shape[0]] = self.dense
            self.dense = grown
        self.dense[row] = vector

    def _write_sparse(self, row: int, vector: sparse.csr_matrix) -> None:
        if self.sparse is not None and vector.shape[1] != self.sparse.shape[1]:
            vector = sparse.csr_matrix(
                (vector.data, vector.indices, vector.indptr), shape=(1, self.sparse.shape[1])
            )
        if self.sparse is None or row == self.sparse.shape[0]:
            parts = [vector] if self.sparse is None else [self.sparse, vector]
            self.sparse = sparse.csr_matrix(sparse.vstack(parts, format="csr"))
            return
        lil = self.sparse.tolil()
        lil[row] = vector
        self.sparse = lil.tocsr()

    def row(self, row: int) -> Matrix:
        if self.sparse is not None:
            return self.sparse[row]
        assert self.dense is not None
        return self.dense[row : row + 1]

    def move(self, source: int, target: int, size: int) -> None:
        """Copy row `source` over `target` and shrink to `size` rows."""
        if self.sparse is not None:
            self._write_sparse(target, self.sparse[source])
            self.sparse = self.sparse[:size]
        elif self.dense is not None:
            self.dense[target] = self.dense[source]

    def truncate(self, size: int) -> None:
        if self.sparse is not None:
            self.sparse = self.sparse[:size]

    def scores(self, queries: Matrix, size: int) -> np.ndarray:
        """(n_queries, size) dot products."""
        if self.sparse is not None:
            product = sparse.csr_matrix(queries) @ self.sparse[:size].T
            return np.asarray(product.todense(), dtype=np.float64)
        assert self.dense is not None
        dense_queries = queries.toarray() if sparse.issparse(queries) else queries
        matrix = self.dense[:size]
        return (np.asarray(dense_queries, np.float32) @ matrix.T).astype(np.float64)


class ExactIndex:
    """Documents with one vector per channel; search is a brute-force product per channel.

    All channels share one row order, so their score rows can be fused element-wise.
    """

    def __init__(self) -> None:
        self._documents: list[Document] = []
        self._rows: dict[int, int] = {}
        self._channels: dict[str, _Channel] = {}

    def __len__(self) -> int:
        return len(self._documents)

    def __contains__(self, document_id: object) -> bool:
        return document_id in self._rows

    @property
    def documents(self) -> list[Document]:
        return list(self._documents)

    @property
    def channels(self) -> list[str]:
        return list(self._channels)

    def document(self, document_id: int) -> Document:
        return self._documents[self._rows[document_id]]

    def vectors(self, document_id: int) -> dict[str, Matrix]:
        row = self._rows[document_id]
        return {name: channel.row(row) for name, channel in self._channels.items()}

    def upsert(self, documents: list[Document], vectors: Mapping[str, Matrix] | Matrix) -> None:
        """Add new documents or replace existing ones (same id); every channel must be given."""
        if not isinstance(vectors, Mapping):
            vectors = {"default": vectors}
        if self._channels and set(vectors) != set(self._channels):
            raise ValueError(f"channels {sorted(vectors)} differ from {sorted(self._channels)}")
        for name, matrix in vectors.items():
            if len(documents) != matrix.shape[0]:
                raise ValueError(f"{len(documents)} documents but {matrix.shape[0]} vectors")
            self._channels.setdefault(name, _Channel())
        for position, document in enumerate(documents):
            row = self._rows.get(document.id)
            if row is None:
                row = len(self._documents)
                self._documents.append(document)
                self._rows[document.id] = row
            else:
                self._documents[row] = document
            for name, matrix in vectors.items():
                self._channels[name].write(row, matrix[position])

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
            for channel in self._channels.values():
                channel.move(last, row, last)
        else:
            for channel in self._channels.values():
                channel.truncate(last)
        self._documents.pop()
        return True

    def scores(self, queries: Mapping[str, Matrix] | Matrix) -> dict[str, np.ndarray]:
        """Per channel, (n_queries, len(self)) raw scores."""
        if not isinstance(queries, Mapping):
            queries = {"default": queries}
        return {
            name: self._channels[name].scores(q, len(self))
            if self._documents
            else np.zeros((q.shape[0], 0))
            for name, q in queries.items()
        }

    def mask(self, filters: Filters) -> np.ndarray | None:
        """Boolean (len(self),) of the candidates that pass; None when nothing is filtered."""
        if filters.is_empty:
            return None
        keep = np.ones(len(self), dtype=bool)
        wanted = filters.by_field()
        for row, document in enumerate(self._documents):
            if document.id in filters.exclude_ids or not filters.allows_codes(document.codes):
                keep[row] = False
                continue
            for name, allowed in wanted.items():
                if document.fields.get(name, "").lower() not in allowed:
                    keep[row] = False
                    break
        return keep

    def search(
        self, query: Matrix, k: int, filters: Filters | None = None
    ) -> list[tuple[Document, float]]:
        """Top `k` documents for one query vector of the single (default) channel."""
        row_scores = self.scores(query)["default"][0]
        keep = self.mask(filters or Filters())
        if keep is not None:
            row_scores[~keep] = -np.inf
        indices, values = top_k(row_scores, k)
        return [
            (self._documents[i], float(v))
            for i, v in zip(indices[0], values[0], strict=True)
            if i >= 0
        ]

    def row_of(self, document_id: int) -> int:
        return self._rows[document_id]
