"""Learning from coordinators: reviews become training data for the re-ranker.

Accepted pairs are positives, rejected ones negatives ("maybe" teaches nothing); the latest
decision per pair counts. Features come from the same ranking the engine serves, so training
and serving cannot drift apart. A model is used only when enough decisions exist.
"""

from __future__ import annotations

import io
import pickle
from dataclasses import dataclass

import numpy as np
from sqlalchemy import select
from sqlalchemy.orm import Session

from klimatmatch.errors import InvalidInput
from klimatmatch.services.reviews import latest_decisions
from matcher import MatchEngine
from matcher.rerank import LearnedReranker, ranking_features
from models import Decision, RerankerModel, Review


@dataclass(frozen=True)
class TrainingReport:
    version: str
    examples: int
    positives: int


def training_data(*, session: Session, engine: MatchEngine) -> tuple[np.ndarray, np.ndarray]:
    """(features, labels) for every reviewed pair whose company the engine still ranks."""
    challenge_ids = sorted(set(session.scalars(select(Review.challenge_id))))
    decisions = latest_decisions(session=session, challenge_ids=challenge_ids)
    features, labels = [], []
    names = list(engine.channels) + (["cpv"] if engine.cpv else [])
    for challenge_id in challenge_ids:
        if challenge_id not in engine.challenges:
            continue
        ranking = engine.ranking_for_challenge(challenge_id, use_reranker=False)
        row_of = {document.id: i for i, document in enumerate(ranking.documents)}
        matrix = ranking_features(ranking, names)
        for (c_id, company_id), review in decisions.items():
            if (
                c_id != challenge_id
                or review.decision is Decision.MAYBE
                or company_id not in row_of
            ):
                continue
            features.append(matrix[row_of[company_id]])
            labels.append(int(review.decision is Decision.ACCEPTED))
    width = 4 * len(names) + 3
    return (np.vstack(features) if features else np.zeros((0, width))), np.array(labels, dtype=int)


def train(*, session: Session, engine: MatchEngine, min_reviews: int) -> TrainingReport:
    """Fit, store a new version, and put it to work in the engine."""
    features, labels = training_data(session=session, engine=engine)
    if len(labels) < min_reviews or len(set(labels.tolist())) < 2:
        raise InvalidInput(
            f"{len(labels)} usable decisions ({int(labels.sum())} accepted); the re-ranker needs "
            f"at least {min_reviews}, with both accepted and rejected ones"
        )
    names = list(engine.channels) + (["cpv"] if engine.cpv else [])
    reranker = LearnedReranker(channels=names).fit(features, labels)
    buffer = io.BytesIO()
    pickle.dump(reranker, buffer)
    session.add(
        RerankerModel(
            version=reranker.version,
            n_examples=len(labels),
            channels=names,
            model=buffer.getvalue(),
        )
    )
    session.commit()
    engine.reranker = reranker
    return TrainingReport(reranker.version, len(labels), int(labels.sum()))


def load_latest(*, session: Session, engine: MatchEngine) -> str | None:
    """Use the newest stored re-ranker whose channels match the engine's; returns its version.

    The pickle is only ever written by `train` into our own database."""
    names = list(engine.channels) + (["cpv"] if engine.cpv else [])
    for row in session.scalars(select(RerankerModel).order_by(RerankerModel.id.desc())):
        if row.channels == names:
            engine.reranker = pickle.loads(row.model)  # noqa: S301 - our own artefact
            return row.version
    return None
