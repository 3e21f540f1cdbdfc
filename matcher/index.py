"""Exact nearest-neighbour search over several vector channels that share one row order.

This module keeps the rows (documents, vectors, field columns, HNSW graphs); searching them is
`matcher.exact_search`."""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np

from matcher.ann import HnswIndex
from matcher.documents import Document
from matcher.embedders.base import Matrix
from matcher.exact_search import ExactSearch
from matcher.rows import Rows


class ExactIndex(ExactSearch):
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

    def __contains__(self, document_id: object) -> bool:
        return document_id in self._rows

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
