from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from pydantic import ValidationError
from sqlalchemy.orm import Session

from klimatmatch.core.errors import (
    Conflict,
    Forbidden,
    InvalidInput,
    NotFound,
    PreconditionFailed,
)
from klimatmatch.engagement import stages
from klimatmatch.engagement.schemas import StageMove
from klimatmatch.index import indexing
from matcher import Embedder, MatchEngine
from models import ChallengeStatus
from models.tables import ChallengeOutcome, ChallengeStage
from tests.klimatmatch.engagement_world import challenge, people

HELD = datetime(2026, 3, 1, 9, tzinfo=UTC)
"""A workshop already held: the challenge may close with a pilot after it."""
WORKSHOP = StageMove(
    stage=ChallengeStage.WORKSHOP, workshop_at=HELD, workshop_place="Stadshuset, Stockholm"
)
CLOSE = StageMove(
    stage=ChallengeStage.CLOSED,
    outcome=ChallengeOutcome.PILOT,
    summary="Two teams pitched; the city pilots electric excavators at Slakthusområdet.",
)


def engine_for(session: Session, embedder: Embedder) -> MatchEngine:
    engine = MatchEngine(embedder)
    indexing.rebuild(session=session, engine=engine)
    return engine


def test_imported_challenges_start_where_their_status_puts_them(session: Session) -> None:
    people(session)
    assert challenge(session, "STH-01").stage is ChallengeStage.OPEN
    draft = challenge(session, "STH-05")
    assert draft.status is ChallengeStatus.DRAFT and draft.stage is ChallengeStage.DRAFT


def test_a_challenge_moves_through_every_stage_and_each_move_is_recorded(
    session: Session, tfidf: Embedder
) -> None:
    who = people(session)
    engine = engine_for(session, tfidf)
    target = challenge(session)
    for user, move in [
        (who.stockholm, StageMove(stage=ChallengeStage.SHORTLISTING)),
        (who.coordinator, WORKSHOP),
        (who.stockholm, CLOSE),
    ]:
        stages.move_stage(
            session=session, engine=engine, user=user, challenge_id=target.id, data=move
        )
    session.expire_all()
    moved = challenge(session)
    assert moved.stage is ChallengeStage.CLOSED and moved.outcome is ChallengeOutcome.PILOT
    assert moved.workshop_place == "Stadshuset, Stockholm"
    assert moved.workshop_at == HELD or moved.workshop_at.replace(tzinfo=UTC) == HELD
    assert moved.summary.startswith("Two teams pitched")
    log = stages.history(session=session, user=who.coordinator, challenge_id=target.id)
    assert [(c.from_stage, c.to_stage, c.changed_by) for c in log] == [
        (ChallengeStage.OPEN, ChallengeStage.SHORTLISTING, "stockholm"),
        (ChallengeStage.SHORTLISTING, ChallengeStage.WORKSHOP, "coordinator"),
        (ChallengeStage.WORKSHOP, ChallengeStage.CLOSED, "stockholm"),
    ]
    assert [c.changed_by_id for c in log] == [
        who.stockholm.id,
        who.coordinator.id,
        who.stockholm.id,
    ]
    assert all(c.changed_at is not None for c in log)


def test_a_skipped_or_backward_step_is_refused_and_names_the_stage(
    session: Session, tfidf: Embedder
) -> None:
    who = people(session)
    engine = engine_for(session, tfidf)
    target = challenge(session)
    with pytest.raises(
        Conflict,
        match="stage: challenge .* is open and can move to closed, shortlisting, not workshop",
    ):
        stages.move_stage(
            session=session,
            engine=engine,
            user=who.stockholm,
            challenge_id=target.id,
            data=WORKSHOP,
        )
    stages.move_stage(
        session=session, engine=engine, user=who.stockholm, challenge_id=target.id, data=CLOSE
    )
    with pytest.raises(Conflict, match="can move to nothing"):
        stages.move_stage(
            session=session,
            engine=engine,
            user=who.stockholm,
            challenge_id=target.id,
            data=StageMove(stage=ChallengeStage.OPEN),
        )
    assert len(stages.history(session=session, user=who.stockholm, challenge_id=target.id)) == 1


