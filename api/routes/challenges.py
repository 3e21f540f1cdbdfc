"""Challenges: cities post and edit their own; everyone signed in reads the published ones."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query, Response, status

from api.deps import (
    ChallengeId,
    CurrentUser,
    EngineDep,
    Limit,
    Offset,
    SessionDep,
    VersionedWrite,
    with_etag,
)
from api.errors import ERROR_RESPONSES, responses
from api.presenters import challenge_public
from klimatmatch.catalogue import service as catalogue
from klimatmatch.catalogue.schemas import (
    ChallengeCreate,
    ChallengePublic,
    ChallengesPublic,
    ChallengeUpdate,
)

router = APIRouter(prefix="/challenges", tags=["challenges"], responses=ERROR_RESPONSES)


@router.get("")
def list_challenges(
    session: SessionDep,
    user: CurrentUser,
    limit: Limit = 50,
    offset: Offset = 0,
    city: Annotated[str | None, Query(max_length=200)] = None,
    theme: Annotated[str | None, Query(max_length=100)] = None,
    language: Annotated[str | None, Query(max_length=8)] = None,
    status_: Annotated[catalogue.ChallengeStatus | None, Query(alias="status")] = None,
) -> ChallengesPublic:
    """Published challenges, plus the caller's own drafts (coordinators see all)."""
    rows, count = catalogue.list_challenges(
        session=session,
        user=user,
        page=catalogue.Page(limit, offset),
        city=city,
        theme=theme,
        language=language,
        status=status_,
    )
    return ChallengesPublic(data=[challenge_public(c) for c in rows], count=count)


@router.post("", status_code=status.HTTP_201_CREATED, responses=responses(409))
def create_challenge(
    data: ChallengeCreate,
    session: SessionDep,
    engine: EngineDep,
    user: CurrentUser,
    response: Response,
) -> ChallengePublic:
    """Post a challenge for the caller's city; it is matchable at once."""
    challenge = catalogue.create_challenge(session=session, engine=engine, user=user, data=data)
    return with_etag(response, challenge.version, challenge_public(challenge))


@router.get("/{challenge_id}")
def get_challenge(
    challenge_id: ChallengeId, session: SessionDep, user: CurrentUser, response: Response
) -> ChallengePublic:
    challenge = catalogue.read_challenge(session=session, user=user, challenge_id=challenge_id)
    return with_etag(response, challenge.version, challenge_public(challenge))


@router.patch("/{challenge_id}", responses=responses(409, 412))
def update_challenge(
    challenge_id: ChallengeId, data: ChallengeUpdate, write: VersionedWrite
) -> ChallengePublic:
    """Change some fields; send If-Match with the ETag you read to avoid lost updates."""
    challenge = write.apply(catalogue.update_challenge, challenge_id=challenge_id, data=data)
    return write.tagged(challenge.version, challenge_public(challenge))


@router.post("/{challenge_id}/archive", responses=responses(409, 412))
def archive_challenge(challenge_id: ChallengeId, write: VersionedWrite) -> ChallengePublic:
    """Close a challenge: it leaves every shortlist but its history stays."""
    challenge = write.apply(catalogue.archive_challenge, challenge_id=challenge_id)
    return write.tagged(challenge.version, challenge_public(challenge))
