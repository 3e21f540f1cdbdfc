"""Exact nearest-neighbour search over several vector channels that share one row order."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import numpy as np
from scipy import sparse

from matcher.ann import HnswIndex
from matcher.backends import Candidates
from matcher.documents import Document
from matcher.embedders.base import Matrix
from matcher.filters import Filters
from matcher.rows import Rows


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
    """Documents with one vector per channel; search is a brute-force product per channel.

    All channels share one row order, so their score rows can be fused element-wise.
    """

    def __init__(self, ann_threshold: int | None = None, ann_options: dict | None = None) -> None:
        """`ann_threshold`: from this many documents on, dense channels use an HNSW graph."""
        self.ann_threshold = ann_threshold
        self.ann_options = dict(ann_options or {})
        self._ann: dict[str, HnswIndex] = {}
        self._documents: list[Document] = []
        self._rows: dict[int, int] = {}
        self._channels: dict[str, Rows] = {}
        self._fields: dict[str, list[str]] = {}
        self._ids: list[int] = []

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

    def entry(self, document_id: int) -> tuple[Document, dict[str, Matrix]]:
        return self.document(document_id), self.vectors(document_id)

    def upsert(self, documents: list[Document], vectors: Mapping[str, Matrix] | Matrix) -> None:
        """Add new documents or replace existing ones (same id); every channel must be given."""
        if not isinstance(vectors, Mapping):
            vectors = {"default": vectors}
        if self._channels and set(vectors) != set(self._channels):
            raise ValueError(f"channels {sorted(vectors)} differ from {sorted(self._channels)}")
        for name, matrix in vectors.items():
            if len(documents) != matrix.shape[0]:
                raise ValueError(f"{len(documents)} documents but {matrix.shape[0]} vectors")
            self._channels.setdefault(name, Rows())
        fresh = [p for p, d in enumerate(documents) if d.id not in self._rows]
        fresh_ids = {documents[p].id for p in fresh}
        if len(fresh_ids) < len(fresh):
            raise ValueError("the same document id appears twice in one upsert")
        for position, document in enumerate(documents):
            if document.id in fresh_ids:
                continue
            row = self._rows[document.id]
            self._documents[row] = document
            self._set_fields(row, document)
            for name, matrix in vectors.items():
                self._channels[name].write(row, matrix[position])
        if fresh:
            self._append(documents, fresh, vectors)
        self._update_ann(documents, vectors)

    def remove(self, document_id: int) -> bool:
        """Drop a document; the last row moves into its place. Returns False if absent."""
        row = self._rows.pop(document_id, None)
        if row is None:
            return False
        for graph in self._ann.values():
            graph.remove(document_id)
        last = len(self._documents) - 1
        if row != last:
            moved = self._documents[last]
            self._documents[row] = moved
            self._rows[moved.id] = row
            self._ids[row] = moved.id
            for values in self._fields.values():
                values[row] = values[last]
            for channel in self._channels.values():
                channel.move(last, row, last)
        else:
            for channel in self._channels.values():
                channel.truncate(last)
        self._documents.pop()
        self._ids.pop()
        for values in self._fields.values():
            values.pop()
        return True

    def export(self) -> tuple[list[Document], dict[str, Matrix], dict[str, HnswIndex]]:
        """Documents in row order, a copy of each channel's rows, and the HNSW graphs: what a
        snapshot saves (the caller holds the engine's lock)."""
        size = len(self)
        vectors = {name: channel.export(size) for name, channel in self._channels.items()}
        return (
            list(self._documents),
            {n: v for n, v in vectors.items() if v is not None},
            dict(self._ann),
        )

    def restore(
        self,
        documents: list[Document],
        vectors: Mapping[str, Matrix],
        graphs: Mapping[str, HnswIndex] | None = None,
    ) -> None:
        """Fill an empty index with whole matrices (a snapshot's, adopted without another
        copy); `graphs` are used as they are (loading a saved graph takes a second where
        building one takes minutes), missing ones are built."""
        if len(self):
            raise ValueError("restore needs an empty index")
        if not documents:
            return
        for matrix in vectors.values():
            if matrix.shape[0] != len(documents):
                raise ValueError(f"{len(documents)} documents but {matrix.shape[0]} vectors")
        self._documents = list(documents)
        self._ids = [d.id for d in documents]
        self._rows = {document_id: row for row, document_id in enumerate(self._ids)}
        if len(self._rows) < len(self._ids):
            raise ValueError("the same document id appears twice")
        names = dict.fromkeys(name for d in documents for name in d.fields)
        self._fields = {
            name: [str(d.fields.get(name, "")).lower() for d in documents] for name in names
        }
        for name, matrix in vectors.items():
            self._channels[name] = Rows()
            self._channels[name].adopt(matrix)
        if self.ann_threshold is not None and len(self) >= self.ann_threshold:
            self._ann.update(graphs or {})
            self._update_ann([], {})

    def _append(
        self, documents: list[Document], positions: list[int], vectors: Mapping[str, Matrix]
    ) -> None:
        """New documents go in as one block per channel (one copy, not one per row)."""
        start = len(self._documents)
        for offset, position in enumerate(positions):
            document = documents[position]
            self._documents.append(document)
            self._rows[document.id] = start + offset
            self._ids.append(document.id)
            for values in self._fields.values():
                values.append("")
            self._set_fields(start + offset, document)
        index = np.asarray(positions)
        for name, matrix in vectors.items():
            self._channels[name].append(start, matrix[index])

    def _set_fields(self, row: int, document: Document) -> None:
        """Column arrays of lower-cased field values, so filters are vectorised."""
        for name, value in document.fields.items():
            if name not in self._fields:
                self._fields[name] = [""] * len(self._documents)
            self._fields[name][row] = str(value).lower()
        for name, values in self._fields.items():
            if name not in document.fields:
                values[row] = ""

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

    def _update_ann(self, documents: list[Document], vectors: Mapping[str, Matrix]) -> None:
        if self.ann_threshold is None or len(self) < self.ann_threshold:
            return
        for name, channel in self._channels.items():
            if channel.dense is None:
                continue
            if name not in self._ann:
                graph = HnswIndex(
                    channel.dense.shape[1], capacity=2 * len(self), **self.ann_options
                )
                graph.add(np.asarray(self._ids), channel.dense[: len(self)])
                self._ann[name] = graph
            elif documents:
                ids = np.array([d.id for d in documents])
                self._ann[name].add(ids, np.asarray(vectors[name], dtype=np.float32))

    def candidates(
        self,
        queries: Mapping[str, Matrix],
        filters: Filters,
        *,
        depth: int,
        rescore: frozenset[str] = frozenset(),
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
