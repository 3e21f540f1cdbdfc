from __future__ import annotations

import shutil
from pathlib import Path

import numpy as np
import pytest

from matcher import Embedder, available_embedders, create_embedder
from matcher.embedders import EmbedderError
from matcher.embedders.model_files import packaged_model_path, sha256_of
from matcher.embedders.sentence_transformer import resolve_device


def test_registry_names_and_unknown_backend() -> None:
    assert available_embedders() == ["bm25", "e5-onnx", "e5-q4", "sentence-transformers", "tfidf"]
    with pytest.raises(EmbedderError, match="unknown embedder 'word2vec'"):
        create_embedder("word2vec")


def test_tfidf_matches_swedish_compounds_through_character_ngrams(tfidf: Embedder) -> None:
    corpus = [
        "Vi bygger laddinfrastruktur för ellastbilar",
        "Infrastruktur för laddning av tunga fordon",
        "Skolmåltider med mindre matsvinn",
    ]
    tfidf.fit(corpus)
    vectors = tfidf.encode_documents(corpus).toarray()
    query = tfidf.encode_queries(["laddinfrastruktur"]).toarray()[0]
    scores = vectors @ query
    assert np.allclose(np.linalg.norm(vectors, axis=1), 1.0, atol=1e-5)
    assert scores[1] > scores[2] > -1e-9
    assert not tfidf.cacheable and tfidf.fingerprint.startswith("tfidf:")


def test_tfidf_refuses_to_encode_before_fit(tfidf: Embedder) -> None:
    with pytest.raises(EmbedderError, match="fit the TF-IDF backend"):
        tfidf.encode_queries(["text"])


@pytest.mark.model
def test_minilm_gives_unit_vectors_that_rank_meaning(minilm: Embedder) -> None:
    docs = minilm.encode_documents(
        ["Electric excavators for construction sites", "Reusable food containers for schools"]
    )
    query = minilm.encode_queries(["battery-powered digging machines"])
    assert docs.shape == (2, 384) and docs.dtype == np.float32
    assert np.allclose(np.linalg.norm(docs, axis=1), 1.0, atol=1e-5)
    scores = docs @ query[0]
    assert scores[0] > scores[1]


@pytest.mark.model
def test_minilm_reports_progress_per_batch(minilm: Embedder) -> None:
    seen: list[int] = []
    minilm.encode_documents(["a text"] * 40, progress=seen.append)
    assert sum(seen) == 40 and len(seen) == 2


def test_swapped_weights_are_refused(tmp_path: Path) -> None:
    copy = tmp_path / "model"
    shutil.copytree(packaged_model_path(), copy)
    weights = copy / "model.safetensors"
    expected = sha256_of(weights)
    with weights.open("r+b") as handle:
        handle.seek(-1, 2)
        last = handle.read(1)
        handle.seek(-1, 2)
        handle.write(bytes([last[0] ^ 0xFF]))
    with pytest.raises(EmbedderError, match="refusing a swapped file"):
        create_embedder("sentence-transformers", model=str(copy), expected_sha256=expected)


def test_missing_local_model_is_a_clear_error(tmp_path: Path) -> None:
    with pytest.raises(EmbedderError, match="no model.safetensors"):
        create_embedder("sentence-transformers", model=str(tmp_path), expected_sha256="0" * 64)


def test_auto_device_falls_back_to_what_torch_sees() -> None:
    import torch

    assert resolve_device("auto") == ("cuda" if torch.cuda.is_available() else "cpu")
    assert resolve_device("cpu") == "cpu"


@pytest.mark.model
def test_e5_ranks_across_languages_with_prompts(e5: Embedder) -> None:
    """A Swedish need finds the English offer that answers it; MiniLM cannot do this."""
    docs = e5.encode_documents(
        [
            "Fast chargers for heavy electric trucks at logistics hubs",
            "Reusable food containers and washing logistics for school kitchens",
        ]
    )
    query = e5.encode_queries(["Laddinfrastruktur för tunga lastbilar"])
    assert docs.shape == (2, 384) and docs.dtype == np.float32
    assert np.allclose(np.linalg.norm(docs, axis=1), 1.0, atol=1e-4)
    scores = docs @ query[0]
    assert scores[0] > scores[1]
    # e5 has two prompts: the same text as a query and as a passage gives different vectors;
    # the service encodes profiles with the symmetric one (`matcher.embedders.prompts`)
    same = ["Laddinfrastruktur för tunga lastbilar"]
    assert float(e5.inner.encode_documents(same)[0] @ query[0]) < 0.999
    assert float(e5.encode_documents(same)[0] @ query[0]) > 0.9999
    assert e5.languages is None and e5.fingerprint.startswith("e5q4:")
    assert e5.fingerprint.endswith("|documents=query") and e5.channel == "dense"


@pytest.mark.model
def test_e5_reports_progress_and_encodes_nothing(e5: Embedder) -> None:
    seen: list[int] = []
    e5.encode_documents(["ett kort stycke text"] * 40, progress=seen.append)
    assert seen == [32, 8]
    assert e5.encode_queries([]).shape == (0, 384)


def test_swapped_e5_weights_are_refused(tmp_path: Path) -> None:
    from matcher.embedders.e5_quantised import packaged_e5_path

    fake = tmp_path / "e5-small-q4.bin"
    fake.write_bytes(packaged_e5_path().read_bytes()[:4096])
    with pytest.raises(EmbedderError, match="refusing a swapped file"):
        create_embedder("e5-q4", weights=fake, expected_sha256="0" * 64)
    with pytest.raises(EmbedderError, match="no e5 weights"):
        create_embedder("e5-q4", weights=tmp_path / "missing.bin")
