"""What BM25's fitted vocabulary costs a process that loads it (every pgvector API process
does, from `vector_state`), with the hashed vocabulary and with the old dict-of-strings layout.

    python -m benchmarks.bench_vocabulary --terms 1000000

The state is built from `--terms` distinct terms (as many as 1M synthetic profiles bring: each
name carries a number of its own); each layout is loaded in a fresh process whose resident
memory is read before and after. The last line is a JSON object.
"""

from __future__ import annotations

import argparse
import json
import pickle
import subprocess
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path

import numpy as np

from benchmarks.bench_engine import current_rss_mb
from matcher.embedders.bm25 import BM25Embedder


def states(terms: int, folder: Path) -> dict[str, Path]:
    """The same fit exported in both layouts, pickled as `vector_state` keeps it."""
    corpus = [f"Synthetic {i} AB värmepumpar laddinfrastruktur" for i in range(terms)]
    started = time.perf_counter()
    fitted = BM25Embedder().fit(corpus)
    print(f"fitted {len(fitted.vocabulary_):,} terms in {time.perf_counter() - started:.0f} s")
    meta, arrays = fitted.export_state()
    order = np.argsort(arrays["term_columns"])
    words = {f"{i}": 1 for i in range(terms)} | {"synthetic": terms, "ab": terms}
    legacy = {
        **meta,
        "terms": [f"term{i}" for i in order],  # as many strings as the old layout held
        "analyzer": {**meta["analyzer"], "vocabulary": words},
    }
    paths = {"hashed": folder / "hashed.pickle", "dict of strings": folder / "legacy.pickle"}
    for (name, path), state in zip(
        paths.items(), [(meta, arrays), (legacy, {"idf": arrays["idf"]})], strict=True
    ):
        path.write_bytes(pickle.dumps(state))
        print(f"{name}: {path.stat().st_size / 2**20:.1f} MiB pickled")
    return paths


def load(path: Path) -> None:
    """In a fresh process: RSS before and after loading (and keeping) the state. The old
    layout is kept as the old `import_state` kept it: a dict of terms, a Counter of words."""
    before = current_rss_mb()
    meta, arrays = pickle.loads(path.read_bytes())  # noqa: S301 - our own file
    embedder = BM25Embedder.import_state(meta, arrays)
    kept = (
        ({t: c for c, t in enumerate(meta["terms"])}, Counter(meta["analyzer"]["vocabulary"]))
        if "terms" in meta
        else None
    )
    del meta, arrays
    started = time.perf_counter()
    embedder.encode_queries(["Laddinfrastruktur för tunga fordon i hamnen"])
    query_ms = (time.perf_counter() - started) * 1000
    print(json.dumps({"rss_mib": round(current_rss_mb() - before, 1), "query_ms": query_ms}))
    del kept


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--terms", type=int, default=1_000_000)
    parser.add_argument("--load", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.load:
        load(args.load)
        return
    figures: dict = {"terms": args.terms}
    with tempfile.TemporaryDirectory() as folder:
        for name, path in states(args.terms, Path(folder)).items():
            command = [sys.executable, "-m", "benchmarks.bench_vocabulary", "--load", str(path)]
            run = subprocess.run(command, capture_output=True, text=True, check=True)
            figures[name] = json.loads(run.stdout.strip().splitlines()[-1])
            print(f"{name}: +{figures[name]['rss_mib']} MiB resident once loaded", flush=True)
    print(json.dumps(figures))


if __name__ == "__main__":
    main()
