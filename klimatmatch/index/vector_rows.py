"""How the pgvector index's rows cross between SQL and numpy: pgvector's types, a row's
document, its channels as matrices, exact scores, and the filters as a WHERE clause."""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Any

import numpy as np
from psycopg import Cursor
from psycopg.abc import Buffer
from psycopg.adapt import Loader
from psycopg.pq import Format
from scipy import sparse
from sqlalchemy import Connection, Engine, event

from matcher.documents import Document
from matcher.embedders.base import Matrix
from matcher.filters import Filters
from models.vector_tables import DENSE, SPARSE_DIMENSIONS


def register_types(db: Engine) -> None:
    """pgvector's binary adapters on every connection of `db` (numpy in, numpy out)."""

    def register(connection: Any, record: Any) -> None:
        register_on(connection, record.info)

    event.listen(db, "connect", register)


def register_on(connection: Any, info: dict) -> None:
    """pgvector's adapters on one DB-API connection, once (`info` remembers)."""
    from pgvector.psycopg import register_vector

    if not info.get("pgvector"):
        register_vector(connection)
        info["pgvector"] = True


def raw(connection: Connection) -> Any:
    return connection.connection.driver_connection


def to_sparse(row: Matrix) -> Any:
    from pgvector import SparseVector

    row = sparse.csr_matrix(row)
    row.sum_duplicates()
    pairs = zip(row.indices.tolist(), row.data.tolist(), strict=True)
    return SparseVector(dict(pairs), SPARSE_DIMENSIONS)


def document(row: Sequence[Any]) -> Document:
    fields = row[2] if isinstance(row[2], dict) else json.loads(row[2])
    return Document(row[0], row[1], fields, tuple(row[3] or ()), tuple(row[4] or ()))


def dumped(name: str, row: Matrix) -> Any:
    """One channel of one row as pgvector stores it."""
    if name in DENSE:
        return np.asarray(row.toarray() if sparse.issparse(row) else row, np.float32).ravel()
    return to_sparse(row)


class _Payload(Loader):
    """A pgvector value as its binary payload: `dense_rows` and `sparse_rows` parse a
    candidate read's few hundred rows in bulk with numpy, where pgvector's own loaders build
    Python lists per row (most of a read's time)."""

    format = Format.BINARY

    def load(self, data: Buffer) -> bytes:
        return bytes(data)


def load_payloads(cursor: Cursor) -> None:
    """This cursor reads `vector` and `sparsevec` columns as their binary payloads."""
    for name in ("vector", "sparsevec"):
        cursor.adapters.register_loader(cursor.adapters.types[name].oid, _Payload)


def dense_rows(values: Sequence[bytes | None]) -> np.ndarray:
    """(len(values), dim) float32 from `vector` payloads (int16 dim, int16 unused, big-endian
    float4s); an empty value is a zero row."""
    width = next(int.from_bytes(v[:2], "big") for v in values if v is not None)
    zero = bytes(4 * width)
    joined = b"".join(zero if v is None else v[4:] for v in values)
    return np.frombuffer(joined, ">f4").astype(np.float32).reshape(len(values), width)


def sparse_rows(values: Sequence[bytes | None], width: int) -> sparse.csr_matrix:
    """(len(values), width) float32 CSR in one piece from `sparsevec` payloads (int32 dim,
    nnz, unused, then nnz int32 indices and nnz float4 values, big-endian); terms past `width`
    (a vocabulary refit since) are unknown to the queries and dropped."""
    counts = [0 if v is None else int.from_bytes(v[4:8], "big") for v in values]
    pairs = [(v, n) for v, n in zip(values, counts, strict=True) if n]
    indices = np.concatenate([np.frombuffer(v, ">i4", n, 12) for v, n in pairs] or [[]])
    data = np.concatenate([np.frombuffer(v, ">f4", n, 12 + 4 * n) for v, n in pairs] or [[]])
    inside = indices < width
    rows = np.repeat(np.arange(len(values)), counts)[inside]
    pointers = np.concatenate([[0], np.cumsum(np.bincount(rows, minlength=len(values)))])
    return sparse.csr_matrix(
        (data[inside].astype(np.float32), indices[inside].astype(np.int32), pointers),
        shape=(len(values), width),
    )


def scores(matrix: Matrix | None, query: Matrix, size: int) -> np.ndarray:
    """(size,) exact dot products, computed as the in-process index computes them."""
    if matrix is None or not size:
        return np.zeros(size)
    if sparse.issparse(query):
        dense_query = np.asarray(query.toarray(), np.float32)
        return np.asarray(matrix @ dense_query.T).ravel().astype(np.float64)
    return (np.asarray(query, np.float32) @ matrix.T).astype(np.float64).ravel()


def where_clause(filters: Filters) -> tuple[str, list[Any]]:
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
