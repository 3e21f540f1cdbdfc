from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from matcher.analysis import Analyzer
from matcher.embedders.bm25 import BM25Embedder
from matcher.evaluation import metrics_for
from matcher.fusion import Fusion, fuse


def test_swedish_stemming_and_stop_words() -> None:
    terms = Analyzer(decompound=False).terms("Vi söker laddstationer för ellastbilarna", "sv")
    assert "för" not in terms and "vi" not in terms
    assert "laddstation" in terms and "ellastbil" in terms


def test_compounds_split_into_parts_the_corpus_knows() -> None:
    analyzer = Analyzer().fit(["laddning av bilar", "infrastruktur för staden"])
    assert analyzer.split("laddinfrastruktur") == []  # "ladd" never occurs alone
    analyzer = Analyzer().fit(["värme och pumpar", "ett arbete i en byggnad"])
    assert analyzer.split("värmepumpar") == ["värme", "pumpar"]
    assert analyzer.split("byggnadsarbete") == ["byggnad", "arbete"]  # linking -s-
    terms = analyzer.terms("Byggnadsarbete med värmepumpar", "sv")
    assert {"byggn", "arbet", "värm", "pump", "värmepump"} <= set(terms)
    english = Analyzer().fit(["green house"]).terms("greenhouse", "en")
    assert english == ["greenhous"]


def bm25_oracle(docs: list[list[str]], query: list[str], k1: float, b: float) -> np.ndarray:
    """Okapi BM25 written out term by term, the textbook way."""
    n = len(docs)
    avgdl = sum(map(len, docs)) / n
    scores = np.zeros(n)
    for term in query:
        df = sum(term in doc for doc in docs)
        if df == 0:
            continue
        idf = np.log(1 + (n - df + 0.5) / (df + 0.5))
        for i, doc in enumerate(docs):
            tf = doc.count(term)
            scores[i] += idf * tf * (k1 + 1) / (tf + k1 * (1 - b + b * len(doc) / avgdl))
    return scores


WORDS = ["heat", "pump", "charging", "truck", "plastic", "kitchen", "water", "solar"]


@given(
    docs=st.lists(
        st.lists(st.sampled_from(WORDS), min_size=1, max_size=12), min_size=2, max_size=8
    ),
    query=st.lists(st.sampled_from(WORDS), min_size=1, max_size=4),
)
@settings(max_examples=60, deadline=None)
def test_bm25_sparse_product_equals_the_textbook_formula(docs, query) -> None:  # noqa: ANN001
    texts = [" ".join(doc) for doc in docs]
    bm25 = BM25Embedder(decompound=False).fit(texts)
    analyze = bm25.analyzer_.terms
    got = (bm25.encode_queries([" ".join(query)]) @ bm25.encode_documents(texts).T).toarray()[0]
    expected = bm25_oracle(
        [analyze(t, "en") for t in texts], analyze(" ".join(query), "en"), 1.2, 0.75
    )
    np.testing.assert_allclose(got, expected, rtol=1e-4, atol=1e-5)


def test_fusion_strategies_on_a_hand_built_case() -> None:
    dense = np.array([[0.9, 0.8, 0.1, 0.0]])
    lexical = np.array([[0.0, 5.0, 4.0, 0.0]])
    for strategy in Fusion:
        fused = fuse({"dense": dense, "lexical": lexical}, strategy, depth=3)
        assert np.argmax(fused[0]) == 1, strategy  # second in one channel, first in the other
    rrf = fuse({"dense": dense, "lexical": lexical}, Fusion.RRF, depth=2, rrf_k=60)
    np.testing.assert_allclose(rrf[0], [1 / 61, 1 / 62 + 1 / 61, 1 / 62, 0.0])
    only_dense = fuse({"dense": dense, "lexical": lexical}, Fusion.MINMAX, {"lexical": 0.0})
    assert list(np.argsort(-only_dense[0])[:2]) == [0, 1]


@given(st.lists(st.floats(-5, 5), min_size=3, max_size=30), st.sampled_from(list(Fusion)))
@settings(max_examples=60, deadline=None)
def test_fusing_one_channel_keeps_its_top_order(values: list[float], strategy: Fusion) -> None:
    scores = np.array([values])
    fused = fuse({"only": scores}, strategy, depth=len(values))[0]
    order = np.argsort(-scores[0], kind="stable")
    assert all(fused[a] >= fused[b] for a, b in zip(order, order[1:], strict=False))


