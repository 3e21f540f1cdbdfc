"""The strength fit end to end on the project's own sets with the model-free backend, and its
corpus sample (every relevant document kept, the others weighed for those left out)."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from benchmarks.fit_strength import sample
from matcher.evaluation import Benchmark
from matcher.strength import LEXICAL, MODEL, load_calibrations


def test_a_sample_keeps_every_relevant_document_and_weighs_the_others() -> None:
    documents = [f"d{i}" for i in range(10)]
    benchmark = Benchmark(
        "tiny", documents, [f"text {d}" for d in documents], ["q"], ["query"], {"q": {"d7": 1}}
    )
    smaller, weight = sample(benchmark, max_docs=4, seed=0)
    assert len(smaller.doc_ids) == 4 and "d7" in smaller.doc_ids
    assert weight == 9 / 3  # three of the nine others stand for all nine
    assert smaller.doc_texts == [f"text {d}" for d in smaller.doc_ids]
    assert sample(benchmark, max_docs=None, seed=0) == (benchmark, 1.0)


def test_a_small_fit_writes_calibrations_and_reports_them(tmp_path: Path) -> None:
    output = tmp_path / "strength.json"
    command = [sys.executable, "-m", "benchmarks.fit_strength", "--embedder", "tfidf"]
    command += ["--sets", "data/sample/beir", "data/crosslingual", "--check", "--top", "20"]
    command += ["--output", str(output), "--cache-dir", str(tmp_path / "cache")]
    done = subprocess.run(command, capture_output=True, text=True, timeout=600)
    assert done.returncode == 0, done.stderr[-3000:]
    figures = json.loads(done.stdout.strip().splitlines()[-1])
    assert figures["model"] == "tfidf"
    assert set(figures["figures"]) == {"sample", "crosslingual", "overall"}
    assert all(0 <= f["ece"] < 0.5 for f in figures["figures"].values())
    assert "0.0-0.1" in done.stdout  # the reliability diagram
    written = load_calibrations(output)
    both, alone = written.find("tfidf", (MODEL, LEXICAL)), written.find("tfidf", (MODEL,))
    assert both is not None and alone is not None
    assert both.fitted["sets"] == ["sample", "crosslingual"] and both.fitted["pairs"] > 100
