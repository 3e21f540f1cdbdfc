"""Coordinators' decisions on shortlist entries. Append-only: the history is the table."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from klimatmatch.core import access
from klimatmatch.core.errors import Forbidden, InvalidInput, NotFound
from klimatmatch.matching.schemas import ReviewCreate, ReviewPublic
from models import MatchResult, Review, User, crud


def record_review(*, session: Session, user: User, data: ReviewCreate) -> Review:
    if not access.can_review(user):
        raise Forbidden("only coordinators review shortlists")
    if crud.get_challenge(session=session, challenge_id=data.challenge_id) is None:
        raise NotFound(f"challenge {data.challenge_id} does not exist")
    if crud.get_company(session=session, company_id=data.company_id) is None:
        raise NotFound(f"company {data.company_id} does not exist")
    if data.match_result_id is not None:
        result = session.get(MatchResult, data.match_result_id)
        if result is None or (result.challenge_id, result.company_id) != (
            data.challenge_id,
            data.company_id,
        ):
            raise InvalidInput(
                f"match_result_id {data.match_result_id} is not a result for this pair"
            )
    review = Review(**data.model_dump(), reviewer=user.name, reviewer_id=user.id)
    session.add(review)
    session.commit()
    return review


def history(*, session: Session, user: User, challenge_id: int) -> list[Review]:
    """Every decision on a challenge's shortlist, oldest first."""
    challenge = crud.get_challenge(session=session, challenge_id=challenge_id)
    if challenge is None or not access.can_see_shortlist(user, challenge):
        raise NotFound(f"challenge {challenge_id} does not exist")
    return list(
        session.scalars(
            select(Review).where(Review.challenge_id == challenge_id).order_by(Review.id)
        )
    )


def latest_decisions(
    *, session: Session, challenge_ids: list[int]
) -> dict[tuple[int, int], Review]:
    """The current decision per (challenge, company): the newest review row wins."""
    rows = session.scalars(
        select(Review).where(Review.challenge_id.in_(challenge_ids)).order_by(Review.id)
    )
    return {(review.challenge_id, review.company_id): review for review in rows}


def review_public(review: Review, user: User) -> ReviewPublic:
    notes = access.can_see_review_notes(user)
    return ReviewPublic(
        id=review.id,
        challenge_id=review.challenge_id,
        company_id=review.company_id,
        match_result_id=review.match_result_id,
        reviewer=review.reviewer if notes else "",
        decision=review.decision,
        reason=review.reason if notes else "",
        note=review.note if notes else "",
        created_at=review.created_at,
    )
