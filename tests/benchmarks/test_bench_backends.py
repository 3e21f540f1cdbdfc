"""The backends benchmark end to end at a small size, so it keeps working between the runs
that measure (`python -m benchmarks.bench_backends --sizes 1000000 ...` takes an hour)."""

from __future__ import annotations

import json
import socket
import subprocess
import sys
from pathlib import Path

import pytest

pytestmark = pytest.mark.model


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def test_a_small_run_measures_both_backends_and_the_api(tmp_path: Path) -> None:
    command = [sys.executable, "-m", "benchmarks.bench_backends", "--sizes", "2000"]
    command += ["--queries", "5", "--ef", "40", "100", "--per-term", "50", "--seconds", "1"]
    command += ["--real", "data/sample/beir", "--memory-up-to", "2000", "--shared-buffers", "64MB"]
    command += ["--cache-dir", str(tmp_path / "cache"), "--keep", str(tmp_path / "pg")]
    api = ["--api", "--port", str(_free_port())]
    done = subprocess.run(command + api, capture_output=True, text=True, timeout=600)
    assert done.returncode == 0, done.stderr[-3000:]
    figures = json.loads(done.stdout.strip().splitlines()[-1])
    run = figures["2000"]
    assert figures["real_recall"]["documents"] > 100 and run["hnsw"].startswith("m = 16")
    for ef in ("40", "100", "exact"):
        assert 0.5 <= run[f"dense_recall@10_{ef}"]["recall"] <= 1.0
    assert run["dense_recall@10_exact"]["recall"] == 1.0  # the scan is its own reference
    assert run["shared_buffers_mib"] == 64 and run["graphs_fit"]  # restarted with it
    assert run["prewarmed_pages"]["vector_companies_dense"] > 0
    assert 0.0 <= run["shortlist_overlap@10_approximate_vs_exact"]["per_term_50"] <= 1.0
    assert run["shortlist_overlap@10_exact"] >= 0.9  # the two backends rank alike below it
    for mode in ("approximate", "exact"):
        assert run[f"pgvector_{mode}"]["shortlist_ms"]["p50"] > 0
    served = run["pgvector_through_api"]
    assert served["shortlist_c1"]["p50_ms"] > 0 and served["rss_after_startup_mib"] > 0

    # --keep: the second run reuses the loaded database (in-process is still analysed)
    again = subprocess.run(command, capture_output=True, text=True, timeout=600)
    assert again.returncode == 0, again.stderr[-3000:]
    assert "rows kept from an earlier run" in again.stdout
    kept = json.loads(again.stdout.strip().splitlines()[-1])["2000"]
    assert "pgvector_load_s" not in kept and kept["memory_shortlist_ms"]["p50"] > 0
