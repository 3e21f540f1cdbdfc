"""`klimatmatch eval`: the service's engine, measured on a labelled set in BEIR layout."""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from tqdm import tqdm

from klimatmatch.core.settings import Settings
from klimatmatch.index.embedding import CPV_FILE, build_engine, feedback_of, load_tagger
from matcher import Document, MatchEngine, create_embedder
from matcher.embedders.base import EmbedderError, Matrix
from matcher.engine import Ranking
from matcher.evaluation import Benchmark, load_beir, mean_metrics
from matcher.rerank import LearnedReranker, ranking_features
from matcher.text import guess_language

METHODS = ("lexical", "dense", "cpv", "hybrid")
"""Each channel alone, then `hybrid`: the service's default configuration (every channel the
settings turn on, fused as in the service)."""


@dataclass
class Channels:
    """Each channel's document and query vectors, computed once and shared by every method."""

    embedders: dict
    documents: dict[str, Matrix]
    queries: dict[str, Matrix]


def encode_channels(
    benchmark: Benchmark, settings: Settings, cache_dir: Path | None, show_progress: bool
) -> Channels:
    """The service's channels (`build_engine`), each fitted on the corpus where it learns."""
    engine = build_engine(settings)
    if engine.degraded:
        raise EmbedderError(engine.degraded)
    first, *others = engine.channels.items()
    embedders = {"dense": first[1], **dict(others), "lexical": create_embedder("bm25")}
    documents, queries = {}, {}
    for name, embedder in embedders.items():
        if not embedder.cacheable or not embedder.is_fitted:
            embedder.fit(benchmark.doc_texts)
        cache = (
            _cache_file(cache_dir, benchmark, embedder.fingerprint) if embedder.cacheable else None
        )
        if cache is not None and cache.exists():
            stored = np.load(cache)
            documents[name], queries[name] = stored["documents"], stored["queries"]
            continue
        with tqdm(
            total=len(benchmark.doc_texts) + len(benchmark.query_texts),
            unit="text",
            desc=f"{benchmark.name} {name}",
            disable=not show_progress,
        ) as bar:
            documents[name] = embedder.encode_documents(benchmark.doc_texts, bar.update)
            queries[name] = embedder.encode_queries(benchmark.query_texts, bar.update)
        if cache is not None:
            cache.parent.mkdir(parents=True, exist_ok=True)
            np.savez(cache, documents=documents[name], queries=queries[name])
    return Channels(embedders, documents, queries)


def _cache_file(cache_dir: Path | None, benchmark: Benchmark, fingerprint: str) -> Path | None:
    if cache_dir is None:
        return None
    digest = hashlib.sha256(
        ("\x1e".join(benchmark.doc_texts + benchmark.query_texts) + fingerprint).encode()
    ).hexdigest()[:16]
    return cache_dir / f"{benchmark.name}-{digest}.npz"


def engine_for(
    method: str, channels: Channels, settings: Settings, benchmark: Benchmark
) -> MatchEngine:
    """The service's engine with the method's channels, the corpus indexed as companies."""
    if method == "hybrid":
        names = [n for n in channels.embedders if n != "lexical" or settings.lexical]
    else:
        names = ["dense"] if method == "cpv" else [method]
    with_cpv = method == "cpv" or (method == "hybrid" and settings.cpv)
    tagger = load_tagger(settings.data_dir / CPV_FILE) if with_cpv else None
    weights = {"dense": 0.0} if method == "cpv" else settings.weights
    engine = MatchEngine(
        {n: channels.embedders[n] for n in names},
        fusion=settings.fusion,
        weights=weights,
        depth=settings.fusion_depth,
        cpv=tagger,
        foreign_weight=settings.foreign_weight,
        feedback=feedback_of(settings),
    )
    documents = engine.prepare(
        [
            Document(
                id=i,
                text=t,
                fields={"language": _doc_language(benchmark, i)},
                codes=benchmark.doc_codes[i] if benchmark.doc_codes else (),
            )
            for i, t in enumerate(benchmark.doc_texts)
        ]
    )
    vectors = engine.encode("company", documents, {n: channels.documents[n] for n in names})
    engine.upsert("company", documents, vectors)
    return engine


