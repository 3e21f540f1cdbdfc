"""Coordinators' reviews of shortlists, their history, and the export of a reviewed shortlist."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query, Response, status

from api.deps import ChallengeId, CurrentUser, EngineDep, SessionDep, SettingsDep
from api.errors import ERROR_RESPONSES
from api.presenters import shortlist_file
from klimatmatch.catalogue.schemas import MAX_ID
from klimatmatch.matching import export, reviews
from klimatmatch.matching.schemas import ReviewCreate, ReviewPublic

router = APIRouter(tags=["reviews"], responses=ERROR_RESPONSES)


@router.post("/reviews", status_code=status.HTTP_201_CREATED)
def create_review(data: ReviewCreate, session: SessionDep, user: CurrentUser) -> ReviewPublic:
    """Accept, reject or mark maybe; a new decision never erases the old ones."""
    review = reviews.record_review(session=session, user=user, data=data)
    return reviews.review_public(review, user)


@router.get("/challenges/{challenge_id}/reviews")
def review_history(
    challenge_id: ChallengeId, session: SessionDep, user: CurrentUser
) -> list[ReviewPublic]:
    """Who decided what, and when. Cities see the decisions, not the coordinators' notes."""
    rows = reviews.history(session=session, user=user, challenge_id=challenge_id)
    return [reviews.review_public(review, user) for review in rows]


@router.get(
    "/challenges/{challenge_id}/shortlist/export",
    response_class=Response,
    responses={
        200: {
            "content": {media: {} for media in export.MEDIA_TYPES.values()},
            "description": "The shortlist as a file",
        }
    },
)
def export_shortlist(
    challenge_id: ChallengeId,
    session: SessionDep,
    engine: EngineDep,
    settings: SettingsDep,
    user: CurrentUser,
    format: export.ExportFormat = export.ExportFormat.CSV,
    run_id: Annotated[
        int | None,
        Query(ge=1, le=MAX_ID, description="A stored run; default: the current shortlist"),
    ] = None,
) -> Response:
    """A stored run, or the current shortlist (top `default_k`, stored as a run by the export),
    with current decisions, as CSV or XLSX."""
    current = (engine, settings.default_k)
    return shortlist_file(session, user, challenge_id, format, run_id, current)
