"""The sparse channels (BM25, CPV) of the pgvector index as postings: written with their rows,
searched by the query's own terms.

A query sums `weight x query weight` over the postings of its terms: exact, in time
proportional to those terms' postings. On a large table (from `KLIMATMATCH_ANN_THRESHOLD`
rows, as the dense channel turns to HNSW) it reads only each term's heaviest `per_term`
postings, read backwards from the key (channel, term, weight, id): the "champion lists" of
Manning, Raghavan & Schütze (IR book, 7.1.3), a bounded read whatever the table's size. Only
the candidates are approximate: the engine scores every candidate exactly afterwards.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import numpy as np
from psycopg import Cursor
from scipy import sparse

from klimatmatch.index.vector_rows import where_clause
from matcher.embedders.base import Matrix
from matcher.filters import Filters
from models.vector_tables import POSTED


def write(
    cursor: Cursor,
    terms: str,
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
            f"DELETE FROM {terms} WHERE id = ANY(%s) AND channel = ANY(%s)",
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
            f"INSERT INTO {terms} (channel, term, id, weight) SELECT * FROM "
            "unnest(%s::smallint[], %s::integer[], %s::integer[], %s::real[])",
            [np.concatenate(c).tolist() for c in columns],
        )


def top(
    cursor: Cursor,
    table: str,
    terms: str,
    name: str,
    query: Matrix,
    filters: Filters,
    depth: int,
    per_term: int | None = None,
) -> list[int]:
    """A sparse channel's top `depth` ids under the filters, ties by id. `per_term`: read only
    each term's heaviest postings (None: all of them, exact). Rows that share no term score 0
    and fill what is left in id order, as the in-process index ranks them."""
    row = sparse.csr_matrix(query, dtype=np.float64)
    row.sum_duplicates()
    where, parameters = where_clause(filters)
    # every posting's row exists (foreign key): only the filters need the rows themselves
    join = "" if filters.is_empty else f"JOIN {table} USING (id) "
    query_terms = "unnest(%s::integer[], %s::float8[]) AS q(term, w)"
    head = [row.indices.tolist(), row.data.tolist(), POSTED[name]]
    if per_term is None:
        scored = (
            f"SELECT p.id, sum(p.weight * q.w) AS score FROM {terms} p "
            f"JOIN {query_terms} ON p.term = q.term WHERE p.channel = %s GROUP BY p.id"
        )
        sql = f"SELECT id FROM ({scored}) s {join}WHERE {where} ORDER BY score DESC, id LIMIT %s"
        arguments = [*head, *parameters, depth]
    else:
        heaviest = (
            f"SELECT p.id, p.weight FROM {terms} p {join}"
            f"WHERE p.channel = %s AND p.term = q.term AND {where} "
            "ORDER BY p.weight DESC LIMIT %s"
        )
        sql = (
            f"SELECT h.id FROM {query_terms} CROSS JOIN LATERAL ({heaviest}) h "
            "GROUP BY h.id ORDER BY sum(h.weight * q.w) DESC, h.id LIMIT %s"
        )
        arguments = [*head, *parameters, per_term, depth]
    cursor.execute(sql, arguments)
    found = [r[0] for r in cursor]
    if len(found) < depth:
        cursor.execute(
            f"SELECT id FROM {table} WHERE {where} AND {name} IS NOT NULL "
            "AND id <> ALL(%s) ORDER BY id LIMIT %s",
            [*parameters, found, depth - len(found)],
        )
        found += [r[0] for r in cursor]
    return found
