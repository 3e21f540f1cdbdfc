"""The match strength refitted on coordinators' decisions: stored, used at once and by every
process started later, and refused when the decisions cannot carry a refit."""

from __future__ import annotations

import numpy as np
import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from klimatmatch.catalogue.importing import import_file
from klimatmatch.core.errors import InvalidInput
from klimatmatch.index import indexing
from klimatmatch.learning import strength
from matcher import MatchEngine, create_embedder
from models import StrengthFit
from tests.conftest import SAMPLE
from tests.klimatmatch.learning.test_learning import review_sample


def sample_engine(session: Session) -> MatchEngine:
    for name in ("challenges.csv", "companies.csv"):
        import_file(session=session, path=SAMPLE / name)
    engine = MatchEngine({"tfidf": create_embedder("tfidf"), "lexical": create_embedder("bm25")})
    indexing.rebuild(session=session, engine=engine)
    return engine


def read(engine: MatchEngine, session: Session) -> tuple[np.ndarray, np.ndarray]:
    """The strengths the engine gives the decided pairs now, and the decisions."""
    data = strength.decided(session=session, engine=engine)
    rows = next(iter(data.kinds.values()))
    calibration = engine.pair_strength.both
    values = {n: data.values[n][rows] for n in calibration.features}
    return calibration.probability(values), data.labels[rows]


def test_decisions_refit_the_strength_for_every_process(session: Session) -> None:
    engine = sample_engine(session)
    review_sample(session, engine, challenges=2)
    with pytest.raises(InvalidInput, match="at least 30 accepted and rejected"):
        strength.refit(session=session, engine=engine, min_decisions=30)
    assert session.scalars(select(StrengthFit)).first() is None  # nothing stored

    review_sample(session, engine, challenges=20)
    shipped_version = engine.parameters["strength"]
    before, decisions = read(engine, session)
    report = strength.refit(session=session, engine=engine, min_decisions=30)

    assert "model+lexical" in report.refitted and report.decisions >= 100
    refit_ece, shipped_ece = report.held_out_ece["model+lexical"]
    assert refit_ece <= shipped_ece
    after, _ = read(engine, session)
    share = decisions.mean()
    # refitted on them, the strengths' mean is the share of accepted pairs; shipped, it was not
    assert abs(after.mean() - share) < 0.02 < abs(before.mean() - share)
    assert after[decisions == 1].mean() > after[decisions == 0].mean()
    assert engine.parameters["strength"] not in (None, shipped_version)

    [stored] = session.scalars(select(StrengthFit))
    restarted = MatchEngine(dict(engine.channels))
    assert restarted.parameters["strength"] == shipped_version
    assert strength.load_latest(session=session, engine=restarted) == stored.id
    assert restarted.parameters["strength"] == engine.parameters["strength"]


def test_a_process_of_another_model_keeps_the_shipped_strength(session: Session) -> None:
    engine = sample_engine(session)
    review_sample(session, engine, challenges=20)
    strength.refit(session=session, engine=engine, min_decisions=30)
    lexical = MatchEngine({"lexical": create_embedder("bm25")})
    shipped = lexical.parameters["strength"]
    assert strength.load_latest(session=session, engine=lexical) is None
    assert lexical.parameters["strength"] == shipped
