"""Labelled pairs for `benchmarks.fit_strength`: each query's top candidates as the service
ranks them, with the features the service's strength reads."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from klimatmatch.core.settings import Settings
from klimatmatch.matching import evaluation
from matcher import Document
from matcher.embedders.base import Embedder
from matcher.evaluation import Benchmark
from matcher.strength import Calibrations
from matcher.strength_pairs import PairStrength


@dataclass(frozen=True)
class Pairs:
    """(challenge, company) pairs of one or more sets, one entry per pair in every array;
    `engines[source[i]]` are the channels that ranked pair i (each set fits its own BM25)."""

    engines: list[Mapping[str, Embedder]]
    source: np.ndarray
    set_names: np.ndarray
    half: np.ndarray
    """0 or 1: the half of its set's queries (`evaluation.split`) the pair belongs to."""
    ranks: np.ndarray
    labels: np.ndarray
    weights: np.ndarray
    """What each pair stands for: 1, or more for a non-relevant pair of a sampled corpus."""
    speaks: np.ndarray
    values: dict[str, np.ndarray]
    challenges: list[Document] = field(repr=False)
    companies: list[Document] = field(repr=False)
    components: list[dict[str, float]] = field(repr=False)

    @property
    def names(self) -> list[str]:
        return list(dict.fromkeys(self.set_names.tolist()))

    def subset(self, rows: np.ndarray) -> Pairs:
        at = np.flatnonzero(rows)
        return Pairs(
            self.engines,
            self.source[at],
            self.set_names[at],
            self.half[at],
            self.ranks[at],
            self.labels[at],
            self.weights[at],
            self.speaks[at],
            {n: v[at] for n, v in self.values.items()},
            [self.challenges[i] for i in at],
            [self.companies[i] for i in at],
            [self.components[i] for i in at],
        )

    @classmethod
    def joined(cls, parts: Sequence[Pairs]) -> Pairs:
        def cat(name: str) -> np.ndarray:
            return np.concatenate([getattr(p, name) for p in parts])

        offsets = np.cumsum([0] + [len(p.engines) for p in parts[:-1]])
        return cls(
            [e for p in parts for e in p.engines],
            np.concatenate([p.source + o for p, o in zip(parts, offsets, strict=True)]),
            cat("set_names"),
            cat("half"),
            cat("ranks"),
            cat("labels"),
            cat("weights"),
            cat("speaks"),
            {n: np.concatenate([p.values[n] for p in parts]) for n in parts[0].values},
            [d for p in parts for d in p.challenges],
            [d for p in parts for d in p.companies],
            [c for p in parts for c in p.components],
        )

    def balanced_weights(self) -> np.ndarray:
        """`weights` rescaled so that every set weighs the same in total (mean 1)."""
        result = self.weights.astype(float).copy()
        for name in self.names:
            inside = self.set_names == name
            result[inside] /= result[inside].sum()
        return result / result.mean()

    def strengths(self, calibrations: Calibrations) -> np.ndarray:
        """Each pair's strength as the service computes it; NaN where it has none."""
        result = np.full(len(self.labels), np.nan)
        for source, channels in enumerate(self.engines):
            rows = np.flatnonzero(self.source == source)
            found = PairStrength(channels, calibrations).pairs(
                [self.challenges[i] for i in rows],
                [self.companies[i] for i in rows],
                [self.components[i] for i in rows],
            )
            result[rows] = [np.nan if s is None else s for s in found]
        return result


def collect(
    benchmark: Benchmark,
    settings: Settings,
    method: str,
    top: int,
    stands_for: float,
    cache_dir: Path | None,
) -> Pairs:
    """Every query's `top` candidates from the service's engine (`method`: `hybrid` or one
    channel, as `klimatmatch eval` runs them), labelled by the set's qrels."""
    channels = evaluation.encode_channels(benchmark, settings, cache_dir, show_progress=True)
    engine = evaluation.engine_for(method, channels, settings, benchmark)
    every = list(range(len(benchmark.query_ids)))
    first_half = set(evaluation.split(benchmark)[0])
    halves, ranks, labels, challenges, companies, components = [], [], [], [], [], []
    ranked = evaluation.rankings(engine, channels, benchmark, every)
    for row, ranking in zip(every, ranked, strict=True):
        assert ranking.pool is not None
        relevant = benchmark.qrels[benchmark.query_ids[row]]
        for rank, i in enumerate(np.argsort(-ranking.fused, kind="stable")[:top]):
            company = ranking.pool.documents[ranking.rows[i]]
            halves.append(0 if row in first_half else 1)
            ranks.append(rank)
            labels.append(int(benchmark.doc_ids[company.id] in relevant))
            challenges.append(ranking.query)
            companies.append(company)
            components.append({n: float(c[i]) for n, c in ranking.components.items()})
    values, speaks = PairStrength(engine.channels, Calibrations()).features(
        challenges, companies, components
    )
    labelled = np.array(labels)
    return Pairs(
        [engine.channels],
        np.zeros(len(labels), dtype=int),
        np.array([benchmark.name] * len(labels)),
        np.array(halves),
        np.array(ranks),
        labelled,
        np.where(labelled == 1, 1.0, stands_for),
        speaks,
        values,
        challenges,
        companies,
        components,
    )