def test_metrics_on_a_known_ranking() -> None:
    metrics = metrics_for(["a", "x", "b"], {"a": 1, "b": 1})
    ideal = 1 + 1 / np.log2(3)
    assert metrics["ndcg@10"] == pytest.approx((1 + 1 / np.log2(4)) / ideal)
    assert metrics["recall@50"] == 1.0 and metrics["mrr@10"] == 1.0
    assert metrics_for(["x", "a"], {"a": 1})["mrr@10"] == 0.5


def test_english_keeps_content_words_and_splits_hyphens() -> None:
    """Only function words are dropped in English: "net", "zero", "group" and numbers carry
    meaning in company reports; hyphenated words also match their parts."""
    terms = Analyzer().terms("The group's net-zero target for 2030 covers the value chain", "en")
    assert {"net-zero", "net", "zero", "group", "2030", "valu", "chain", "target"} <= set(terms)
    assert "the" not in terms and "for" not in terms
    swedish = Analyzer().terms("Vi minskar CO2-utsläppen", "sv")
    assert {"co2-utsläpp", "co2", "utsläpp"} <= set(swedish)


def test_a_channel_that_cannot_judge_a_pair_abstains_on_it() -> None:
    """Doc 0 is in another language: the lexical zero must not count against it, so its fused
    score is the dense channel's alone; without the mask it would fall behind doc 1."""
    dense = np.array([[0.9, 0.5, 0.1]])
    lexical = np.array([[0.0, 4.0, 1.0]])
    plain = fuse({"dense": dense, "lexical": lexical}, Fusion.ZSCORE)
    assert np.argmax(plain[0]) == 1
    masked = fuse(
        {"dense": dense, "lexical": lexical},
        Fusion.ZSCORE,
        available={"lexical": lambda _row, pool: pool != 0},
    )
    assert np.argmax(masked[0]) == 0
    z_dense = (dense[0] - dense[0].mean()) / dense[0].std()
    assert masked[0, 0] == pytest.approx(z_dense[0])
    # a channel with nothing to say anywhere leaves the others' order as it is
    silent = fuse({"dense": dense, "cpv": np.zeros((1, 3))}, Fusion.MINMAX)
    assert list(np.argsort(-silent[0])) == [0, 1, 2]


def test_the_hashed_vocabulary_answers_many_terms_and_refuses_a_collision() -> None:
    from matcher.vocabulary import HashedVocabulary, keys

    vocabulary = HashedVocabulary.of(["värme", "pump", "fjärrvärme"], [2, 0, 1])
    assert vocabulary.lookup(["pump", "okänd", "värme", "fjärrvärme"]).tolist() == [0, -1, 2, 1]
    assert vocabulary.get("okänd", 7) == 7 and len(vocabulary) == 3
    with pytest.raises(ValueError, match="share a 64-bit key"):
        HashedVocabulary(np.concatenate([keys(["a"]), keys(["a"])]), np.array([0, 1]))


def test_a_bm25_state_of_before_the_hashed_vocabulary_still_loads() -> None:
    """Snapshots and pgvector states written before kept the terms and words as lists."""
    corpus = ["Fjärrvärme och värmepumpar i Malmö", "Laddinfrastruktur för tunga fordon"]
    fitted = BM25Embedder().fit(corpus)
    meta, arrays = fitted.export_state()
    order = np.argsort(arrays["term_columns"])
    # the old layout, rebuilt from the same fit: terms by column, words with their counts
    from matcher.analysis import _WORD

    words: dict[str, int] = {}
    for text in corpus:
        for word in _WORD.findall(text.lower()):
            words[word] = words.get(word, 0) + 1
    terms = {t: fitted.vocabulary_.get(t, -1) for c in corpus for t in fitted.analyzer_.terms(c)}
    assert len(terms) == len(order)
    legacy = {
        **meta,
        "terms": sorted(terms, key=terms.__getitem__),
        "analyzer": {**meta["analyzer"], "vocabulary": words},
    }
    restored = BM25Embedder.import_state(legacy, {"idf": arrays["idf"]})
    query = ["värmepumpar för fordon"]
    assert (restored.encode_queries(query) != fitted.encode_queries(query)).nnz == 0
    assert (restored.encode_documents(corpus) != fitted.encode_documents(corpus)).nnz == 0
