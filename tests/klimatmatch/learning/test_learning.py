from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from sklearn.base import clone
from sqlalchemy.orm import Session

from klimatmatch.catalogue.importing import import_file
from klimatmatch.core.errors import InvalidInput
from klimatmatch.index import indexing
from klimatmatch.learning import service as learning
from klimatmatch.matching import service as matching
from matcher import MatchEngine, create_embedder
from matcher.rerank import LearnedReranker
from models import Decision, Review, crud
from tests.conftest import SAMPLE


def test_reranker_follows_the_estimator_contract() -> None:
    reranker = LearnedReranker(channels=("dense",), C=0.5)
    assert reranker.get_params() == {"channels": ("dense",), "C": 0.5, "class_weight": "balanced"}
    rng = np.random.default_rng(1)
    features = rng.normal(size=(80, 7))
    labels = (features[:, 0] > 0).astype(int)
    fitted = reranker.fit(features, labels)
    assert fitted is reranker and reranker.n_examples_ == 80
    assert not hasattr(clone(reranker), "model_")
    assert (reranker.predict(features) == labels).mean() > 0.9
    with pytest.raises(ValueError, match="both accepted and rejected"):
        LearnedReranker().fit(features, np.ones(80))


def review_sample(session: Session, engine: MatchEngine, challenges: int) -> None:
    """Coordinators' decisions taken from the sample's relevance labels."""
    relevance = pd.read_csv(SAMPLE / "relevance.csv", dtype=str)
    for external_id in sorted(set(relevance["challenge_external_id"]))[:challenges]:
        challenge = crud.challenge_by_external_id(session=session, external_id=external_id)
        if challenge is None or challenge.id not in engine.challenges:
            continue
        relevant = set(
            relevance[relevance.challenge_external_id == external_id].company_external_id
        )
        run = matching.challenge_shortlist(
            session=session, engine=engine, challenge_id=challenge.id, k=10
        )
        for result in run.results:
            company = crud.get_company(session=session, company_id=result.company_id)
            decision = Decision.ACCEPTED if company.external_id in relevant else Decision.REJECTED
            session.add(
                Review(
                    challenge_id=challenge.id,
                    company_id=company.id,
                    reviewer="test",
                    decision=decision,
                    match_result_id=result.id,
                )
            )
    session.flush()


def test_reviews_train_a_versioned_reranker_that_runs_record(session: Session) -> None:
    for name in ("challenges.csv", "companies.csv"):
        import_file(session=session, path=SAMPLE / name)
    engine = MatchEngine({"tfidf": create_embedder("tfidf"), "lexical": create_embedder("bm25")})
    indexing.rebuild(session=session, engine=engine)
    review_sample(session, engine, challenges=2)
    with pytest.raises(InvalidInput, match="needs at least 30"):
        learning.train(session=session, engine=engine, min_reviews=30)
    review_sample(session, engine, challenges=12)
    report = learning.train(session=session, engine=engine, min_reviews=30, tolerance=1.0)
    assert report.examples >= 30 and 0 < report.positives < report.examples
    assert engine.reranker is not None and engine.reranker.version == report.version
    challenge = crud.challenge_by_external_id(session=session, external_id="UPS-01")
    run = matching.challenge_shortlist(
        session=session, engine=engine, challenge_id=challenge.id, k=5
    )
    assert run.parameters["reranker"] == report.version
    assert all(0.0 <= r.score <= 1.0 for r in run.results)
    fresh = MatchEngine(dict(engine.channels))
    assert learning.load_latest(session=session, engine=fresh) == report.version
