"""Learning from what people do: reviews, interest, invitations and teams become training data
for the re-ranker (`services.labels`: one label per pair, weighted by its source).

Coordinators' accepted pairs are positives, rejected ones negatives ("maybe" teaches nothing);
the latest decision per pair counts and overrides every other source. Features come from the
same ranking the engine serves, so training and serving cannot drift apart. A model is used
only when enough labels exist.
"""

from __future__ import annotations

import io
import pickle
from collections import Counter, defaultdict
from dataclasses import dataclass, field

import numpy as np
from sklearn.metrics import roc_auc_score
from sqlalchemy import select
from sqlalchemy.orm import Session

from klimatmatch.core.errors import InvalidInput
from klimatmatch.learning import labels
from matcher import MatchEngine
from matcher.rerank import LearnedReranker, ranking_features
from models import RerankerModel


@dataclass(frozen=True)
class TrainingReport:
    version: str
    examples: int
    positives: int
    sources: dict[str, int] = field(default_factory=dict)
    held_out_auc: tuple[float, float] | None = None
    """(re-ranker, fused score) on held-out challenges, when both halves had both classes."""


def channel_names(engine: MatchEngine) -> list[str]:
    """The channels a re-ranker's features come from, in the engine's order."""
    return list(engine.channels) + (["cpv"] if engine.cpv else [])


def training_data(*, session: Session, engine: MatchEngine) -> tuple[np.ndarray, np.ndarray]:
    """(features, labels) for every labelled pair whose company the engine still ranks."""
    data = weighted_training_data(session=session, engine=engine)
    return data.features, data.targets


@dataclass(frozen=True)
class TrainingData:
    features: np.ndarray
    targets: np.ndarray
    weights: np.ndarray
    sources: list[str]
    challenges: np.ndarray


def weighted_training_data(*, session: Session, engine: MatchEngine) -> TrainingData:
    """Features, labels, sample weights, sources and challenges of reviews, interest,
    invitations and teams (`services.labels`), each pair once, from its strongest source."""
    by_challenge: dict[int, list[labels.Label]] = defaultdict(list)
    for label in labels.labelled_pairs(session=session):
        by_challenge[label.challenge_id].append(label)
    features, kept = [], []
    names = channel_names(engine)
    for challenge_id, pairs in sorted(by_challenge.items()):
        if challenge_id not in engine.challenges:
            continue
        ranking = engine.ranking_for_challenge(challenge_id, use_reranker=False)
        row_of = {document.id: i for i, document in enumerate(ranking.documents)}
        matrix = ranking_features(ranking, names)
        for pair in pairs:
            if pair.company_id in row_of:
                features.append(matrix[row_of[pair.company_id]])
                kept.append(pair)
    width = 4 * len(names) + 3
    return TrainingData(
        np.vstack(features) if features else np.zeros((0, width)),
        np.array([p.label for p in kept], dtype=int),
        np.array([p.weight for p in kept], dtype=float),
        [p.source for p in kept],
        np.array([p.challenge_id for p in kept], dtype=int),
    )


TOLERANCE = 0.01
"""How much worse than the fused score a re-ranker may separate held-out labels and still be
used (noise on a few dozen labels)."""


def held_out_check(data: TrainingData, names: list[str]) -> tuple[float, float] | None:
    """(AUC of a re-ranker fitted on half the challenges, AUC of the fused score) on the other
    half's labels; None when a half lacks one of the classes."""
    held = data.challenges % 2 == 1
    halves = (data.targets[~held], data.targets[held])
    if any(len(set(half.tolist())) < 2 for half in halves):
        return None
    probe = LearnedReranker(channels=names).fit(
        data.features[~held], data.targets[~held], sample_weight=data.weights[~held]
    )
    scored = probe.predict_proba(data.features[held])[:, 1]
    fused = data.features[held][:, -2]  # the fused score's z within its challenge
    weights = data.weights[held]
    return (
        round(float(roc_auc_score(data.targets[held], scored, sample_weight=weights)), 4),
        round(float(roc_auc_score(data.targets[held], fused, sample_weight=weights)), 4),
    )


def train(
    *, session: Session, engine: MatchEngine, min_reviews: int, tolerance: float = TOLERANCE
) -> TrainingReport:
    """Fit, check on held-out challenges, store a new version and put it to work; a model that
    would rank held-out labels worse than the fused score (by more than `tolerance` in AUC) is
    refused, not stored."""
    data = weighted_training_data(session=session, engine=engine)
    features, targets, weights, sources = data.features, data.targets, data.weights, data.sources
    if len(targets) < min_reviews or len(set(targets.tolist())) < 2:
        raise InvalidInput(
            f"{len(targets)} usable labels ({int(targets.sum())} positive); the re-ranker needs "
            f"at least {min_reviews}, with both positive and negative ones"
        )
    names = channel_names(engine)
    check = held_out_check(data, names)
    if check is not None and check[0] < check[1] - tolerance:
        raise InvalidInput(
            f"not stored: on held-out challenges the re-ranker separates the labels worse (AUC "
            f"{check[0]}) than the fused score (AUC {check[1]}); the fused ranking stays"
        )
    reranker = LearnedReranker(channels=names).fit(features, targets, sample_weight=weights)
    buffer = io.BytesIO()
    pickle.dump(reranker, buffer)
    session.add(
        RerankerModel(
            version=reranker.version,
            n_examples=len(targets),
            channels=names,
            model=buffer.getvalue(),
        )
    )
    session.commit()
    engine.reranker = reranker
    return TrainingReport(
        reranker.version, len(targets), int(targets.sum()), dict(Counter(sources)), check
    )


def load_latest(*, session: Session, engine: MatchEngine) -> str | None:
    """Use the newest stored re-ranker whose channels match the engine's; returns its version.

    The pickle is only ever written by `train` into our own database."""
    names = channel_names(engine)
    for row in session.scalars(select(RerankerModel).order_by(RerankerModel.id.desc())):
        if row.channels == names:
            engine.reranker = pickle.loads(row.model)  # noqa: S301 - our own artefact
            return row.version
    return None
