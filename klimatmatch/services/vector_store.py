"""The index of one side in PostgreSQL with pgvector: a `matcher.backends.TargetIndex`.

A query asks each channel for its top `depth` under the filters, in SQL: the dense channel
exactly below `exact_below` rows (a scan), else through its HNSW index (inner product;
`hnsw.ef_search`, iterative scans when filtered); BM25 and CPV as exact inner products summed
over the postings of the query's terms (`<table>_terms`; ties by id, as the in-process index
breaks them by row). The union of those candidates is read
back with every channel's vector and scored exactly in numpy, so fusion sees the same numbers
as in-process; only the dense channel's recall is approximate. The process holds nothing of the
index but the fitted BM25 vocabulary.
"""

from __future__ import annotations

import json
import time
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from typing import Any

import numpy as np
from psycopg import Cursor
from scipy import sparse
from sqlalchemy import Connection, Engine, event

from matcher.backends import Candidates, Side
from matcher.documents import Document
from matcher.embedders.base import Matrix
from matcher.filters import Filters
from models.vector_tables import (
    CHANNELS,
    DENSE,
    POSTED,
    SIDES,
    SPARSE_DIMENSIONS,
    terms_table,
)

PROPOSE = ("dense", "lexical", "cpv")
"""Channels that propose candidates; `dense_en` only re-scores the others' (as in-process)."""
_COLUMNS = "id, text, fields, codes, tagged, " + ", ".join(CHANNELS)
SIZE_SECONDS = 60.0
"""How long a row count decides between exact and HNSW dense search before it is re-read."""


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
        self,
        db: Engine,
        side: Side,
        *,
        ef_search: int = 200,
        exact_below: int | None = None,
        widths: dict[str, int] | None = None,
    ) -> None:
        self.db = db
        self.side = side
        self.table = SIDES[side][0]
        self.terms = terms_table(self.table)
        self.ef_search = ef_search
        self.exact_below = exact_below
        """Below this many rows the dense channel is searched exactly (a scan, as in-process
        below `ann_threshold`); None: always through HNSW."""
        self._size: tuple[float, int] = (-SIZE_SECONDS, 0)
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
        return vectors

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
        ids = [d.id for d in documents]
        with _raw(connection).cursor() as cursor:
            existing = cursor.execute(
                f"SELECT id FROM {self.table} WHERE id = ANY(%s)", (ids,)
            ).fetchall()
            cursor.executemany(sql, rows)
            self._write_postings(cursor, ids, [r[0] for r in existing], vectors)

    def _write_postings(
        self,
        cursor: Cursor,
        ids: Sequence[int],
        existing: Sequence[int],
        vectors: Mapping[str, Matrix],
    ) -> None:
        """Replace these rows' postings of the sparse channels written (rows new to the table
        have none to delete: a bulk write into an emptied table never looks)."""
        written = {name: channel for name, channel in POSTED.items() if name in vectors}
        if not written:
            return
        if existing:
            cursor.execute(
                f"DELETE FROM {self.terms} WHERE id = ANY(%s) AND channel = ANY(%s)",
                (list(existing), list(written.values())),
            )
        columns: list[list[np.ndarray]] = [[], [], [], []]
        for name, channel in written.items():
            matrix = sparse.csr_matrix(vectors[name], dtype=np.float32)
            matrix.sum_duplicates()
            matrix.eliminate_zeros()
            columns[0].append(np.full(matrix.nnz, channel))
            columns[1].append(matrix.indices)
            columns[2].append(np.repeat(np.asarray(ids), np.diff(matrix.indptr)))
            columns[3].append(matrix.data)
        if sum(len(c) for c in columns[0]):
            cursor.execute(
                f"INSERT INTO {self.terms} (channel, term, id, weight) SELECT * FROM "
                "unnest(%s::smallint[], %s::integer[], %s::integer[], %s::real[])",
                [np.concatenate(c).tolist() for c in columns],
            )

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
                if name in POSTED:
                    ids.update(self._posted(cursor, name, query, filters, depth))
                    continue
                # inner_product() is the same number as <#>, but no index serves it: a scan
                order = (
                    f"inner_product({name}, %s) DESC, id"
                    if self._exact(cursor)
                    else f"{name} <#> %s"
                )
                cursor.execute(
                    f"SELECT id FROM {self.table} WHERE {where} AND {name} IS NOT NULL "
                    f"ORDER BY {order} LIMIT %s",
                    [*parameters, np.ravel(query), depth],
                )
                ids.update(row[0] for row in cursor)
            documents, matrices = self._read(sorted(ids), cursor)
        scores = {
            name: _scores(matrices.get(name), q, len(documents)) for name, q in queries.items()
        }

        def candidate_rows(name: str, positions: Sequence[int]) -> Matrix:
            return matrices[name][list(positions)]

        return Candidates(documents, scores, candidate_rows)

    @property
    def approximate_channels(self) -> list[str]:
        with self._cursor() as cursor:
            return [] if self._exact(cursor) else ["dense"]

    def _exact(self, cursor: Cursor) -> bool:
        """Whether the dense channel is searched exactly: the row count, re-read at most every
        `SIZE_SECONDS`, is below `exact_below`."""
        if self.exact_below is None:
            return False
        checked, size = self._size
        if time.monotonic() - checked > SIZE_SECONDS:
            size = int(cursor.execute(f"SELECT count(*) FROM {self.table}").fetchone()[0])
            self._size = (time.monotonic(), size)
        return size < self.exact_below

    def _posted(
        self, cursor: Cursor, name: str, query: Matrix, filters: Filters, depth: int
    ) -> list[int]:
        """A sparse channel's top `depth` under the filters, exactly: the inner product summed
        over the postings of the query's terms, ties by id. Rows that share no term score 0
        and fill what is left in id order, as the in-process index ranks them."""
        row = sparse.csr_matrix(query, dtype=np.float64)
        row.sum_duplicates()
        where, parameters = _where(filters)
        scored = (
            f"SELECT p.id, sum(p.weight * q.w) AS score FROM {self.terms} p "
            "JOIN unnest(%s::integer[], %s::float8[]) AS q(term, w) ON p.term = q.term "
            "WHERE p.channel = %s GROUP BY p.id"
        )
        # every posting's row exists (foreign key): only the filters need the rows themselves
        join = "" if filters.is_empty else f"JOIN {self.table} USING (id) "
        cursor.execute(
            f"SELECT id FROM ({scored}) s {join}WHERE {where} ORDER BY score DESC, id LIMIT %s",
            [row.indices.tolist(), row.data.tolist(), POSTED[name], *parameters, depth],
        )
        found = [r[0] for r in cursor]
        if len(found) < depth:
            cursor.execute(
                f"SELECT id FROM {self.table} WHERE {where} AND {name} IS NOT NULL "
                "AND id <> ALL(%s) ORDER BY id LIMIT %s",
                [*parameters, found, depth - len(found)],
            )
            found += [r[0] for r in cursor]
        return found

    def _read(
        self, ids: Sequence[int], cursor: Cursor | None = None
    ) -> tuple[list[Document], dict[str, Matrix]]:
        """Documents and per-channel matrices, (len(documents), dim), in the order of ids; a
        channel empty in every row is left out, an empty value in some rows is a zero row."""
        if not ids:
            return [], {}
        sql = f"SELECT {_COLUMNS} FROM {self.table} WHERE id = ANY(%s)"
        if cursor is None:
            with self._cursor() as own:
                found = {row[0]: row for row in own.execute(sql, (list(ids),))}
        else:
            found = {row[0]: row for row in cursor.execute(sql, (list(ids),))}
        ordered = [found[i] for i in ids if i in found]
        vectors: dict[str, Matrix] = {}
        for offset, name in enumerate(CHANNELS, start=5):
            values = [row[offset] for row in ordered]
            if any(v is not None for v in values):
                width = self.widths.get(name, SPARSE_DIMENSIONS)
                vectors[name] = _dense(values) if name in DENSE else _sparse(values, width)
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


