"""A learned re-ranker over the channels' evidence, trained from coordinators' decisions.

Follows the scikit-learn estimator contract: hyper-parameters stored as given, learned state
ends in `_`, `fit` returns self. Features per candidate come from a `Ranking`, so the service,
the CLI and the evaluation train and apply exactly the same thing.
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence

import numpy as np
from sklearn.base import BaseEstimator, ClassifierMixin
from sklearn.linear_model import LogisticRegression
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler


def ranking_features(ranking, channels: Sequence[str]) -> np.ndarray:  # noqa: ANN001
    """(n_candidates, 4 * len(channels) + 3): per channel the raw score, its z-score and
    reciprocal rank within the query's candidates, and whether the channel scored it at all;
    then the fused score, its z-score, and whether query and candidate share a language."""
    columns = []
    for name in channels:
        raw = np.asarray(ranking.components.get(name, np.zeros(len(ranking.rows))), dtype=float)
        raw = np.where(np.isfinite(raw), raw, 0.0)
        columns += [raw, _z(raw), 1.0 / (1.0 + _ranks(raw)), (raw > 0).astype(float)]
    fused = np.where(np.isfinite(ranking.fused), ranking.fused, 0.0)
    same_language = np.full(len(fused), float(bool(ranking.query.fields.get("language"))))
    columns += [fused, _z(fused), same_language]
    return np.column_stack(columns) if len(fused) else np.zeros((0, len(columns)))


def _z(values: np.ndarray) -> np.ndarray:
    spread = values.std()
    return (values - values.mean()) / spread if spread > 0 else np.zeros_like(values)


def _ranks(values: np.ndarray) -> np.ndarray:
    order = np.argsort(-values, kind="stable")
    ranks = np.empty(len(values))
    ranks[order] = np.arange(len(values))
    return ranks


class LearnedReranker(BaseEstimator, ClassifierMixin):
    """Logistic regression on standardised features: few parameters, so a few hundred
    decisions are enough, and its coefficients say which evidence coordinators trust."""

    def __init__(
        self,
        channels: Sequence[str] = ("dense", "lexical"),
        C: float = 1.0,
        class_weight: str | None = "balanced",
    ) -> None:
        self.channels = channels
        self.C = C
        self.class_weight = class_weight

    def fit(
        self, X: np.ndarray, y: np.ndarray, sample_weight: np.ndarray | None = None
    ) -> LearnedReranker:
        """`sample_weight`: how much each label counts (by its source: a coordinator's review
        more than an expression of interest)."""
        y = np.asarray(y)
        if len(np.unique(y)) < 2:
            raise ValueError("training needs both accepted and rejected examples")
        self.model_ = make_pipeline(
            StandardScaler(),
            LogisticRegression(C=self.C, class_weight=self.class_weight, max_iter=1000),
        )
        self.model_.fit(X, y, logisticregression__sample_weight=sample_weight)
        self.classes_ = self.model_.classes_
        self.n_examples_ = int(len(y))
        digest = hashlib.sha256(np.asarray(self.model_[-1].coef_).tobytes()).hexdigest()[:10]
        self.version = f"logreg-{self.n_examples_}-{digest}"
        return self

    def predict_proba(self, X: np.ndarray) -> np.ndarray:
        return self.model_.predict_proba(X)

    def predict(self, X: np.ndarray) -> np.ndarray:
        return self.model_.predict(X)

    def score(self, ranking, y=None) -> np.ndarray:  # noqa: ANN001
        """Relevance probability per candidate of a ranking (the engine's re-ranking hook).

        With `y`, behaves like scikit-learn's `score` (accuracy) so model selection works."""
        if y is not None:
            return super().score(ranking, y)
        features = ranking_features(ranking, self.channels)
        return self.predict_proba(features)[:, 1] if len(features) else np.zeros(0)
