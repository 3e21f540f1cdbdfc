"""What `bench_backends` measures of the pgvector index: recall of each channel's approximate
search against exact search, and where a shortlist's time goes."""

from __future__ import annotations

import time

import numpy as np
from scipy import sparse

from klimatmatch.index.vector_rows import scores
from klimatmatch.index.vector_store import PgVectorIndex
from matcher import MatchEngine
from matcher.filters import Filters


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
                    exact = index._exact(cursor)
                    found.update(
                        index.top(cursor, name, queries[name], Filters(), 100, exact=exact)
                    )
                timed(f"sql_{name}" + ("_with_read" if name == "dense" else ""), start)
            start = time.perf_counter()
            documents, matrices = index._read(sorted(found), cursor)
            timed("read_candidates", start)
        start = time.perf_counter()
        for name, query in queries.items():
            scores(matrices.get(name), query, len(documents))
        timed("numpy_scores", start)
    return {name: round(float(np.median(values)), 1) for name, values in steps.items()}


def timed_shortlists(engine: MatchEngine, ids: list[int]) -> list[float]:
    times = []
    for challenge_id in ids:
        start = time.perf_counter()
        engine.shortlist(challenge_id, 10, explain=False)
        times.append(time.perf_counter() - start)
    return times


def lexical_recall(engine: MatchEngine, ids: list[int], per_term: list[int]) -> dict:
    """How many of BM25's exact top 100 each term's heaviest postings propose, and the time
    of each read, for several `per_term`."""
    index: PgVectorIndex = engine.companies  # type: ignore[assignment]
    found: dict[int, list[float]] = {n: [] for n in per_term}
    times: dict[str, list[float]] = {}
    chosen = index.postings_per_term
    with index._cursor() as cursor:
        for challenge_id in ids:
            query = engine.challenges.vectors(challenge_id)["lexical"]
            start = time.perf_counter()
            exact = set(index.top(cursor, "lexical", query, Filters(), 100, exact=True))
            times.setdefault("exact", []).append(time.perf_counter() - start)
            for n in per_term:
                index.postings_per_term = n
                start = time.perf_counter()
                heaviest = index.top(cursor, "lexical", query, Filters(), 100, exact=False)
                times.setdefault(f"per_term_{n}", []).append(time.perf_counter() - start)
                found[n].append(len(exact & set(heaviest)) / 100)
    index.postings_per_term = chosen
    figures = {
        **{f"recall_per_term_{n}": round(float(np.mean(f)), 3) for n, f in found.items()},
        **{f"{mode}_p50_ms": round(float(np.median(t)) * 1000, 1) for mode, t in times.items()},
    }
    print(f"BM25's top 100 from the heaviest postings: {figures}", flush=True)
    return figures


def milliseconds(times: list[float]) -> dict[str, float]:
    values = np.array(times) * 1000
    return {
        "p50": round(float(np.percentile(values, 50)), 1),
        "p99": round(float(np.percentile(values, 99)), 1),
    }
