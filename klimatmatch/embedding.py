"""Builds the configured embedder from the settings (the model is configuration, not code)."""

from __future__ import annotations

from klimatmatch.settings import EmbedderKind, Settings
from matcher import Embedder, create_embedder


def build_embedder(settings: Settings) -> Embedder:
    if settings.embedder is EmbedderKind.TFIDF:
        return create_embedder("tfidf")
    return create_embedder(
        "sentence-transformers",
        model=settings.model,
        expected_sha256=settings.model_sha256,
        device=settings.device,
        batch_size=settings.batch_size,
        query_prompt=settings.query_prompt,
        document_prompt=settings.document_prompt,
        offline=settings.hf_offline,
    )
