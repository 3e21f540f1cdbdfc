"""Sparse rows written one at a time score like one CSR matrix built at once."""

from __future__ import annotations

import numpy as np
from scipy import sparse

from matcher.rows import SparseRows


def random_rows(rng: np.random.Generator, n: int, width: int = 50) -> sparse.csr_matrix:
    return sparse.random(n, width, density=0.1, format="csr", dtype=np.float32, random_state=rng)


def test_writes_moves_and_compaction_keep_the_rows_a_plain_matrix_would_hold() -> None:
    rng = np.random.default_rng(7)
    base = random_rows(rng, 600)
    rows = SparseRows(50, base)
    expected = base.toarray()
    for step in range(900):  # enough written rows to compact several times
        action = rng.integers(3)
        if action == 0:  # replace a row
            target = int(rng.integers(rows.size))
            vector = random_rows(rng, 1)
            rows.set(target, vector)
            expected[target] = vector.toarray()
        elif action == 1:  # append a row
            vector = random_rows(rng, 1)
            rows.set(rows.size, vector)
            expected = np.vstack([expected, vector.toarray()])
        else:  # remove: the last row moves into the gap
            target, last = int(rng.integers(rows.size)), rows.size - 1
            rows.move(last, target, last)
            expected[target] = expected[last]
            expected = expected[:last]
        if step % 97 == 0:
            queries = rng.random((3, 50), dtype=np.float32)
            np.testing.assert_allclose(rows.scores(queries), queries @ expected.T, rtol=1e-5)
    assert rows.size == len(expected)
    np.testing.assert_allclose(rows.matrix().toarray(), expected)
    np.testing.assert_allclose(rows.row(5).toarray()[0], expected[5])


def test_a_large_block_is_stacked_in_one_copy_and_narrow_rows_are_widened() -> None:
    rng = np.random.default_rng(3)
    rows = SparseRows(50)
    block = random_rows(rng, 1000)
    rows.extend(0, block)
    assert rows.base.shape == (1000, 50) and rows.size == 1000
    narrow = sparse.csr_matrix(np.ones((1, 10), dtype=np.float32))
    rows.set(1000, narrow)
    queries = np.ones((1, 50), dtype=np.float32)
    assert rows.scores(queries)[0, 1000] == 10.0
    assert rows.scores(queries).shape == (1, 1001)


def test_many_rows_at_once_match_reading_them_one_by_one() -> None:
    rng = np.random.default_rng(3)
    base = sparse.random(40, 12, density=0.3, format="csr", dtype=np.float32, random_state=3)
    rows = SparseRows(12, base)
    for row, value in ((5, 1.0), (17, 2.0), (40, 3.0), (41, 4.0)):  # two past the base
        rows.set(row, sparse.csr_matrix(np.full((1, 12), value, dtype=np.float32)))
    positions = [41, 0, 5, 39, 17, 40, 5]
    asked = rows.rows(positions).toarray()
    one_by_one = np.vstack([rows.row(p).toarray() for p in positions])
    assert asked.shape == (7, 12) and np.array_equal(asked, one_by_one)
    assert asked[0, 0] == 4.0 and asked[2, 0] == 1.0 and asked[5, 0] == 3.0
    fresh = SparseRows(12)
    fresh.set(0, sparse.csr_matrix(rng.random((1, 12), dtype=np.float32)))
    assert np.array_equal(fresh.rows([0, 0]).toarray(), np.vstack([fresh.row(0).toarray()] * 2))
