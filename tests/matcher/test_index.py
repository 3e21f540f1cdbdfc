from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays
from scipy import sparse

from matcher import Document, ExactIndex, Filters, top_k


def oracle(scores: np.ndarray, k: int) -> list[list[int]]:
    """Brute force: a stable full sort by descending score."""
    return [list(np.argsort(-row, kind="stable")[:k]) for row in np.atleast_2d(scores)]


scores_strategy = arrays(
    np.float64,
    st.tuples(st.integers(1, 4), st.integers(1, 60)),
    elements=st.sampled_from([0.0, 0.1, 0.25, 0.5, 0.9, -0.3, 1.0]),
)


@given(scores=scores_strategy, k=st.integers(1, 70))
@settings(max_examples=200, deadline=None)
def test_top_k_equals_full_sort_oracle_with_ties(scores: np.ndarray, k: int) -> None:
    indices, values = top_k(scores, k)
    assert indices.tolist() == oracle(scores, k)
    assert np.allclose(values, np.take_along_axis(scores, indices, axis=1))


@given(scores=scores_strategy, k=st.integers(1, 30))
@settings(max_examples=100, deadline=None)
def test_top_k_is_a_prefix_of_top_k_plus_one(scores: np.ndarray, k: int) -> None:
    shorter, _ = top_k(scores, k)
    longer, _ = top_k(scores, k + 1)
    assert (longer[:, : shorter.shape[1]] == shorter).all()


def test_top_k_drops_minus_infinity() -> None:
    indices, values = top_k(np.array([[0.2, -np.inf, 0.9]]), 3)
    assert indices.tolist() == [[2, 0, -1]]
    assert values[0, 2] == -np.inf


def unit(*rows: list[float]) -> np.ndarray:
    matrix = np.array(rows, dtype=np.float32)
    return matrix / np.linalg.norm(matrix, axis=1, keepdims=True)


def docs(*countries: str) -> list[Document]:
    return [Document(i + 1, f"doc {i + 1}", {"country": c}) for i, c in enumerate(countries)]


def test_exact_ranking_on_hand_built_vectors() -> None:
    index = ExactIndex()
    index.upsert(docs("SE", "DK", "NO"), unit([1, 0, 0], [0.6, 0.8, 0], [0, 0, 1]))
    hits = index.search(unit([0.8, 0.6, 0]), k=3)
    assert [d.id for d, _ in hits] == [2, 1, 3]
    assert [round(s, 4) for _, s in hits] == [0.96, 0.8, 0.0]


def test_filters_and_exclusions_remove_candidates() -> None:
    index = ExactIndex()
    index.upsert(docs("SE", "DK", "SE"), unit([1, 0], [0.9, 0.1], [0.8, 0.2]))
    only_se = index.search(unit([1, 0]), k=5, filters=Filters.build(countries=["se"]))
    assert [d.id for d, _ in only_se] == [1, 3]
    excluded = index.search(unit([1, 0]), k=5, filters=Filters.build(exclude_ids=[1]))
    assert [d.id for d, _ in excluded] == [2, 3]


def test_upsert_replaces_and_remove_keeps_other_rows_intact() -> None:
    index = ExactIndex()
    index.upsert(docs("SE", "DK", "NO"), unit([1, 0], [0, 1], [1, 1]))
    index.upsert([Document(1, "moved", {})], unit([0, 1]))
    assert len(index) == 3 and index.document(1).text == "moved"
    assert index.remove(1) and not index.remove(1)
    hits = index.search(unit([0, 1]), k=5)
    assert [d.id for d, _ in hits] == [2, 3]
    assert 1 not in index


def test_growth_beyond_initial_capacity_keeps_every_vector() -> None:
    rng = np.random.default_rng(0)
    vectors = rng.normal(size=(100, 8)).astype(np.float32)
    vectors /= np.linalg.norm(vectors, axis=1, keepdims=True)
    index = ExactIndex()
    for i in range(100):
        index.upsert([Document(i, str(i))], vectors[i : i + 1])
    query = vectors[42:43]
    expected = oracle(vectors @ query[0], 5)[0]
    assert [d.id for d, _ in index.search(query, 5)] == expected


def test_sparse_vectors_rank_like_dense_ones() -> None:
    dense = unit([1, 0, 0], [0.6, 0.8, 0], [0, 0, 1])
    index = ExactIndex()
    index.upsert(docs("SE", "DK", "NO"), sparse.csr_matrix(dense))
    index.remove(1)
    hits = index.search(sparse.csr_matrix(unit([0.8, 0.6, 0])), k=3)
    assert [d.id for d, _ in hits] == [2, 3]


def test_mismatched_lengths_are_refused() -> None:
    with pytest.raises(ValueError, match="2 documents but 1 vectors"):
        ExactIndex().upsert(docs("SE", "DK"), unit([1, 0]))


def test_cpv_filter_keeps_candidates_in_the_class_of_a_code() -> None:
    index = ExactIndex()
    documents = [
        Document(1, "a", codes=("09323000",)),
        Document(2, "b", codes=("45000000",)),
        Document(3, "c"),
    ]
    index.upsert(documents, unit([1, 0], [0.9, 0.1], [0.8, 0.2]))
    heating = index.search(unit([1, 0]), k=5, filters=Filters.build(cpv_codes=["09300000-2"]))
    assert [d.id for d, _ in heating] == [1]
    assert index.mask(Filters.build(cpv_codes=["45000000"])).tolist() == [False, True, False]


def test_approximate_dense_search_matches_exact_on_clustered_vectors() -> None:
    rng = np.random.default_rng(7)
    centres = rng.normal(size=(20, 32))
    vectors = centres[rng.integers(0, 20, 3000)] + 0.3 * rng.normal(size=(3000, 32))
    vectors = (vectors / np.linalg.norm(vectors, axis=1, keepdims=True)).astype(np.float32)
    documents = [Document(i, str(i)) for i in range(3000)]
    exact, approximate = ExactIndex(), ExactIndex(ann_threshold=1000)
    for index in (exact, approximate):
        index.upsert(documents[:2000], vectors[:2000])
        index.upsert(documents[2000:], vectors[2000:])
        index.remove(5)
    assert approximate.approximate_channels == ["default"] and not exact.approximate_channels
    queries = vectors[rng.integers(0, 3000, 50)]
    recall = 0.0
    for query in queries:
        truth = {d.id for d, _ in exact.search(query[None, :], 10)}
        found = {d.id for d, _ in approximate.search(query[None, :], 10)}
        recall += len(truth & found) / 10
    assert recall / len(queries) >= 0.98
    assert 5 not in {d.id for d, _ in approximate.search(vectors[5:6], 10)}
