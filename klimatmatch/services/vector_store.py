"""The index of one side in PostgreSQL with pgvector: a `matcher.backends.TargetIndex`.

A query asks each channel for its top `depth` under the filters, in SQL: the dense channel
through its HNSW index (inner product; `hnsw.ef_search`, iterative scans when filtered), BM25
and CPV as exact `sparsevec` inner products (ties by id, as the in-process index breaks them by
row). The union of those candidates is read back with every channel's vector and scored exactly
in numpy, so fusion sees the same numbers as in-process; only the dense channel's recall is
approximate. The process holds nothing of the index but the fitted BM25 vocabulary.
"""

from __future__ import annotations

import json
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from typing import Any

import numpy as np
from psycopg import Cursor
from scipy import sparse
from sqlalchemy import Connection, Engine, event

from matcher.backends import Candidates, Side, stack
from matcher.documents import Document
from matcher.embedders.base import Matrix
from matcher.filters import Filters
from models.vector_tables import CHANNELS, DENSE, SIDES, SPARSE, SPARSE_DIMENSIONS

PROPOSE = ("dense", "lexical", "cpv")
"""Channels that propose candidates; `dense_en` only re-scores the others' (as in-process)."""
_COLUMNS = "id, text, fields, codes, tagged, " + ", ".join(CHANNELS)


def register_types(db: Engine) -> None:
    """pgvector's binary adapters on every connection of `db` (numpy in, numpy out)."""

    def register(connection: Any, record: Any) -> None:
        _register(connection, record.info)

    event.listen(db, "connect", register)


def _register(connection: Any, info: dict) -> None:
    from pgvector.psycopg import register_vector

    if not info.get("pgvector"):
        register_vector(connection)
        info["pgvector"] = True


def to_sparse(row: Matrix) -> Any:
    from pgvector import SparseVector

    row = sparse.csr_matrix(row)
    row.sum_duplicates()
    pairs = zip(row.indices.tolist(), row.data.tolist(), strict=True)
    return SparseVector(dict(pairs), SPARSE_DIMENSIONS)


class PgVectorIndex:
    """Challenges or profiles in their `vector_*` table. `db` has pgvector's types registered
    (`register_types`); writes may also go through a caller's connection (`write`), so they
    commit with the rows they index."""

    def __init__(
        self, db: Engine, side: Side, *, ef_search: int = 200, widths: dict[str, int] | None = None
    ) -> None:
        self.db = db
        self.side = side
        self.table = SIDES[side][0]
        self.ef_search = ef_search
        self.widths = widths if widths is not None else {}
        """Each sparse channel's width (BM25's vocabulary, the CPV hash), shared by both sides
        and set when the BM25 fit is loaded: rows come back as wide as the engine's vectors."""

    def __len__(self) -> int:
        with self._cursor() as cursor:
            return int(cursor.execute(f"SELECT count(*) FROM {self.table}").fetchone()[0])

    def __contains__(self, document_id: object) -> bool:
        with self._cursor() as cursor:
            sql = f"SELECT 1 FROM {self.table} WHERE id = %s"
            return cursor.execute(sql, (document_id,)).fetchone() is not None

    @property
    def approximate_channels(self) -> list[str]:
        return ["dense"]

    @property
    def documents(self) -> list[Document]:
        """Every document, by id (reads the whole table: for training, not for serving)."""
        with self._cursor() as cursor:
            cursor.execute(f"SELECT id, text, fields, codes, tagged FROM {self.table} ORDER BY id")
            return [_document(row) for row in cursor]

    def document(self, document_id: int) -> Document:
        documents, _ = self._read([document_id])
        if not documents:
            raise KeyError(document_id)
        return documents[0]

    def vectors(self, document_id: int) -> dict[str, Matrix]:
        documents, vectors = self._read([document_id])
        if not documents:
            raise KeyError(document_id)
        return {name: stack(rows) for name, rows in vectors.items()}

    def upsert(
        self,
        documents: list[Document],
        vectors: Mapping[str, Matrix],
        versions: Mapping[int, int] | None = None,
    ) -> None:
        with self.db.begin() as connection:
            self.write(connection, documents, vectors, versions)

    def write(
        self,
        connection: Connection,
        documents: Sequence[Document],
        vectors: Mapping[str, Matrix],
        versions: Mapping[int, int] | None = None,
    ) -> None:
        """Insert or replace rows inside the caller's transaction."""
        unknown = set(vectors) - set(CHANNELS)
        if unknown:
            raise ValueError(f"the pgvector index has no column for channels {sorted(unknown)}")
        names = [n for n in CHANNELS if n in vectors]
        rows = [
            (
                d.id,
                (versions or {}).get(d.id, 0),
                d.text,
                json.dumps(d.fields),
                list(d.codes),
                list(d.tagged),
                *(_dumped(name, vectors[name][p]) for name in names),
            )
            for p, d in enumerate(documents)
        ]
        columns = ", ".join(["id", "row_version", "text", "fields", "codes", "tagged", *names])
        marks = ", ".join(["%s"] * (6 + len(names)))
        updates = ", ".join(f"{c} = EXCLUDED.{c}" for c in columns.split(", ")[1:])
        sql = (
            f"INSERT INTO {self.table} ({columns}) VALUES ({marks}) "
            f"ON CONFLICT (id) DO UPDATE SET {updates}"
        )
        _register(_raw(connection), connection.connection.info)  # a caller's own engine
        with _raw(connection).cursor() as cursor:
            cursor.executemany(sql, rows)

    def remove(self, document_id: int) -> bool:
        with self.db.begin() as connection, _raw(connection).cursor() as cursor:
            cursor.execute(f"DELETE FROM {self.table} WHERE id = %s", (document_id,))
            return cursor.rowcount > 0

    def candidates(
        self,
        queries: Mapping[str, Matrix],
        filters: Filters,
        *,
        depth: int,
        rescore: frozenset[str] = frozenset(),
    ) -> Candidates:
        where, parameters = _where(filters)
        ids: set[int] = set()
        with self._cursor() as cursor:
            cursor.execute(f"SET LOCAL hnsw.ef_search = {int(max(self.ef_search, depth))}")
            if not filters.is_empty:
                cursor.execute("SET LOCAL hnsw.iterative_scan = relaxed_order")
            for name in PROPOSE:
                if name not in queries or name in rescore:
                    continue
                query = queries[name]
                if sparse.issparse(query) and not query.nnz:
                    continue  # one score for everyone: this channel proposes nobody
                value = to_sparse(query) if sparse.issparse(query) else np.ravel(query)
                tie = ", id" if name in SPARSE else ""
                cursor.execute(
                    f"SELECT id FROM {self.table} WHERE {where} AND {name} IS NOT NULL "
                    f"ORDER BY {name} <#> %s{tie} LIMIT %s",
                    [*parameters, value, depth],
                )
                ids.update(row[0] for row in cursor)
            documents, rows = self._read(sorted(ids), cursor)
        scores = {name: _scores(rows.get(name), q, len(documents)) for name, q in queries.items()}
        matrices = {name: stack(r) for name, r in rows.items() if r}

        def candidate_rows(name: str, positions: Sequence[int]) -> Matrix:
            return matrices[name][list(positions)]

        return Candidates(documents, scores, candidate_rows)

    def _read(
        self, ids: Sequence[int], cursor: Cursor | None = None
    ) -> tuple[list[Document], dict[str, list[Matrix]]]:
        """Documents and per-channel rows (None where a column is empty) in the order of ids."""
        if not ids:
            return [], {}
        sql = f"SELECT {_COLUMNS} FROM {self.table} WHERE id = ANY(%s)"
        if cursor is None:
            with self._cursor() as own:
                found = {row[0]: row for row in own.execute(sql, (list(ids),))}
        else:
            found = {row[0]: row for row in cursor.execute(sql, (list(ids),))}
        ordered = [found[i] for i in ids if i in found]
        vectors: dict[str, list[Matrix]] = {}
        for offset, name in enumerate(CHANNELS, start=5):
            values = [row[offset] for row in ordered]
            if any(v is not None for v in values):
                width = self.widths.get(name, SPARSE_DIMENSIONS)
                vectors[name] = [_loaded(name, v, width) for v in values]
        return [_document(row) for row in ordered], vectors

    @contextmanager
    def _cursor(self) -> Iterator[Cursor]:
        with self.db.connect() as connection, _raw(connection).cursor(binary=True) as cursor:
            yield cursor


