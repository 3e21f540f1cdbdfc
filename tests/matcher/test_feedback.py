"""Pseudo-relevance feedback: the dense channel's best candidates lend their terms to a lexical
query, so BM25 speaks where challenge and profiles are written in different languages."""

from __future__ import annotations

import numpy as np
import pytest
from scipy import sparse

from matcher import Document, MatchEngine, create_embedder
from matcher.feedback import Feedback, feedback_query, feedback_scores
from matcher.fusion import candidate_pool
from tests.matcher.test_engine_channels import MULTILINGUAL, Keywords, ask, index


def test_the_query_weighs_documents_by_rank_and_keeps_the_heaviest_terms() -> None:
    rows = sparse.csr_matrix(np.array([[2.0, 2.0, 0.0, 0.0], [0.0, 0.0, 3.0, 1.0]]))
    query = feedback_query(rows, terms=10)
    # each row sums to 1 before its weight: 1/1 for the first, 1/2 for the second
    assert query.shape == (1, 4)
    assert query.toarray()[0] == pytest.approx(np.array([0.5, 0.5, 0.375, 0.125]) / 1.5)
    kept = feedback_query(rows, terms=2).toarray()[0]
    assert np.count_nonzero(kept) == 2 and kept[2] == 0.0  # 0.333 each beat 0.25
    scores = feedback_scores(sparse.csr_matrix(np.eye(4)), query)
    assert scores == pytest.approx(query.toarray()[0])
    assert feedback_scores(np.eye(4), query) == pytest.approx(scores)  # dense rows too


def test_the_query_of_empty_rows_is_empty() -> None:
    assert feedback_query(sparse.csr_matrix((2, 5)), terms=3).nnz == 0


def test_the_fusion_pool_is_the_union_of_informative_channels_tops() -> None:
    scores = {
        "dense": np.array([0.9, 0.1, 0.5, 0.2]),
        "lexical": np.array([0.0, 3.0, 0.0, 0.0]),
        "cpv": np.zeros(4),  # one value for everyone: proposes nobody
    }
    assert candidate_pool(scores, depth=1).tolist() == [0, 1]
    assert candidate_pool({"cpv": np.zeros(3)}, depth=2).tolist() == [0, 1]


PROFILES = [
    Document(1, "Charging depots for electric trucks, depot grid connection.", {"language": "en"}),
    Document(2, "Charging software and route planning for electric ferries.", {"language": "en"}),
    Document(3, "Charging depots: grid connection at truck depots.", {"language": "en"}),
    Document(4, "Plastic-free lunch boxes.", {"language": "en"}),
]


def engine_with(feedback: Feedback) -> MatchEngine:
    dense = Keywords(MULTILINGUAL)
    engine = MatchEngine({"dense": dense, "lexical": create_embedder("bm25")}, feedback=feedback)
    index(engine, PROFILES)
    return engine


def test_feedback_lets_bm25_speak_across_languages() -> None:
    """The Swedish challenge shares no term with the English profiles, so BM25 abstains and
    the model alone ties profiles 1-3 (all about charging). Feedback takes the model's best
    (profile 1) and its terms ("depot", "grid", "truck") lift profile 3 over profile 2."""
    challenge = "Laddning av ellastbilar"
    assert ask(engine_with(Feedback(docs=0)), challenge, "sv") == [1, 2, 3]
    assert ask(engine_with(Feedback(docs=1, terms=10, weight=0.5)), challenge, "sv") == [1, 3, 2]


def test_feedback_is_no_score_component_and_is_recorded() -> None:
    engine = engine_with(Feedback(docs=1, terms=10, weight=0.5))
    ask(engine, "Laddning av ellastbilar", "sv")
    [first, *_] = engine.shortlist(99, 3, explain=False)
    assert set(first.components) == {"dense", "lexical"}
    recorded = {"docs": 1, "terms": 10, "weight": 0.5, "candidates": 100}
    assert engine.parameters["feedback"] == recorded
    assert engine.spawn().feedback == engine.feedback


def test_feedback_needs_a_model_and_the_lexical_channel() -> None:
    lexical_only = MatchEngine({"lexical": create_embedder("bm25")})
    dense_only = MatchEngine({"dense": Keywords(MULTILINGUAL)})
    assert lexical_only.parameters["feedback"] is None
    assert dense_only.parameters["feedback"] is None
    assert not Feedback(docs=0).enabled and Feedback().enabled