def _dense(values: Sequence[Any]) -> np.ndarray:
    """(len(values), dim) float32; an empty value is a zero row."""
    width = next(len(v.to_numpy()) for v in values if v is not None)
    rows = [np.zeros(width, np.float32) if v is None else v.to_numpy() for v in values]
    return np.asarray(np.vstack(rows), np.float32)


def _sparse(values: Sequence[Any], width: int) -> sparse.csr_matrix:
    """(len(values), width) float32 CSR in one piece; terms past `width` (a vocabulary refit
    since) are unknown to the queries and dropped."""
    indices = [np.asarray(v.indices() if v is not None else [], np.int64) for v in values]
    data = [np.asarray(v.values() if v is not None else [], np.float32) for v in values]
    inside = [i < width for i in indices]
    indices = [i[keep] for i, keep in zip(indices, inside, strict=True)]
    data = [d[keep] for d, keep in zip(data, inside, strict=True)]
    pointers = np.concatenate([[0], np.cumsum([len(i) for i in indices])])
    flat_indices = np.concatenate(indices) if indices else np.zeros(0, np.int64)
    flat_data = np.concatenate(data) if data else np.zeros(0, np.float32)
    return sparse.csr_matrix((flat_data, flat_indices, pointers), shape=(len(values), width))


def _scores(matrix: Matrix | None, query: Matrix, size: int) -> np.ndarray:
    """(size,) exact dot products, computed as the in-process index computes them."""
    if matrix is None or not size:
        return np.zeros(size)
    if sparse.issparse(query):
        dense_query = np.asarray(query.toarray(), np.float32)
        return np.asarray(matrix @ dense_query.T).ravel().astype(np.float64)
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
