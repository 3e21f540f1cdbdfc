"""Labels from everything after a match: one per pair from its strongest source, weighted by
it, and the re-ranker trains on them (on SQLite and PostgreSQL)."""

from __future__ import annotations

import numpy as np
import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from klimatmatch.core.errors import InvalidInput
from klimatmatch.index import indexing
from klimatmatch.learning import labels
from klimatmatch.learning import service as learning
from matcher import MatchEngine, create_embedder
from models import Decision, Direction, MatchResult, MatchRun, RerankerModel, Review
from models.engagement import (
    Answer,
    ExpressionOfInterest,
    Team,
    TeamMember,
    TeamStatus,
    WorkshopInvitation,
)
from tests.klimatmatch.engagement_world import challenge, company, people


def test_one_label_per_pair_from_its_strongest_source(session: Session) -> None:
    people(session)
    sth, mal = challenge(session, "STH-01").id, challenge(session, "MAL-01").id
    volt, site, third, fourth = (company(session, f"CO-00{n}").id for n in (1, 2, 3, 4))
    shown = MatchRun(
        direction=Direction.CHALLENGE_TO_COMPANIES, subject_id=sth, model="m", data_version="1"
    )
    shown.results = [
        MatchResult(rank=r, challenge_id=sth, company_id=c, score=1.0 / r)
        for r, c in enumerate((volt, site, third, fourth), start=1)
    ]
    session.add_all(
        [
            shown,
            ExpressionOfInterest(challenge_id=sth, company_id=volt, pitch="Vi kan det här."),
            ExpressionOfInterest(challenge_id=sth, company_id=site, pitch="Vi kan det här."),
            WorkshopInvitation(challenge_id=sth, company_id=site, answer=Answer.DECLINED),
            WorkshopInvitation(challenge_id=sth, company_id=third, answer=Answer.DECLINED),
            WorkshopInvitation(challenge_id=mal, company_id=volt, answer=Answer.PENDING),
            WorkshopInvitation(challenge_id=mal, company_id=fourth, answer=Answer.ACCEPTED),
            Review(challenge_id=sth, company_id=volt, reviewer="k", decision=Decision.REJECTED),
            Review(challenge_id=mal, company_id=site, reviewer="k", decision=Decision.MAYBE),
        ]
    )
    team = Team(challenge_id=mal, status=TeamStatus.FORMED)
    team.members = [
        TeamMember(company_id=site, position=0),
        TeamMember(company_id=third, position=1),
    ]
    session.add(team)
    session.flush()
    pairs = labels.labelled_pairs(session=session)
    found = {(x.challenge_id, x.company_id): (x.label, x.source) for x in pairs}
    assert found == {
        (sth, volt): (0, "review"),  # the coordinator overrides the company's own interest
        (sth, site): (1, "interest"),  # a declined invitation is no label
        (sth, third): (0, "no_interest"),  # on the shortlist, said nothing; its decline: nothing
        (sth, fourth): (0, "no_interest"),
        (mal, site): (1, "team"),  # "maybe" teaches nothing; the team does
        (mal, third): (1, "team"),
        (mal, fourth): (1, "invitation_accepted"),  # MAL-01 drew no interest: no silent ones
    }
    assert {x.weight for x in pairs} == {1.0}  # measured: equal weights beat weights by source


CHALLENGES = ("STH-01", "STH-02", "MAL-01", "OSL-01", "UPS-01", "GBG-01", "HEL-01", "LUN-01")


def engaged(session: Session, invert_even: bool = False) -> MatchEngine:
    """Interest from the three best-ranked companies of each challenge, silence from three at
    the bottom of its shortlist; with `invert_even`, the other way round on even ids."""
    people(session)
    engine = MatchEngine({"tfidf": create_embedder("tfidf"), "lexical": create_embedder("bm25")})
    indexing.rebuild(session=session, engine=engine)
    rows: list[object] = []
    for external_id in CHALLENGES:
        target = challenge(session, external_id).id
        ranking = engine.ranking_for_challenge(target, use_reranker=False)
        best = np.argsort(-ranking.fused, kind="stable")
        order = [ranking.documents[i].id for i in best]
        top, bottom = order[:3], order[-3:]
        if invert_even and target % 2 == 0:
            top, bottom = bottom, top
        rows += [
            ExpressionOfInterest(challenge_id=target, company_id=c, pitch="Vi passar.") for c in top
        ]
        run = MatchRun(
            direction=Direction.CHALLENGE_TO_COMPANIES,
            subject_id=target,
            model="m",
            data_version="1",
        )
        run.results = [
            MatchResult(rank=r, challenge_id=target, company_id=c, score=0.0)
            for r, c in enumerate(top + bottom, start=1)
        ]
        rows.append(run)
    session.add_all(rows)
    session.flush()
    return engine


def test_the_reranker_trains_on_every_source(session: Session) -> None:
    engine = engaged(session)
    data = learning.weighted_training_data(session=session, engine=engine)
    assert len(data.targets) == 48 and data.targets.sum() == 24
    report = learning.train(session=session, engine=engine, min_reviews=30)
    assert report.sources == {"interest": 24, "no_interest": 24}
    assert report.held_out_auc is not None and report.held_out_auc[0] > 0.9
    assert engine.reranker is not None and engine.reranker.version == report.version


def test_a_reranker_worse_than_the_fused_score_on_held_out_challenges_is_refused(
    session: Session,
) -> None:
    engine = engaged(session, invert_even=True)  # the training half teaches the opposite
    with pytest.raises(InvalidInput, match="not stored: on held-out challenges"):
        learning.train(session=session, engine=engine, min_reviews=30)
    assert engine.reranker is None
    assert session.scalar(select(func.count()).select_from(RerankerModel)) == 0
    report = learning.train(session=session, engine=engine, min_reviews=30, tolerance=1.0)
    assert report.held_out_auc is not None and report.held_out_auc[0] < report.held_out_auc[1]
