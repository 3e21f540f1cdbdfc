"""A challenge's stages after it is written: open for interest, shortlisting, workshop, closed.

`status` still decides what is matched (published challenges are in the index); the stage says
where the city and the coordinators are with it. Each move is checked against `TRANSITIONS` and
recorded (who, when, from, to), in the same transaction as the move.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import TypeVar

from sqlalchemy import select
from sqlalchemy.orm import Session
from sqlalchemy.orm.exc import StaleDataError

from klimatmatch.alerts import company_news
from klimatmatch.catalogue import service as catalogue
from klimatmatch.catalogue.schemas import ChallengeUpdate
from klimatmatch.core import access
from klimatmatch.core.errors import (
    Conflict,
    Forbidden,
    InvalidInput,
    NotFound,
    PreconditionFailed,
)
from klimatmatch.engagement.schemas import StageMove, StagePublic
from klimatmatch.ocds import releases
from matcher import MatchEngine
from models import Challenge, ChallengeStatus, CompanyProfile, Role, User, crud
from models.engagement import ExpressionOfInterest, StageChange, WorkshopInvitation
from models.tables import ChallengeOutcome, ChallengeStage

Stage = ChallengeStage
TRANSITIONS: dict[ChallengeStage, frozenset[ChallengeStage]] = {
    Stage.DRAFT: frozenset({Stage.OPEN}),
    Stage.OPEN: frozenset({Stage.SHORTLISTING, Stage.CLOSED}),
    Stage.SHORTLISTING: frozenset({Stage.OPEN, Stage.WORKSHOP, Stage.CLOSED}),
    Stage.WORKSHOP: frozenset({Stage.WORKSHOP, Stage.CLOSED}),
    Stage.CLOSED: frozenset(),
}
"""Forward one step, back from shortlisting to open (too little interest), a workshop moved to
another date (workshop -> workshop), and closing early from any stage after the draft."""


def current_stage(challenge: Challenge) -> ChallengeStage:
    """A draft published by an edit is open for interest, as one published when posted is;
    an archived challenge has left the process, whatever stage it had reached."""
    if challenge.status == ChallengeStatus.ARCHIVED:
        return Stage.CLOSED
    stage = Stage(challenge.stage)
    if stage is Stage.DRAFT and challenge.status == ChallengeStatus.PUBLISHED:
        return Stage.OPEN
    return stage


def read_stage(*, session: Session, user: User, challenge_id: int) -> Challenge:
    """Whoever may read the challenge may read its stage and, once closed, its summary."""
    return catalogue.read_challenge(session=session, user=user, challenge_id=challenge_id)


def engaged_challenge(*, session: Session, user: User, challenge_id: int) -> Challenge:
    """The challenge, for those who see what happens beside its shortlist; 404 for others."""
    challenge = crud.get_challenge(session=session, challenge_id=challenge_id)
    if challenge is None or not access.can_see_engagement(user, challenge):
        raise NotFound(f"challenge {challenge_id} does not exist")
    return challenge


Engagement = TypeVar("Engagement", ExpressionOfInterest, WorkshopInvitation)


def challenge_rows(
    *, session: Session, user: User, challenge_id: int, table: type[Engagement]
) -> list[Engagement]:
    """Every row of `table` (interest, invitations) for the challenge, oldest first, for those
    who see its engagement."""
    engaged_challenge(session=session, user=user, challenge_id=challenge_id)
    query = select(table).where(table.challenge_id == challenge_id).order_by(table.id)
    return list(session.scalars(query))


_OWN_ROWS = {
    ExpressionOfInterest: "the interest of company {} is its own",
    WorkshopInvitation: "the invitations of company {} are its own",
}


def company_rows(
    *, session: Session, user: User, company_id: int, table: type[Engagement]
) -> list[Engagement]:
    """A company's own rows of `table`, oldest first, for it and the coordinators; anyone
    else who may read the company is told they are its own."""
    company = catalogue.read_company(session=session, user=user, company_id=company_id)
    if not access.can_see_opportunities(user, company):
        raise Forbidden(_OWN_ROWS[table].format(company_id))
    query = select(table).where(table.company_id == company_id).order_by(table.id)
    return list(session.scalars(query))


def move_stage(
    *,
    session: Session,
    engine: MatchEngine,
    user: User,
    challenge_id: int,
    data: StageMove,
    if_match: int | None = None,
) -> Challenge:
    challenge = read_stage(session=session, user=user, challenge_id=challenge_id)
    before = _check_move(user, challenge, data, if_match)
    publish = challenge.status == ChallengeStatus.DRAFT and data.stage is Stage.OPEN
    if publish and not access.can_edit_challenge(user, challenge):
        raise Forbidden("opening a draft for interest publishes it: only its city does that")
    _apply(challenge, data)
    change = StageChange(
        challenge_id=challenge.id,
        from_stage=before,
        to_stage=data.stage,
        changed_by_id=user.id,
        changed_by=user.name,
    )
    session.add(change)
    company_news.stage_moved(session=session, change=change)
    if publish:  # catalogue commits both and puts the challenge in the index
        return catalogue.update_challenge(
            session=session,
            engine=engine,
            user=user,
            challenge_id=challenge_id,
            data=ChallengeUpdate(status=ChallengeStatus.PUBLISHED),
        )
    releases.challenge_written(session=session, challenge=challenge)
    commit(session)
    return challenge


def _check_move(
    user: User, challenge: Challenge, data: StageMove, if_match: int | None
) -> ChallengeStage:
    """The stage the challenge is leaving, once the move is known to be allowed."""
    if not access.can_move_stage(user, challenge):
        raise Forbidden(f"the stage of challenge {challenge.id} is its city's and coordinators'")
    if challenge.status == ChallengeStatus.ARCHIVED:
        raise Conflict(f"challenge {challenge.id} is archived: its stage no longer moves")
    if if_match is not None and if_match != challenge.version:
        raise PreconditionFailed(
            f"the record is at version {challenge.version}, not {if_match}: "
            "reload it and apply your change again"
        )
    before = current_stage(challenge)
    if data.stage not in TRANSITIONS[before]:
        allowed = ", ".join(sorted(TRANSITIONS[before])) or "nothing (it is closed)"
        raise Conflict(
            f"stage: challenge {challenge.id} is {before.value} and can move to {allowed}, "
            f"not {data.stage.value}"
        )
    _check_pilot(challenge, data)
    return before


def _check_pilot(challenge: Challenge, data: StageMove) -> None:
    """A pilot is what a workshop leads to: a challenge whose workshop has not begun yet
    cannot close with one (closing early with another outcome stays possible)."""
    when = challenge.workshop_at
    if data.stage is not Stage.CLOSED or data.outcome is not ChallengeOutcome.PILOT or not when:
        return
    if when.tzinfo is None:  # SQLite keeps no zone: the time was stored in UTC
        when = when.replace(tzinfo=UTC)
    if datetime.now(UTC) < when:
        raise InvalidInput(
            f"outcome: a pilot comes after the workshop, which is on {when:%Y-%m-%d}; "
            "close after it, or with another outcome"
        )


def _apply(challenge: Challenge, data: StageMove) -> None:
    challenge.stage = data.stage
    if data.stage is Stage.WORKSHOP:
        challenge.workshop_at = data.workshop_at
        challenge.workshop_place = data.workshop_place or ""
    if data.stage is Stage.CLOSED:
        challenge.outcome = data.outcome
        challenge.summary = data.summary or ""


def history(*, session: Session, user: User, challenge_id: int) -> list[StageChange]:
    """Every move, oldest first: for the city and the coordinators."""
    engaged_challenge(session=session, user=user, challenge_id=challenge_id)
    query = select(StageChange).where(StageChange.challenge_id == challenge_id)
    return list(session.scalars(query.order_by(StageChange.id)))


def stage_public(
    challenge: Challenge, *, session: Session | None = None, user: User | None = None
) -> StagePublic:
    """The workshop's place (often a meeting link) is for the city, the coordinators and the
    invited companies; others see the date only. Without a user, everything is shown."""
    place = challenge.workshop_place
    if user is not None and session is not None and not _invited(session, user, challenge):
        place = ""
    return StagePublic(
        challenge_id=challenge.id,
        stage=current_stage(challenge),
        workshop_at=challenge.workshop_at,
        workshop_place=place,
        outcome=challenge.outcome,
        summary=challenge.summary,
        version=challenge.version,
    )


def _invited(session: Session, user: User, challenge: Challenge) -> bool:
    if access.can_see_engagement(user, challenge) or user.role is Role.ADMIN:
        return True
    query = (
        select(WorkshopInvitation.id)
        .join(CompanyProfile, CompanyProfile.id == WorkshopInvitation.company_id)
        .where(
            WorkshopInvitation.challenge_id == challenge.id,
            CompanyProfile.organisation_id == user.organisation_id,
        )
    )
    return user.organisation_id is not None and session.scalar(query.limit(1)) is not None


def require_stage(challenge: Challenge, *stages: ChallengeStage, action: str) -> None:
    """409 naming the stage when an action comes at the wrong point of the process."""
    stage = current_stage(challenge)
    if stage not in stages:
        wanted = " or ".join(s.value for s in stages)
        raise Conflict(
            f"stage: challenge {challenge.id} is {stage.value}; {action} only while it is {wanted}"
        )


def commit(session: Session) -> None:
    """A concurrent edit that committed first wins; this one is told, nothing is overwritten."""
    try:
        session.commit()
    except StaleDataError as error:
        session.rollback()
        raise Conflict(
            "the challenge was changed by someone else meanwhile: reload and retry"
        ) from error
