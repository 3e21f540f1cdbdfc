"""The index of one side in PostgreSQL with pgvector: a `matcher.backends.TargetIndex`.

A query asks each channel for its top `depth` under the filters, in SQL: the dense channel
exactly below `exact_below` rows (a scan), else through its HNSW index (inner product;
`hnsw.ef_search`, iterative scans when filtered); BM25 and CPV as inner products summed over
the postings of the query's terms (`vector_postings`: all of them below `exact_below` rows,
ties by id as in-process; above it each term's heaviest). The union of those candidates is
read back with every channel's vector and scored exactly in numpy, so fusion sees the same
numbers as in-process; only which candidates are found is approximate, and only above
`exact_below`. The process holds nothing of the index but the fitted BM25 vocabulary.
"""

from __future__ import annotations

import json
import time
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager

import numpy as np
from psycopg import Cursor
from scipy import sparse
from sqlalchemy import Connection, Engine

from klimatmatch.index import vector_postings
from klimatmatch.index.vector_rows import (
    dense_rows,
    document,
    dumped,
    load_payloads,
    raw,
    register_on,
    scores,
    sparse_rows,
    where_clause,
)
from matcher.backends import Candidates, Channels, Queries, Side
from matcher.documents import Document
from matcher.embedders.base import Matrix
from matcher.filters import Filters
from models.vector_tables import (
    CHANNELS,
    DENSE,
    HNSW,
    POSTED,
    SIDES,
    SPARSE_DIMENSIONS,
    Hnsw,
    terms_table,
)

PROPOSE = ("dense", "lexical", "cpv")
"""Channels that propose candidates; `dense_en` only re-scores the others' (as in-process)."""
_COLUMNS = "id, text, fields, codes, tagged, " + ", ".join(CHANNELS)
SIZE_SECONDS = 60.0
"""How long a row count decides between exact and approximate search before it is re-read."""


