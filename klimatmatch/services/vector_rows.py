"""How the pgvector index's rows cross between SQL and numpy: pgvector's types, a row's
document, its channels as matrices, exact scores, and the filters as a WHERE clause."""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Any

import numpy as np
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


def dense_rows(values: Sequence[Any]) -> np.ndarray:
    """(len(values), dim) float32; an empty value is a zero row."""
    width = next(len(v.to_numpy()) for v in values if v is not None)
    rows = [np.zeros(width, np.float32) if v is None else v.to_numpy() for v in values]
    return np.asarray(np.vstack(rows), np.float32)


def sparse_rows(values: Sequence[Any], width: int) -> sparse.csr_matrix:
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
