"""Dense embeddings from a sentence-transformers model, by hub name or local folder."""

from __future__ import annotations

import os
from collections.abc import Sequence
from pathlib import Path

import numpy as np

from matcher.embedders.base import EmbedderError, Progress
from matcher.embedders.model_files import packaged_model_path, verify_weights

PACKAGED_PREFIX = "packaged:"


class SentenceTransformerEmbedder:
    """Loads the model once; `encode_*` batch the texts and L2-normalise the rows.

    `query_prompt` / `document_prompt` are prepended for asymmetric models (e5 wants
    "query: " and "passage: "); both empty for symmetric ones such as all-MiniLM-L6-v2.
    """

    cacheable = True
    channel = "dense"

    def __init__(
        self,
        model: str,
        *,
        expected_sha256: str | None = None,
        device: str = "cpu",
        batch_size: int = 32,
        query_prompt: str = "",
        document_prompt: str = "",
        offline: bool = True,
        languages: frozenset[str] | None = None,
    ) -> None:
        self.model = model
        self.expected_sha256 = expected_sha256
        self.device = device
        self.batch_size = batch_size
        self.query_prompt = query_prompt
        self.document_prompt = document_prompt
        self.offline = offline
        self.languages = languages
        """Languages the model was trained on; None means any (a multilingual model)."""
        self._model = self._load()
        self.fingerprint = f"st:{model}|q={query_prompt}|d={document_prompt}"

    def _load(self):  # noqa: ANN202 - SentenceTransformer is imported lazily
        if self.offline:
            os.environ.setdefault("HF_HUB_OFFLINE", "1")
            os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
        try:
            from sentence_transformers import SentenceTransformer
        except ImportError as error:
            raise EmbedderError("install sentence-transformers to use this backend") from error
        source = self._resolve_source()
        if self.expected_sha256 is not None:
            if not Path(source).is_dir():
                raise EmbedderError(f"cannot check the sha256 of {source!r}: not a local folder")
            verify_weights(Path(source), self.expected_sha256)
        device = resolve_device(self.device)
        try:
            return SentenceTransformer(source, device=device, local_files_only=self.offline)
        except (OSError, ValueError) as error:
            raise EmbedderError(f"cannot load model {self.model!r}: {error}") from error

    def _resolve_source(self) -> str:
        if self.model.startswith(PACKAGED_PREFIX):
            return str(packaged_model_path())
        return self.model

    @property
    def dimension(self) -> int:
        return int(self._model.get_embedding_dimension())

    @property
    def is_fitted(self) -> bool:
        return True

    def fit(self, corpus: Sequence[str]) -> SentenceTransformerEmbedder:
        return self

    def encode_queries(self, texts: Sequence[str], progress: Progress | None = None) -> np.ndarray:
        return self._encode(texts, self.query_prompt, progress)

    def encode_documents(
        self, texts: Sequence[str], progress: Progress | None = None
    ) -> np.ndarray:
        return self._encode(texts, self.document_prompt, progress)

    def _encode(self, texts: Sequence[str], prompt: str, progress: Progress | None) -> np.ndarray:
        """Returns (len(texts), dimension) float32 with unit rows."""
        chunks = []
        for start in range(0, len(texts), self.batch_size):
            batch = [prompt + text for text in texts[start : start + self.batch_size]]
            chunks.append(
                self._model.encode(
                    batch,
                    batch_size=self.batch_size,
                    normalize_embeddings=True,
                    convert_to_numpy=True,
                    show_progress_bar=False,
                )
            )
            if progress is not None:
                progress(len(batch))
        if not chunks:
            return np.zeros((0, self.dimension), dtype=np.float32)
        return np.vstack(chunks).astype(np.float32, copy=False)


def resolve_device(device: str) -> str:
    """`auto` picks CUDA when torch sees one, so the same settings run on CPU-only machines."""
    if device != "auto":
        return device
    import torch

    return "cuda" if torch.cuda.is_available() else "cpu"
