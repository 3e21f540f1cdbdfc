"""Embedding backends behind one Protocol, chosen by name from a registry.

Heavy libraries (torch, transformers) are imported only when their backend is built.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from matcher.embedders.base import Embedder, EmbedderError, Matrix, Progress


def _sentence_transformers(**options: Any) -> Embedder:
    from matcher.embedders.sentence_transformer import SentenceTransformerEmbedder

    return SentenceTransformerEmbedder(**options)


def _tfidf(**options: Any) -> Embedder:
    from matcher.embedders.tfidf import TfidfEmbedder

    return TfidfEmbedder(**options)


def _e5_quantised(**options: Any) -> Embedder:
    from matcher.embedders.e5_quantised import QuantisedE5Embedder

    return QuantisedE5Embedder(**options)


def _e5_onnx(**options: Any) -> Embedder:
    from matcher.embedders.e5_onnx import OnnxE5Embedder

    return OnnxE5Embedder(**options)


def _bm25(**options: Any) -> Embedder:
    from matcher.embedders.bm25 import BM25Embedder

    return BM25Embedder(**options)


_REGISTRY: dict[str, Callable[..., Embedder]] = {
    "sentence-transformers": _sentence_transformers,
    "e5-q4": _e5_quantised,
    "e5-onnx": _e5_onnx,
    "tfidf": _tfidf,
    "bm25": _bm25,
}


def available_embedders() -> list[str]:
    return sorted(_REGISTRY)


def create_embedder(kind: str, **options: Any) -> Embedder:
    """Build a backend by registry name; options go to its constructor unchanged."""
    try:
        factory = _REGISTRY[kind]
    except KeyError:
        raise EmbedderError(
            f"unknown embedder {kind!r}; choose one of {', '.join(available_embedders())}"
        ) from None
    return factory(**options)


__all__ = [
    "Embedder",
    "EmbedderError",
    "Matrix",
    "Progress",
    "available_embedders",
    "create_embedder",
]
