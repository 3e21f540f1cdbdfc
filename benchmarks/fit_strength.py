"""Fit the match strength (`matcher.strength`) on labelled sets, measure its calibration, and
write the calibrations to data/strength.json.

    python -m benchmarks.fit_strength                                  # the configured model
    python -m benchmarks.fit_strength --model packaged:all-MiniLM-L6-v2
    python -m benchmarks.fit_strength --embedder tfidf
    python -m benchmarks.fit_strength --lexical-only                  # the fallback: BM25 alone

The service's engine (`build_engine` from the settings) ranks every query of each set; the
top `--top` candidates of each query become labelled pairs (1: in the set's qrels), read as
the service reads them (`PairStrength.features`). A logistic regression per feature set
(model cosine + lexical ratio where BM25 can compare the pair, the cosine alone) is fitted on
one half of the queries (`evaluation.split`) and measured on the other, then the other way
round; the calibrations written are fitted on every query. Each set weighs the same in the
fit. The `--check` sets are never fitted on: they show how the strength transfers (the
sample's Swedish challenges against its English profiles are also in the cross-lingual set).

A corpus larger than `--max-docs` is sampled (fixed seed): every document relevant to a query,
then others at random; a sampled non-relevant pair weighs what it stands for (others / kept),
in the fit and in the figures. Vectors are cached in `--cache-dir`. The last line is JSON.
"""

from __future__ import annotations

import argparse
import dataclasses
import datetime
import json
import time
from pathlib import Path

import numpy as np

from benchmarks.strength_data import Pairs, collect
from klimatmatch.core.settings import Settings
from matcher.evaluation import Benchmark, load_beir
from matcher.strength import (
    LEXICAL,
    MODEL,
    POSSIBLE_AT,
    STRONG_AT,
    Calibration,
    Calibrations,
    Strength,
    load_calibrations,
    save_calibrations,
)
from matcher.strength_fit import expected_calibration_error, fit_calibration, reliability
from matcher.strength_pairs import model_key

ROOT = Path(__file__).resolve().parents[1]
SHARED = ROOT.parent / "shared" / "benchmarks"
FIT_SETS = [ROOT / "data/crosslingual", ROOT / "data/nordic_cpv", ROOT / "data/sample/beir"]
"""Sets where "relevant" means what it means here, a candidate that answers the need, with
several per query: the sample's judged challenges and profiles, and the CPV classes matched to
their codes across two languages (crosslingual) and within one (nordic_cpv, the same
construction). Pairs in one language and in two are fitted on the same notion of relevant, so
a strength means the same whichever way a pair is judged."""
CHECK_SETS = [SHARED / "climate_fever", SHARED / "swefaq"]
"""Public sets never fitted on: one answer per question (swefaq) or a few evidence sentences
among thousands (climate_fever), so a share of relevant pairs far below ours. They show how
the strength transfers, and where it overstates."""
VARIANTS = {
    "hybrid": [((MODEL, LEXICAL), "speaks"), ((MODEL,), "silent")],
    "lexical": [((LEXICAL,), "speaks")],
}
"""Per method, the calibrations fitted and on which pairs: where BM25 can compare the texts
(`speaks`), or where it cannot (`silent`: pairs in two languages, which the model alone judges
in the service), on every pair when the sets have no such pair."""


def sample(benchmark: Benchmark, max_docs: int | None, seed: int) -> tuple[Benchmark, float]:
    """Every relevant document and a seeded sample of the others, up to `max_docs`; returns the
    sampled set and what a kept non-relevant document stands for (1.0: nothing sampled out)."""
    if max_docs is None or len(benchmark.doc_ids) <= max_docs:
        return benchmark, 1.0
    relevant = {d for q in benchmark.query_ids for d in benchmark.qrels[q]}
    others = [i for i, d in enumerate(benchmark.doc_ids) if d not in relevant]
    keep_others = max(0, max_docs - (len(benchmark.doc_ids) - len(others)))
    chosen = set(np.random.default_rng(seed).choice(others, keep_others, replace=False).tolist())
    rows = [i for i, d in enumerate(benchmark.doc_ids) if d in relevant or i in chosen]

    def pick(values: list) -> list:
        return [values[i] for i in rows] if values else values

    smaller = dataclasses.replace(
        benchmark,
        doc_ids=pick(benchmark.doc_ids),
        doc_texts=pick(benchmark.doc_texts),
        doc_codes=pick(benchmark.doc_codes),
        doc_languages=pick(benchmark.doc_languages),
    )
    return smaller, (len(others) / keep_others) if keep_others else 1.0


def fit_all(pairs: Pairs, variants: list, model: str, about: dict) -> list[Calibration]:
    """One calibration per variant, each set weighing the same."""
    balance = pairs.balanced_weights()
    fitted = []
    for features, where in variants:
        rows = pairs.speaks if where == "speaks" else ~pairs.speaks
        if not rows.any():
            rows = np.ones(len(pairs.labels), dtype=bool)
        values = {n: pairs.values[n][rows] for n in features}
        used = {**about, "pairs": int(rows.sum())} if about else {}
        fitted.append(
            fit_calibration(model, features, values, pairs.labels[rows], balance[rows], used)
        )
    return fitted


def held_out(pairs: Pairs, variants: list, model: str) -> np.ndarray:
    """Each pair's strength from calibrations fitted on the other half of its set's queries."""
    predicted = np.zeros(len(pairs.labels))
    for half in (0, 1):
        train = pairs.half != half
        calibrations = fit_all(pairs.subset(train), variants, model, {})
        test = np.flatnonzero(~train)
        predicted[test] = pairs.subset(~train).strengths(Calibrations(tuple(calibrations)))
    return predicted


