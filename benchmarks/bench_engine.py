"""In-process benchmark of the engine at 10k / 100k (/ 1M) profiles. Prints figures and ratios.

    python -m benchmarks.bench_engine --sizes 10000 100000 [--queries 200] [--device cuda]

Measures: encoding throughput (real model; CUDA where asked and available), index build time,
shortlist latency p50/p99 for a new challenge (its one-off encoding reported apart), peak
memory, time until an added profile is visible, approximate search recall@10 against exact,
and the physical floor of exact search (bytes scanned over measured memory bandwidth).
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import time

import numpy as np

from benchmarks.synthetic import profiles, vectors
from klimatmatch.core.settings import Settings
from klimatmatch.index.embedding import (
    ENGLISH_CHANNEL,
    build_embedder,
    english_embedder,
    feedback_of,
    load_tagger,
)
from matcher import Document, MatchEngine, create_embedder
from matcher.index import ExactIndex

LANGUAGES = {"SE": "sv", "DK": "da", "NO": "no", "FI": "fi"}
"""Profiles carry a language, as imported ones do (declared or guessed once at import)."""
CHALLENGES = [
    "Fossilfria byggarbetsplatser med eldrivna arbetsmaskiner och laddning på plats.",
    "Charging infrastructure for heavy electric trucks at logistics hubs.",
    "Mindre engångsplast i offentliga storkök och återanvändbara matlådor.",
    "Restvärme från datacenter in i fjärrvärmenätet med stora värmepumpar.",
]


def rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def current_rss_mb() -> float:
    with open("/proc/self/status") as handle:
        for line in handle:
            if line.startswith("VmRSS"):
                return int(line.split()[1]) / 1024
    return 0.0


def percentiles(samples: list[float]) -> str:
    values = np.array(samples) * 1000
    return f"p50 {np.percentile(values, 50):7.2f} ms  p99 {np.percentile(values, 99):7.2f} ms"


def memory_bandwidth_gbs() -> float:
    """STREAM-style copy of 256 MiB: bytes read plus bytes written, per second."""
    source = np.ones(256 * 1024 * 1024 // 4, dtype=np.float32)
    target = np.empty_like(source)
    np.copyto(target, source)
    start = time.perf_counter()
    for _ in range(5):
        np.copyto(target, source)
    return 5 * 2 * source.nbytes / (time.perf_counter() - start) / 1e9


def bench_encoding(settings: Settings, texts: list[str]) -> tuple[object, float]:
    model = build_embedder(settings)
    model.encode_documents(texts[:32])
    start = time.perf_counter()
    model.encode_documents(texts)
    rate = len(texts) / (time.perf_counter() - start)
    return model, rate


def bench_size(
    size: int, models: dict, anchors: dict[str, np.ndarray], settings: Settings, queries: int
) -> dict[str, float]:
    """The default configuration's channels (`models`: dense, and dense_en where configured)
    over `size` synthetic profiles; returns the figures it printed."""
    print(f"\n== {size:,} profiles ==")
    frame = profiles(size)
    texts = [f"{n}. {d}" for n, d in zip(frame["name"], frame["description"], strict=True)]
    synthetic = {name: vectors(anchors[name], size) for name in models}
    dense = synthetic["dense"]
    before = current_rss_mb()
    engine = MatchEngine(
        {**models, "lexical": create_embedder("bm25")},
        cpv=load_tagger(settings.data_dir / "taxonomies/cpv2008_en_sv_da_fi.csv"),
        weights=settings.weights,
        ann_threshold=None,
        feedback=feedback_of(settings),  # as the service ranks (KLIMATMATCH_FEEDBACK_DOCS=0: off)
    )
    start = time.perf_counter()
    engine.fit(texts)
    documents = [
        Document(i, t, {"country": c.lower(), "language": LANGUAGES.get(c, "en")})
        for i, (t, c) in enumerate(zip(texts, frame["country"], strict=True))
    ]
    prepared = engine.prepare(documents)
    vecs = engine.encode("company", prepared, synthetic)
    engine.upsert("company", prepared, vecs)
    build = time.perf_counter() - start
    print(f"build (BM25 fit, CPV tagging, index) {build:8.2f} s   {size / build:,.0f} profiles/s")
    index_mib = current_rss_mb() - before
    print(f"memory: index +{index_mib:,.0f} MiB, process peak {rss_mb():,.0f} MiB")

    encode_times, search_times = [], []
    for i in range(queries):
        text = CHALLENGES[i % len(CHALLENGES)] + f" ({i})"
        start = time.perf_counter()
        query = engine.prepare([Document(-1 - i, text, {"language": ""})])
        qvec = engine.encode("challenge", query)
        encode_times.append(time.perf_counter() - start)
        start = time.perf_counter()
        engine.upsert("challenge", query, qvec)
        engine.shortlist(query[0].id, 10, explain=False)
        search_times.append(time.perf_counter() - start)
        engine.remove("challenge", query[0].id)
    print(
        f"new challenge: encoding {percentiles(encode_times)} | "
        f"shortlist {percentiles(search_times)}"
    )

    start = time.perf_counter()
    added = Document(size + 1, "Vätgastankstationer för sopbilar och bussar i kallt klimat.")
    prepared = engine.prepare([added])
    engine.upsert("company", prepared, engine.encode("company", prepared))
    visible = time.perf_counter() - start
    print(
        f"add one profile (encode + index), visible to the next shortlist: {visible * 1000:.1f} ms"
    )

    floor = dense.nbytes / (memory_bandwidth_gbs() * 1e9)
    start = time.perf_counter()
    for _ in range(20):
        dense @ dense[0]
    scan = (time.perf_counter() - start) / 20
    print(
        f"dense exact scan {scan * 1000:.2f} ms vs floor {floor * 1000:.2f} ms "
        f"({dense.nbytes / 1e6:.0f} MB / bandwidth): {floor / scan:.0%} of the limit"
    )

    exact, approximate = ExactIndex(), ExactIndex(ann_threshold=1)
    exact.upsert(documents, dense)
    start = time.perf_counter()
    approximate.upsert(documents, dense)
    ann_build = time.perf_counter() - start
    sample = dense[np.random.default_rng(1).integers(0, size, 200)]
    recall, ann_times, exact_times = 0.0, [], []
    for q in sample:
        start = time.perf_counter()
        truth = {d.id for d, _ in exact.search(q[None, :], 10)}
        exact_times.append(time.perf_counter() - start)
        start = time.perf_counter()
        found = {d.id for d, _ in approximate.search(q[None, :], 10)}
        ann_times.append(time.perf_counter() - start)
        recall += len(truth & found) / 10
    print(
        f"HNSW (M=32, ef=256): build {ann_build:.1f} s, recall@10 {recall / len(sample):.3f}, "
        f"{percentiles(ann_times)} vs exact {percentiles(exact_times)}"
    )
    return {
        "build_s": round(build, 2),
        "index_mib": round(index_mib, 1),
        "encode_challenge_p50_ms": round(float(np.percentile(encode_times, 50)) * 1000, 2),
        "shortlist_p50_ms": round(float(np.percentile(search_times, 50)) * 1000, 2),
        "shortlist_p99_ms": round(float(np.percentile(search_times, 99)) * 1000, 2),
        "add_profile_ms": round(visible * 1000, 1),
        "hnsw_recall_at_10": round(recall / len(sample), 3),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--sizes", type=int, nargs="+", default=[10_000, 100_000])
    parser.add_argument("--queries", type=int, default=200)
    parser.add_argument("--device", default="cpu")
    args = parser.parse_args()
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    settings = Settings(device=args.device)
    texts = [f"{n}. {d}" for n, d in zip(*profiles(512).iloc[:, [1, 4]].T.values, strict=True)]
    model, rate = bench_encoding(settings, texts)
    print(
        f"encoding ({settings.device}, batch {settings.batch_size}, ~60-word profiles): "
        f"{rate:,.0f} texts/s"
    )
    models = {"dense": model}
    english = english_embedder(settings)
    if english is not None:
        models[ENGLISH_CHANNEL] = english
    anchors = {name: m.encode_documents(texts[:256]) for name, m in models.items()}
    figures: dict[str, object] = {"channels": [*models, "lexical", "cpv"], "texts_per_s": rate}
    for size in args.sizes:
        figures[str(size)] = bench_size(size, models, anchors, settings, args.queries)
    print(json.dumps(figures))


if __name__ == "__main__":
    main()
