"""One channel's rows in the exact index, in the shape that keeps single-row writes cheap.

Dense rows live in a doubling buffer (adding one is O(d)). Sparse rows (BM25, CPV) live in a
compacted CSR base plus the rows written since it was built, folded in once they pass a share
of it: replacing one row of a 100k-row CSR through scipy's LIL format took 0.7 s per channel,
which a replica paid for every change it applied.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
from scipy import sparse

from matcher.embedders.base import Matrix

COMPACT_SHARE = 32
"""Fold the written rows into the base when they exceed 1/32 of it (and 256 rows)."""


class SparseRows:
    """`size` rows of a fixed width: `base` rows below `size`, overridden by `written` ones."""

    def __init__(self, width: int, base: sparse.csr_matrix | None = None) -> None:
        self.width = width
        self.base = sparse.csr_matrix((0, width), dtype=np.float32) if base is None else base
        self.size = self.base.shape[0]
        self._written: dict[int, sparse.csr_matrix] = {}
        self._stacked: tuple[np.ndarray, sparse.csr_matrix] | None = None

    def set(self, row: int, vector: Matrix) -> None:
        if row > self.size:
            raise IndexError(f"row {row} would leave a gap after {self.size} rows")
        self._written[row] = self._shaped(vector)
        self._stacked = None
        self.size = max(self.size, row + 1)
        if len(self._written) > max(256, self.base.shape[0] // COMPACT_SHARE):
            self.compact()

    def extend(self, start: int, block: Matrix) -> None:
        """Rows `start ..` get the rows of `block`: a large block is stacked onto the base in
        one copy, a few rows are written one by one."""
        block = self._shaped(block)
        if block.shape[0] < max(256, self.base.shape[0] // COMPACT_SHARE):
            for offset in range(block.shape[0]):
                self.set(start + offset, block[offset])
            return
        self.truncate(start)
        self.compact()
        self.base = sparse.csr_matrix(sparse.vstack([self.base, block], format="csr"))
        self.size = self.base.shape[0]

    def row(self, row: int) -> sparse.csr_matrix:
        written = self._written.get(row)
        return written if written is not None else self.base[row]

    def rows(self, positions: Sequence[int]) -> sparse.csr_matrix:
        """Several rows at once, in the order asked: one fancy index of the base plus the
        written ones (reading a hundred candidates row by row cost ~35 µs each)."""
        positions = np.asarray(positions, dtype=np.int64)
        written = np.fromiter(
            (int(p) in self._written for p in positions), dtype=bool, count=len(positions)
        )
        if self.base.shape[0]:
            part = sparse.csr_matrix(self.base[np.where(written, 0, positions)])
        else:
            part = sparse.csr_matrix((len(positions), self.width), dtype=np.float32)
        mine = np.flatnonzero(written)
        if not len(mine):
            return part
        extra = sparse.vstack([self._written[int(positions[i])] for i in mine], format="csr")
        order = np.arange(len(positions))
        order[mine] = len(positions) + np.arange(len(mine))
        return sparse.csr_matrix(sparse.vstack([part, extra], format="csr")[order])

    def truncate(self, size: int) -> None:
        """Rows from `size` on are gone (base rows stay allocated until the next compaction)."""
        self.size = size
        for row in [r for r in self._written if r >= size]:
            del self._written[row]
        self._stacked = None

    def move(self, source: int, target: int, size: int) -> None:
        self.set(target, self.row(source))
        self.truncate(size)

    def matrix(self) -> sparse.csr_matrix:
        """All rows as one CSR (compacts first); a copy the caller may keep."""
        self.compact()
        return self.base[: self.size].copy()

    def scores(self, queries: np.ndarray) -> np.ndarray:
        """(n_queries, size) dot products with dense (n_queries, width) queries."""
        queries = np.asarray(queries, dtype=np.float32)
        result = np.zeros((self.size, queries.shape[0]), dtype=np.float64)
        covered = min(self.base.shape[0], self.size)
        if covered:
            # row-wise CSR times a dense matrix: O(nnz), no slicing or transposing the base
            result[:covered] = (self.base @ queries.T)[:covered]
        if self._written:
            rows, stacked = self._stack()
            result[rows] = stacked @ queries.T
        return result.T

    def compact(self) -> None:
        if not self._written and self.base.shape[0] == self.size:
            return
        rows, stacked = self._stack()
        order = np.arange(self.size)
        order[rows] = self.base.shape[0] + np.arange(len(rows))
        if self.size > self.base.shape[0] and not np.all(
            order[self.base.shape[0] :] >= self.base.shape[0]
        ):
            raise AssertionError("a row past the base was never written")
        combined = sparse.vstack([self.base, stacked], format="csr")
        self.base = sparse.csr_matrix(combined[order])
        self._written = {}
        self._stacked = None

    def _stack(self) -> tuple[np.ndarray, sparse.csr_matrix]:
        if self._stacked is None:
            rows = np.fromiter(sorted(self._written), dtype=np.int64, count=len(self._written))
            if len(rows):
                stacked = sparse.vstack([self._written[int(r)] for r in rows], format="csr")
            else:
                stacked = sparse.csr_matrix((0, self.width), dtype=np.float32)
            self._stacked = (rows, sparse.csr_matrix(stacked))
        return self._stacked

    def _shaped(self, matrix: Matrix) -> sparse.csr_matrix:
        """As CSR float32 of this width (BM25 rows may be narrower than a grown vocabulary)."""
        matrix = sparse.csr_matrix(matrix, dtype=np.float32)
        if matrix.shape[1] != self.width:
            matrix = sparse.csr_matrix(
                (matrix.data, matrix.indices, matrix.indptr), shape=(matrix.shape[0], self.width)
            )
        return matrix


class Rows:
    """A channel's rows, dense or sparse (decided by the first vector written)."""

    def __init__(self) -> None:
        self.dense: np.ndarray | None = None
        self.sparse: SparseRows | None = None

    def adopt(self, matrix: Matrix) -> None:
        """Take a whole matrix as the rows (a snapshot's), without copying it again."""
        if sparse.issparse(matrix):
            base = sparse.csr_matrix(matrix, dtype=np.float32)
            self.sparse = SparseRows(base.shape[1], base)
            return
        array = np.asarray(matrix, dtype=np.float32)
        self.dense = array if array.flags.writeable and array.flags.c_contiguous else array.copy()

    def write(self, row: int, vector: Matrix) -> None:
        if sparse.issparse(vector):
            if self.sparse is None:
                self.sparse = SparseRows(vector.shape[1])
            self.sparse.set(row, vector)
            return
        vector = np.asarray(vector, dtype=np.float32).ravel()
        self._reserve(row + 1, vector.shape[0])
        assert self.dense is not None
        self.dense[row] = vector

    def append(self, start: int, block: Matrix) -> None:
        """Rows `start ..` get `block`, (n, d), in one copy."""
        if sparse.issparse(block):
            if self.sparse is None:
                self.sparse = SparseRows(block.shape[1])
            self.sparse.extend(start, block)
            return
        block = np.asarray(block, dtype=np.float32)
        if block.ndim == 1:
            block = block[None, :]
        self._reserve(start + block.shape[0], block.shape[1], keep=start)
        assert self.dense is not None
        self.dense[start : start + block.shape[0]] = block

    def _reserve(self, rows: int, width: int, keep: int | None = None) -> None:
        if self.dense is None:
            self.dense = np.zeros((max(16, rows), width), dtype=np.float32)
            return
        if width != self.dense.shape[1]:
            raise ValueError(f"vector has {width} dims, index has {self.dense.shape[1]}")
        if rows > self.dense.shape[0]:
            grown = np.zeros((max(rows, 2 * self.dense.shape[0]), width), dtype=np.float32)
            kept = self.dense.shape[0] if keep is None else keep
            grown[:kept] = self.dense[:kept]
            self.dense = grown

    def row(self, row: int) -> Matrix:
        if self.sparse is not None:
            return self.sparse.row(row)
        assert self.dense is not None
        return self.dense[row : row + 1]

    def rows(self, positions: Sequence[int]) -> Matrix:
        """(len(positions), width) in the order asked, sparse rows staying sparse."""
        if self.sparse is not None:
            return self.sparse.rows(positions)
        assert self.dense is not None
        return self.dense[np.asarray(positions, dtype=np.int64)]

    def move(self, source: int, target: int, size: int) -> None:
        """Copy row `source` over `target` and shrink to `size` rows."""
        if self.sparse is not None:
            self.sparse.move(source, target, size)
        elif self.dense is not None:
            self.dense[target] = self.dense[source]

    def truncate(self, size: int) -> None:
        if self.sparse is not None:
            self.sparse.truncate(size)

    def export(self, size: int) -> Matrix | None:
        if self.sparse is not None:
            return self.sparse.matrix()
        return None if self.dense is None else self.dense[:size].copy()

    def scores(self, queries: Matrix, size: int) -> np.ndarray:
        """(n_queries, size) dot products."""
        dense_queries = queries.toarray() if sparse.issparse(queries) else np.asarray(queries)
        if self.sparse is not None:
            return self.sparse.scores(dense_queries)
        assert self.dense is not None
        matrix = self.dense[:size]
        return (np.asarray(dense_queries, np.float32) @ matrix.T).astype(np.float64)
