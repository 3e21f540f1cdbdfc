"""Real e5 embeddings of the labelled sets, to shape synthetic vectors and to measure
approximate search on real data (`bench_backends`)."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np

from benchmarks.synthetic import calibrated_spread
from klimatmatch.core.settings import Settings
from klimatmatch.matching import evaluation
from matcher.evaluation import load_beir

SHARED = Path(__file__).resolve().parents[2] / "shared" / "benchmarks"
REAL = [
    Path("data/sample/beir"),
    Path("data/crosslingual"),
    *(SHARED / name for name in ("swefaq", "climate_fever") if (SHARED / name).exists()),
]
"""The project's own sets, and the shared ones where this checkout sits beside them."""


@dataclass
class Real:
    """The sets' document and query vectors, and the spread at which synthetic vectors around
    the documents are as close to their nearest neighbour as the documents are."""

    documents: np.ndarray
    queries: np.ndarray
    query_texts: list[str]
    spread: float
    nearest: float


def real_embeddings(folders: list[Path], settings: Settings, cache_dir: Path) -> Real:
    """Encoded as `klimatmatch eval` encodes them (and from its cache)."""
    documents, queries, texts = [], [], []
    for folder in folders:
        benchmark = load_beir(folder)
        channels = evaluation.encode_channels(benchmark, settings, cache_dir, True)
        documents.append(channels.documents["dense"])
        queries.append(channels.queries["dense"])
        texts += benchmark.query_texts
    stacked = np.asarray(np.vstack(documents), np.float32)
    spread, nearest = calibrated_spread(stacked)
    return Real(stacked, np.asarray(np.vstack(queries), np.float32), texts, spread, nearest)