def _doc_language(benchmark: Benchmark, row: int) -> str:
    declared = benchmark.doc_languages[row] if benchmark.doc_languages else ""
    return declared or guess_language(benchmark.doc_texts[row]) or ""


def rankings(
    engine: MatchEngine, channels: Channels, benchmark: Benchmark, rows: Sequence[int]
) -> list[Ranking]:
    result = []
    for row in rows:
        language = (benchmark.query_languages[row] if benchmark.query_languages else "") or (
            guess_language(benchmark.query_texts[row]) or ""
        )
        codes = benchmark.query_codes[row] if benchmark.query_codes else ()
        query = engine.prepare(
            [
                Document(
                    id=-1,
                    text=benchmark.query_texts[row],
                    fields={"language": language},
                    codes=codes,
                )
            ]
        )
        vectors = engine.encode(
            "challenge", query, {n: _row(channels.queries[n], row) for n in engine.channels}
        )
        result.append(engine.rank_query(query[0], vectors))
    return result


def _row(matrix: Matrix, row: int) -> Matrix:
    return matrix[row : row + 1]


def score(
    benchmark: Benchmark,
    ranked: list[Ranking],
    rows: Sequence[int],
    scorer: Callable[[Ranking], np.ndarray] | None = None,
) -> dict[str, float]:
    def ranked_ids(ranking: Ranking) -> list[str]:
        values = scorer(ranking) if scorer else ranking.fused
        return [benchmark.doc_ids[ranking.rows[i]] for i in np.argsort(-values, kind="stable")[:50]]

    return mean_metrics(
        (ranked_ids(ranking), benchmark.qrels[benchmark.query_ids[row]])
        for ranking, row in zip(ranked, rows, strict=True)
    )


def split(benchmark: Benchmark) -> tuple[list[int], list[int]]:
    """A fixed half/half split of queries by a hash of their id (reproducible, unbiased)."""
    train, test = [], []
    for row, query_id in enumerate(benchmark.query_ids):
        bucket = int(hashlib.sha256(query_id.encode()).hexdigest(), 16) % 2
        (train if bucket == 0 else test).append(row)
    return train, test


def rerank_gain(
    engine: MatchEngine, channels: Channels, benchmark: Benchmark
) -> dict[str, dict[str, float]]:
    """Fit the re-ranker on the training half's labels as if they were reviews; report the
    held-out half with and without it."""
    train, test = split(benchmark)
    names = list(engine.channels)
    features, labels = [], []
    for ranking, row in zip(rankings(engine, channels, benchmark, train), train, strict=True):
        relevant = benchmark.qrels[benchmark.query_ids[row]]
        features.append(ranking_features(ranking, names))
        labels.append([benchmark.doc_ids[r] in relevant for r in ranking.rows])
    reranker = LearnedReranker(channels=names).fit(
        np.vstack(features), np.concatenate(labels).astype(int)
    )
    held_out = rankings(engine, channels, benchmark, test)
    return {
        "hybrid (held-out)": score(benchmark, held_out, test),
        "hybrid+rerank (held-out)": score(benchmark, held_out, test, reranker.score),
    }


def evaluate(
    folder: Path,
    methods: Sequence[str],
    settings: Settings,
    *,
    cache_dir: Path | None = None,
    rerank: bool = False,
    max_queries: int | None = None,
    show_progress: bool = False,
) -> dict[str, dict[str, float]]:
    benchmark = load_beir(folder, max_queries=max_queries)
    channels = encode_channels(benchmark, settings, cache_dir, show_progress)
    results: dict[str, dict[str, float]] = {}
    every = list(range(len(benchmark.query_ids)))
    for method in methods:
        engine = engine_for(method, channels, settings, benchmark)
        results[method] = score(benchmark, rankings(engine, channels, benchmark, every), every)
    if rerank:
        results.update(
            rerank_gain(engine_for("hybrid", channels, settings, benchmark), channels, benchmark)
        )
    return results