def figures(name: str, pairs: Pairs, predicted: np.ndarray) -> dict[str, float] | None:
    """Prints the reliability diagram and the levels of one set; returns its ECE figures.
    Pairs without a strength (BM25 alone across languages) are left out; None if all are."""
    rated = np.isfinite(predicted)
    if not rated.any():
        return None
    pairs, predicted = pairs.subset(rated), predicted[rated]
    weights, labels = pairs.weights, pairs.labels
    top10 = pairs.ranks < 10
    ece = expected_calibration_error(predicted, labels, weights)
    ece10 = expected_calibration_error(predicted[top10], labels[top10], weights[top10])
    print(f"\n{name}: {len(labels)} pairs, ECE {ece:.4f} (top 10 only: {ece10:.4f})")
    print("  bin          pairs  predicted  observed")
    for b in reliability(predicted, labels, weights):
        print(f"  {b.low:.1f}-{b.high:.1f}  {b.pairs:8d}  {b.predicted:9.3f}  {b.observed:8.3f}")
    relevant = float((weights * labels).sum()) or 1.0
    for level in Strength:
        inside = np.array([Strength.of(p) is level for p in predicted], dtype=bool)
        if inside.any():
            share = np.average(labels[inside], weights=weights[inside])
            found = (weights * labels)[inside].sum() / relevant
            print(
                f"  {level.value:8s} {int(inside.sum()):6d} pairs, {share:.1%} relevant, "
                f"{found:.1%} of the relevant pairs"
            )
    return {"ece": round(ece, 4), "ece_top10": round(ece10, 4), "pairs": len(labels)}


def per_set(pairs: Pairs, predicted: np.ndarray, overall: str | None) -> dict[str, dict]:
    """`figures` of every set that has strengths, and of them all pooled when `overall`
    names that line."""
    found = {
        n: figures(n, pairs.subset(pairs.set_names == n), predicted[pairs.set_names == n])
        for n in pairs.names
    }
    if overall is not None:
        found["overall"] = figures(overall, pairs, predicted)
    return {n: f for n, f in found.items() if f is not None}


def load(args: argparse.Namespace, settings: Settings, method: str) -> tuple[Pairs, list[Pairs]]:
    """The labelled pairs of the sets to fit on (joined) and of each set to check."""
    fit_pairs, check_pairs = [], []
    for folder in [*args.sets, *args.check]:
        loaded = load_beir(folder)
        name = folder.parent.name if folder.name == "beir" else folder.name  # data/sample/beir
        benchmark, stands_for = sample(
            dataclasses.replace(loaded, name=name), args.max_docs, args.seed
        )
        weighs = f" (sampled: a non-relevant pair weighs {stands_for:.2f})"
        print(
            f"{name}: {len(benchmark.query_ids)} queries, {len(benchmark.doc_ids)} docs"
            + (weighs if stands_for != 1.0 else "")
        )
        collected = collect(benchmark, settings, method, args.top, stands_for, args.cache_dir)
        (fit_pairs if folder in args.sets else check_pairs).append(collected)
    return Pairs.joined(fit_pairs), check_pairs


def arguments() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sets", nargs="+", type=Path, default=FIT_SETS)
    parser.add_argument("--check", nargs="*", type=Path, default=CHECK_SETS)
    parser.add_argument("--model", help="a model as KLIMATMATCH_MODEL takes it")
    parser.add_argument("--embedder", help="a backend as KLIMATMATCH_EMBEDDER takes it")
    parser.add_argument("--lexical-only", action="store_true", help="fit the BM25 fallback")
    parser.add_argument("--top", type=int, default=30, help="candidates per query")
    parser.add_argument("--max-docs", type=int, default=3000, help="sample larger corpora")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--cache-dir", type=Path, default=ROOT / "var/cache")
    parser.add_argument("--output", type=Path, default=ROOT / "data/strength.json")
    return parser.parse_args()


def main() -> None:
    args = arguments()
    options = {k: v for k, v in {"model": args.model, "embedder": args.embedder}.items() if v}
    if args.lexical_only:
        options = {"embedder": "tfidf"}  # no model to load: only BM25 ranks
    settings = Settings(_env_file=None, **options)
    method = "lexical" if args.lexical_only else "hybrid"
    began = time.perf_counter()
    pairs, checks = load(args, settings, method)
    model = model_key(next(iter(pairs.engines[0].values())))
    variants = VARIANTS[method]
    report = per_set(pairs, held_out(pairs, variants, model), "overall (held-out, pooled)")
    about = {
        "sets": [n for n in report if n != "overall"],
        "date": datetime.date.today().isoformat(),
        "top": args.top,
        "held_out_ece": {n: f["ece"] for n, f in report.items()},
    }
    final = fit_all(pairs, variants, model, about)
    if checks:
        print("\n--- sets never fitted on, with the calibrations written ---")
    for extra in checks:
        found = per_set(extra, extra.strengths(Calibrations(tuple(final))), None)
        report |= {f"check:{n}": f for n, f in found.items()}
    save_calibrations(load_calibrations(args.output).replaced(final), args.output)
    print(f"\nthresholds: strong >= {STRONG_AT}, possible >= {POSSIBLE_AT}, weak below")
    for c in final:
        print(f"{c.model} {'+'.join(c.features)}: {c.coefficients} + {c.intercept:.4f}")
    print(f"wrote {args.output} in {time.perf_counter() - began:.0f} s")
    thresholds = {"strong": STRONG_AT, "possible": POSSIBLE_AT}
    print(json.dumps({"model": model, "thresholds": thresholds, "figures": report}))


if __name__ == "__main__":
    main()
