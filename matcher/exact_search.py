"""Search over an `ExactIndex`'s rows: exact per-channel scores (HNSW-served and re-scoring
channels on the other channels' candidates), filter masks and candidate pools. Kept apart from
the index's storage (`matcher.index`), which it reads through the attributes declared here."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import numpy as np
from scipy import sparse

from matcher.ann import HnswIndex
from matcher.backends import Candidates, Channels, Queries
from matcher.documents import Document
from matcher.embedders.base import Matrix
from matcher.filters import Filters
from matcher.rows import Rows
from matcher.topk import top_k


class ExactSearch:
    """The search half of `matcher.index.ExactIndex` (its only subclass)."""

    _ann: dict[str, HnswIndex]
    _documents: list[Document]
    _rows: dict[int, int]
    _channels: dict[str, Rows]
    _fields: dict[str, list[str]]
    _ids: list[int]

    def __len__(self) -> int:
        return len(self._documents)

    @property
    def documents(self) -> list[Document]:
        return list(self._documents)

    def scores(
        self,
        queries: Mapping[str, Matrix] | Matrix,
        depth: int = 100,
        rescore: frozenset[str] = frozenset(),
    ) -> dict[str, np.ndarray]:
        """Per channel, (n_queries, len(self)) scores. A channel served by its HNSW graph is
        scored exactly on its own candidates and on every other channel's top `depth`, and is
        -inf elsewhere; a channel named in `rescore` only on the others' top `depth` (it
        re-scores their candidates and costs nothing that grows with the index)."""
        if not isinstance(queries, Mapping):
            queries = {"default": queries}
        size = len(self)
        if not size:
            return {name: np.zeros((q.shape[0], 0)) for name, q in queries.items()}
        exact = {
            name: self._channels[name].scores(q, size)
            for name, q in queries.items()
            if name not in self._ann and name not in rescore
        }
        for name, graph in self._ann.items():
            if name in queries and name not in rescore:
                exact[name] = self._ann_scores(name, graph, queries[name], exact, depth)
        for name in rescore & set(queries):
            exact[name] = self._pool_scores(name, queries[name], exact, depth)
        return exact

    def _pool_scores(
        self, name: str, queries: Matrix, others: dict[str, np.ndarray], depth: int
    ) -> np.ndarray:
        channel = self._channels[name]
        if channel.dense is None:  # sparse rows: the full product is already cheap
            return channel.scores(queries, len(self))
        dense = queries.toarray() if sparse.issparse(queries) else np.asarray(queries)
        result = np.full((dense.shape[0], len(self)), -np.inf)
        for i, query in enumerate(dense):
            rows: set[int] = set()
            for scores in others.values():
                row = scores[i : i + 1]
                finite = row[np.isfinite(row)]
                if not len(finite) or finite.max() == finite.min():
                    continue  # one value for everyone (no codes declared): proposes nobody
                best, _ = top_k(row, depth)
                rows.update(int(r) for r in best[0] if r >= 0)
            chosen = np.fromiter(rows, dtype=np.int64, count=len(rows))
            result[i, chosen] = channel.dense[chosen] @ query.astype(np.float32)
        return result

    def _ann_scores(
        self,
        name: str,
        graph: HnswIndex,
        queries: Matrix,
        others: dict[str, np.ndarray],
        depth: int,
    ) -> np.ndarray:
        dense = queries.toarray() if sparse.issparse(queries) else np.asarray(queries)
        result = np.full((dense.shape[0], len(self)), -np.inf)
        matrix = self._channels[name].dense
        assert matrix is not None
        for i, query in enumerate(dense):
            rows = {self._rows[int(d)] for d in graph.search(query, depth) if int(d) in self._rows}
            for scores in others.values():
                best, _ = top_k(scores[i : i + 1], depth)
                rows.update(int(r) for r in best[0] if r >= 0)
            chosen = np.fromiter(rows, dtype=np.int64)
            result[i, chosen] = matrix[chosen] @ query.astype(np.float32)
        return result

    def candidates(
        self, queries: Queries, filters: Filters, *, depth: int, rescore: Channels = frozenset()
    ) -> Candidates:
        """Every row is a candidate; rows the filters refuse score -inf (`matcher.backends`)."""
        scored = self.scores(queries, depth=depth, rescore=rescore)
        keep = self.mask(filters)
        scores = {
            name: row[0] if keep is None else np.where(keep, row[0], -np.inf)
            for name, row in scored.items()
        }
        return Candidates(self.documents, scores, self._candidate_rows)

    def _candidate_rows(self, name: str, positions: Sequence[int]) -> Matrix:
        return self._channels[name].rows(positions)

    @property
    def approximate_channels(self) -> list[str]:
        return sorted(self._ann)

    def mask(self, filters: Filters) -> np.ndarray | None:
        """Boolean (len(self),) of the candidates that pass; None when nothing is filtered."""
        if filters.is_empty:
            return None
        keep = np.ones(len(self), dtype=bool)
        for name, allowed in filters.by_field().items():
            values = np.asarray(self._fields.get(name, [""] * len(self)), dtype=object)
            keep &= np.isin(values, list(allowed))
        if filters.exclude_ids:
            keep &= ~np.isin(np.asarray(self._ids), list(filters.exclude_ids))
        if filters.cpv_codes:
            keep &= np.fromiter(
                (filters.allows_codes(d.all_codes) for d in self._documents),
                dtype=bool,
                count=len(self),
            )
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