class PgVectorIndex:
    """Challenges or profiles in their `vector_*` table. `db` has pgvector's types registered
    (`register_types`); writes may also go through a caller's connection (`write`), so they
    commit with the rows they index. Searches go to `reader` when given (a streaming replica
    of `db`), everything else to `db`."""

    def __init__(
        self,
        db: Engine,
        side: Side,
        *,
        ef_search: int = 200,
        exact_below: int | None = None,
        postings_per_term: int = 1000,
        hnsw: Hnsw = HNSW,
        widths: dict[str, int] | None = None,
        reader: Engine | None = None,
    ) -> None:
        self.db = db
        self.reader = reader or db
        self.side = side
        self.table = SIDES[side][0]
        self.terms = terms_table(self.table)
        self.ef_search = ef_search
        self.exact_below = exact_below
        """Below this many rows every channel is searched exactly (dense: a scan, as in-process
        below `ann_threshold`); None: always approximately (HNSW, the heaviest postings)."""
        self.postings_per_term = postings_per_term
        self.hnsw = hnsw
        """How a bulk write (a rebuild) builds the dense graph."""
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
            return [document(row) for row in cursor]

    def document(self, document_id: int) -> Document:
        return self.entry(document_id)[0]

    def vectors(self, document_id: int) -> dict[str, Matrix]:
        return self.entry(document_id)[1]

    def entry(self, document_id: int) -> tuple[Document, dict[str, Matrix]]:
        """From the replica that searches, or from the primary while the replica has not
        replayed the row yet (a challenge created a moment ago has a shortlist at once)."""
        documents, vectors = self._read([document_id], replica=True)
        if not documents and self.reader is not self.db:
            documents, vectors = self._read([document_id])
        if not documents:
            raise KeyError(document_id)
        return documents[0], vectors

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
                *(dumped(name, vectors[name][p]) for name in names),
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
        register_on(raw(connection), connection.connection.info)  # a caller's own engine
        ids = [d.id for d in documents]
        with raw(connection).cursor() as cursor:
            existing = cursor.execute(
                f"SELECT id FROM {self.table} WHERE id = ANY(%s)", (ids,)
            ).fetchall()
            cursor.executemany(sql, rows)
            vector_postings.write(cursor, self.terms, ids, [r[0] for r in existing], vectors)

    def remove(self, document_id: int) -> bool:
        with self.db.begin() as connection, raw(connection).cursor() as cursor:
            cursor.execute(f"DELETE FROM {self.table} WHERE id = %s", (document_id,))
            return cursor.rowcount > 0

    def candidates(
        self, queries: Queries, filters: Filters, *, depth: int, rescore: Channels = frozenset()
    ) -> Candidates:
        ids: set[int] = set()
        with self._cursor(replica=True) as cursor:
            exact = self._exact(cursor)
            scan = "off" if filters.is_empty else "relaxed_order"  # the connection keeps both
            ef_search = int(max(self.ef_search, depth))
            cursor.execute(
                "SELECT set_config('hnsw.ef_search', %s, false), "
                "set_config('hnsw.iterative_scan', %s, false)",
                (str(ef_search), scan),
            )
            for name in PROPOSE:
                if name in queries and name not in rescore:
                    ids.update(self.top(cursor, name, queries[name], filters, depth, exact=exact))
            documents, matrices = self._read(sorted(ids), cursor)
        scored = {
            name: scores(matrices.get(name), q, len(documents)) for name, q in queries.items()
        }

        def candidate_rows(name: str, positions: Sequence[int]) -> Matrix:
            return matrices[name][list(positions)]

        return Candidates(documents, scored, candidate_rows)

    def top(
        self,
        cursor: Cursor,
        name: str,
        query: Matrix,
        filters: Filters,
        depth: int,
        *,
        exact: bool,
    ) -> list[int]:
        """One channel's top `depth` ids under the filters, exactly or approximately."""
        if sparse.issparse(query) and not query.nnz:
            return []  # one score for everyone: this channel proposes nobody
        if name in POSTED:
            per_term = None if exact else max(self.postings_per_term, depth)
            return vector_postings.top(
                cursor, self.table, self.terms, name, query, filters, depth, per_term
            )
        where, parameters = where_clause(filters)
        # inner_product() is the same number as <#>, but no index serves it: a scan
        order = f"inner_product({name}, %s) DESC, id" if exact else f"{name} <#> %s"
        cursor.execute(
            f"SELECT id FROM {self.table} WHERE {where} AND {name} IS NOT NULL "
            f"ORDER BY {order} LIMIT %s",
            [*parameters, np.ravel(query), depth],
        )
        return [row[0] for row in cursor]

    @property
    def approximate_channels(self) -> list[str]:
        return [] if self._exact() else ["dense", *POSTED]

    def _exact(self, cursor: Cursor | None = None) -> bool:
        """Whether the dense channel is searched exactly: the row count, re-read at most every
        `SIZE_SECONDS` (through `cursor`, or a connection of its own), is below `exact_below`."""
        if self.exact_below is None:
            return False
        checked, size = self._size
        if time.monotonic() - checked > SIZE_SECONDS:
            sql = f"SELECT count(*) FROM {self.table}"
            if cursor is None:
                with self._cursor() as own:
                    size = int(own.execute(sql).fetchone()[0])
            else:
                size = int(cursor.execute(sql).fetchone()[0])
            self._size = (time.monotonic(), size)
        return size < self.exact_below

    def _read(
        self, ids: Sequence[int], cursor: Cursor | None = None, *, replica: bool = False
    ) -> tuple[list[Document], dict[str, Matrix]]:
        """Documents and per-channel matrices, (len(documents), dim), in the order of ids; a
        channel empty in every row is left out, an empty value in some rows is a zero row."""
        if not ids:
            return [], {}
        sql = f"SELECT {_COLUMNS} FROM {self.table} WHERE id = ANY(%s)"
        if cursor is None:
            with self._cursor(replica=replica) as own:
                load_payloads(own)
                found = {row[0]: row for row in own.execute(sql, (list(ids),)).fetchall()}
        else:
            load_payloads(cursor)
            found = {row[0]: row for row in cursor.execute(sql, (list(ids),)).fetchall()}
        ordered = [found[i] for i in ids if i in found]
        vectors: dict[str, Matrix] = {}
        for offset, name in enumerate(CHANNELS, start=5):
            values = [row[offset] for row in ordered]
            if any(v is not None for v in values):
                width = self.widths.get(name, SPARSE_DIMENSIONS)
                vectors[name] = dense_rows(values) if name in DENSE else sparse_rows(values, width)
        return [document(row) for row in ordered], vectors

    @contextmanager
    def _cursor(self, *, replica: bool = False) -> Iterator[Cursor]:
        """A binary cursor in autocommit: reads need no transaction, and none means no BEGIN
        before and no ROLLBACK after (two round trips of a shortlist's every read). `replica`:
        on the engine that searches."""
        db = self.reader if replica else self.db
        connection = db.connect().execution_options(isolation_level="AUTOCOMMIT")
        with connection, raw(connection).cursor(binary=True) as cursor:
            yield cursor
