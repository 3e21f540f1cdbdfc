"""What the labels of issue 14 (interest, invitations, teams) add to the re-ranker, held out.

    python -m benchmarks.bench_labels [sets ...] [--seeds 5] [--cache-dir var/cache]

No set records what companies do after a match, so their behaviour is simulated from each set's
relevance labels, with the assumptions stated here (not tuned to any result):
- coordinators review the top 10 of only a quarter of the training queries (reviews are scarce);
- every training query's top 30 is seen by the companies: a relevant one states interest with
  probability 0.5, an irrelevant one with 0.05 (noisy positives);
- where any company stated interest, the others of that top 30 said nothing (weak negatives);
- coordinators invite the top 5; each invited company declines with probability 0.3 whatever
  its relevance (calendars, not fit), otherwise accepts if relevant;
- two relevant companies that accepted form a team.
One label per pair from its strongest source (`services.labels`), as the service trains; the last
row also applies the service's check (`learning.held_out_check`: no re-ranker when, on half of
the training queries, it separates labels worse than the fused score). The
queries are split in halves by a hash of their id (`services.evaluation.split`); training uses
the first half, the figures are nDCG@10 on the second. The last line is JSON.
"""

from __future__ import annotations

import argparse
import json
import time
from pathlib import Path

import numpy as np

from klimatmatch.core.settings import Settings
from klimatmatch.learning import labels
from klimatmatch.learning import service as learning
from klimatmatch.matching import evaluation
from matcher.evaluation import load_beir
from matcher.rerank import LearnedReranker, ranking_features

ROOT = Path(__file__).resolve().parents[1]
SETS = [ROOT / "data/sample/beir", ROOT / "../shared/benchmarks/swefaq", ROOT / "data/crosslingual"]
STRENGTH = ["review", "team", "invitation_accepted", "interest", "no_interest"]
Example = tuple[np.ndarray, int, str, int]
"""Features, label, source, and the training query it came from."""


def simulate(relevant: list[bool], reviewed: bool, rng: np.random.Generator) -> dict[int, str]:
    """Position in the ranking -> the strongest source that labels it (with its label)."""
    found: dict[int, tuple[int, str]] = {}

    def add(position: int, label: int, source: str) -> None:
        old = found.get(position)
        if old is None or STRENGTH.index(source) < STRENGTH.index(old[1]):
            found[position] = (label, source)

    top = range(min(30, len(relevant)))
    for i in top:
        if rng.random() < (0.5 if relevant[i] else 0.05):
            add(i, 1, "interest")
    if found:  # the shortlisted companies that saw it and said nothing
        for i in top:
            add(i, 0, "no_interest")
    accepted = []
    for i in range(min(5, len(relevant))):
        if rng.random() >= 0.3 and relevant[i]:  # a decline is no label (`services.labels`)
            add(i, 1, "invitation_accepted")
            accepted.append(i)
    if len(accepted) >= 2:
        for i in accepted[:2]:
            add(i, 1, "team")
    if reviewed:
        for i in range(min(10, len(relevant))):
            add(i, int(relevant[i]), "review")
    return found


def fit(examples: list[Example], names: list[str], weighted: bool, gated: bool = False):  # noqa: ANN201
    """A re-ranker on these labels (None when they cannot train one, or when `gated` and the
    service's held-out check would refuse it)."""
    data = learning.TrainingData(
        features=np.vstack([x for x, _, _, _ in examples]),
        targets=np.array([y for _, y, _, _ in examples]),
        weights=np.array(
            [labels.SOURCE_WEIGHTS[s] if weighted else 1.0 for _, _, s, _ in examples]
        ),
        sources=[s for _, _, s, _ in examples],
        challenges=np.array([q for _, _, _, q in examples]),
    )
    if len(set(data.targets.tolist())) < 2:
        return None
    if gated:
        check = learning.held_out_check(data, names)
        if check is not None and check[0] < check[1] - learning.TOLERANCE:
            return None
    return LearnedReranker(channels=names).fit(
        data.features, data.targets, sample_weight=data.weights
    )


def measure(folder: Path, seeds: int, cache_dir: Path | None) -> dict[str, float]:
    settings = Settings()
    benchmark = load_beir(folder)
    channels = evaluation.encode_channels(benchmark, settings, cache_dir, show_progress=False)
    engine = evaluation.engine_for("hybrid", channels, settings, benchmark)
    train, test = evaluation.split(benchmark)
    names = list(engine.channels) + (["cpv"] if engine.cpv else [])
    trained = evaluation.rankings(engine, channels, benchmark, train)
    held_out = evaluation.rankings(engine, channels, benchmark, test)
    results: dict[str, list[float]] = {}
    for seed in range(seeds):
        rng = np.random.default_rng(seed)
        scenarios: dict[str, list[tuple[np.ndarray, int, str]]] = {
            "reviews only": [],
            "engagement only": [],
            "reviews + engagement": [],
        }
        for ranking, row in zip(trained, train, strict=True):
            qrels = benchmark.qrels[benchmark.query_ids[row]]
            order = np.argsort(-ranking.fused, kind="stable")
            relevant = [benchmark.doc_ids[ranking.rows[i]] in qrels for i in order]
            matrix = ranking_features(ranking, names)
            labelled = simulate(relevant, reviewed=rng.random() < 0.25, rng=rng)
            for position, (label, source) in labelled.items():
                example = (matrix[order[position]], label, source, row)
                scenarios["reviews + engagement"].append(example)
                scenarios["reviews only" if source == "review" else "engagement only"].append(
                    example
                )
        runs = {
            "reviews only": fit(scenarios["reviews only"], names, True),
            "engagement only": fit(scenarios["engagement only"], names, True),
            "reviews + engagement, weighted": fit(scenarios["reviews + engagement"], names, True),
            "reviews + engagement, unweighted": fit(
                scenarios["reviews + engagement"], names, False
            ),
            "as the service: equal weights, held-out check": fit(
                scenarios["reviews + engagement"], names, False, gated=True
            ),
        }
        for name, reranker in runs.items():
            scorer = reranker.score if reranker is not None else None
            value = evaluation.score(benchmark, held_out, test, scorer)["ndcg@10"]
            results.setdefault(name, []).append(value)
    figures = {"no re-ranker": evaluation.score(benchmark, held_out, test)["ndcg@10"]}
    figures |= {name: round(float(np.mean(values)), 4) for name, values in results.items()}
    return figures


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("sets", nargs="*", type=Path, default=SETS)
    parser.add_argument("--seeds", type=int, default=5)
    parser.add_argument("--cache-dir", type=Path, default=ROOT / "var/cache")
    args = parser.parse_args()
    report = {}
    for folder in args.sets:
        began = time.perf_counter()
        report[folder.name] = measure(folder, args.seeds, args.cache_dir)
        print(folder.name, f"({time.perf_counter() - began:.0f} s)")
        for name, value in report[folder.name].items():
            print(f"  {name:36s} {value:.4f}")
    print(json.dumps(report))


if __name__ == "__main__":
    main()