def test_a_pilot_cannot_come_before_its_workshop(session: Session, tfidf: Embedder) -> None:
    """Closing with a pilot while the workshop is still ahead is refused, naming the outcome;
    closing early with another outcome is not."""
    who = people(session)
    engine = engine_for(session, tfidf)
    target = challenge(session)
    ahead = WORKSHOP.model_copy(update={"workshop_at": datetime.now(UTC) + timedelta(days=30)})
    for move in (StageMove(stage=ChallengeStage.SHORTLISTING), ahead):
        stages.move_stage(
            session=session, engine=engine, user=who.coordinator, challenge_id=target.id, data=move
        )
    with pytest.raises(InvalidInput, match="^outcome: a pilot comes after the workshop"):
        stages.move_stage(
            session=session, engine=engine, user=who.stockholm, challenge_id=target.id, data=CLOSE
        )
    assert challenge(session).stage is ChallengeStage.WORKSHOP
    none = CLOSE.model_copy(update={"outcome": ChallengeOutcome.NONE})
    stages.move_stage(
        session=session, engine=engine, user=who.stockholm, challenge_id=target.id, data=none
    )
    assert challenge(session).outcome is ChallengeOutcome.NONE


def test_opening_a_draft_publishes_it_and_puts_it_in_the_index(
    session: Session, tfidf: Embedder
) -> None:
    who = people(session)
    engine = engine_for(session, tfidf)
    draft = challenge(session, "STH-05")
    assert engine.challenges.document(draft.id).fields["status"] == "draft"
    open_ = StageMove(stage=ChallengeStage.OPEN)
    with pytest.raises(Forbidden, match="only its city"):
        stages.move_stage(
            session=session, engine=engine, user=who.coordinator, challenge_id=draft.id, data=open_
        )
    moved = stages.move_stage(
        session=session, engine=engine, user=who.stockholm, challenge_id=draft.id, data=open_
    )
    assert moved.status is ChallengeStatus.PUBLISHED and moved.stage is ChallengeStage.OPEN
    assert engine.challenges.document(draft.id).fields["status"] == "published"


def test_other_cities_and_companies_are_refused_as_the_access_rules_say(
    session: Session, tfidf: Embedder
) -> None:
    who = people(session)
    engine = engine_for(session, tfidf)
    published, draft = challenge(session), challenge(session, "STH-05")
    move = StageMove(stage=ChallengeStage.SHORTLISTING)
    for user in (who.malmo, who.voltgrav):
        with pytest.raises(Forbidden):
            stages.move_stage(
                session=session, engine=engine, user=user, challenge_id=published.id, data=move
            )
        with pytest.raises(NotFound):
            stages.move_stage(
                session=session, engine=engine, user=user, challenge_id=draft.id, data=move
            )
        with pytest.raises(NotFound):
            stages.history(session=session, user=user, challenge_id=published.id)
    assert challenge(session).stage is ChallengeStage.OPEN


def test_a_stale_version_or_an_archived_challenge_is_refused(
    session: Session, tfidf: Embedder
) -> None:
    who = people(session)
    engine = engine_for(session, tfidf)
    target = challenge(session)
    move = StageMove(stage=ChallengeStage.SHORTLISTING)
    with pytest.raises(PreconditionFailed):
        stages.move_stage(
            session=session,
            engine=engine,
            user=who.stockholm,
            challenge_id=target.id,
            data=move,
            if_match=target.version + 1,
        )
    target.status = ChallengeStatus.ARCHIVED
    session.flush()
    assert stages.stage_public(target).stage is ChallengeStage.CLOSED
    with pytest.raises(Conflict, match="archived"):
        stages.move_stage(
            session=session, engine=engine, user=who.stockholm, challenge_id=target.id, data=move
        )


@pytest.mark.parametrize(
    ("body", "message"),
    [
        ({"stage": "workshop", "workshop_place": "Stadshuset"}, "workshop_at is required"),
        (
            {"stage": "workshop", "workshop_at": "2027-03-01T09:00:00", "workshop_place": "Here"},
            "workshop_at needs a time zone",
        ),
        ({"stage": "closed", "summary": "Nothing came of it in the end."}, "outcome is required"),
        ({"stage": "closed", "outcome": "maybe", "summary": "xxxxxxxxxxxx"}, "outcome"),
        ({"stage": "shortlisting", "outcome": "pilot"}, "outcome is only given"),
        ({"stage": "later"}, "stage"),
    ],
)
def test_a_move_missing_what_its_stage_needs_is_invalid(body: dict, message: str) -> None:
    with pytest.raises(ValidationError, match=message):
        StageMove.model_validate(body)