def _raw(connection: Connection) -> Any:
    return connection.connection.driver_connection


def _document(row: Sequence[Any]) -> Document:
    fields = row[2] if isinstance(row[2], dict) else json.loads(row[2])
    return Document(row[0], row[1], fields, tuple(row[3] or ()), tuple(row[4] or ()))


def _dumped(name: str, row: Matrix) -> Any:
    if name in DENSE:
        return np.asarray(row.toarray() if sparse.issparse(row) else row, np.float32).ravel()
    return to_sparse(row)


def _loaded(name: str, value: Any, width: int) -> Matrix:
    if name in DENSE:
        return (
            np.zeros((1, 1), np.float32)
            if value is None
            else np.asarray(value.to_numpy(), np.float32)[None, :]
        )
    indices = np.asarray([] if value is None else value.indices(), np.int64)
    data = np.asarray([] if value is None else value.values(), np.float32)
    inside = indices < width  # terms past a vocabulary refit since: unknown to the queries
    indices, data = indices[inside], data[inside]
    return sparse.csr_matrix((data, indices, [0, len(indices)]), shape=(1, width))


def _scores(rows: list[Matrix] | None, query: Matrix, size: int) -> np.ndarray:
    """(size,) exact dot products, computed as the in-process index computes them."""
    if rows is None or not size:
        return np.zeros(size)
    if sparse.issparse(query):
        matrix = sparse.vstack(rows, format="csr")
        dense_query = np.asarray(query.toarray(), np.float32)
        return np.asarray(matrix @ dense_query.T).ravel().astype(np.float64)
    matrix = np.vstack(rows)
    return (np.asarray(query, np.float32) @ matrix.T).astype(np.float64).ravel()


def _where(filters: Filters) -> tuple[str, list[Any]]:
    """The filters as one SQL condition (`fields` compared lower-cased, as in-process)."""
    clauses, parameters = ["TRUE"], []
    for name, allowed in filters.by_field().items():
        clauses.append("lower(coalesce(fields->>%s, '')) = ANY(%s)")
        parameters += [name, sorted(allowed)]
    if filters.exclude_ids:
        clauses.append("id <> ALL(%s)")
        parameters.append(sorted(filters.exclude_ids))
    if filters.cpv_codes:
        prefixes = [code.split("-")[0].rstrip("0") or code for code in filters.cpv_codes]
        clauses.append("EXISTS (SELECT 1 FROM unnest(codes || tagged) c WHERE c LIKE ANY(%s))")
        parameters.append(sorted(f"{p}%" for p in prefixes))
    return " AND ".join(clauses), parameters
