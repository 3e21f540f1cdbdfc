"""A challenge's stage and companies' expressions of interest; thin over the services."""

from __future__ import annotations

from fastapi import APIRouter, Response, status

from api.deps import (
    ChallengeId,
    CompanyId,
    CurrentUser,
    SessionDep,
    StateDep,
    VersionedWrite,
    with_etag,
)
from api.errors import ERROR_RESPONSES, responses
from klimatmatch.engagement import interest, stages
from klimatmatch.engagement.schemas import (
    InterestCreate,
    InterestPublic,
    InterestsPublic,
    StageChangePublic,
    StageMove,
    StagePublic,
)
from klimatmatch.matching import current

router = APIRouter(tags=["engagement"], responses=ERROR_RESPONSES)


@router.get("/challenges/{challenge_id}/stage")
def get_stage(
    challenge_id: ChallengeId, session: SessionDep, user: CurrentUser, response: Response
) -> StagePublic:
    """Where the challenge is (open for interest, shortlisting, workshop, closed), the
    workshop's date (and place, for the city, coordinators and invited companies), and, once
    closed, the outcome and its public summary."""
    challenge = stages.read_stage(session=session, user=user, challenge_id=challenge_id)
    return with_etag(
        response, challenge.version, stages.stage_public(challenge, session=session, user=user)
    )


@router.post("/challenges/{challenge_id}/stage", responses=responses(409, 412))
def move_stage(challenge_id: ChallengeId, data: StageMove, write: VersionedWrite) -> StagePublic:
    """Move the challenge on, for its city and the coordinators; opening a draft publishes it."""
    challenge = write.apply(stages.move_stage, challenge_id=challenge_id, data=data)
    return write.tagged(challenge.version, stages.stage_public(challenge))


@router.get("/challenges/{challenge_id}/stage/history")
def stage_history(
    challenge_id: ChallengeId, session: SessionDep, user: CurrentUser
) -> list[StageChangePublic]:
    """Every move: who, when, from, to. For the city and the coordinators."""
    rows = stages.history(session=session, user=user, challenge_id=challenge_id)
    return [StageChangePublic.model_validate(row) for row in rows]


@router.put("/challenges/{challenge_id}/interest/{company_id}", responses=responses(409))
def express_interest(
    challenge_id: ChallengeId,
    company_id: CompanyId,
    data: InterestCreate,
    session: SessionDep,
    user: CurrentUser,
    response: Response,
) -> InterestPublic:
    """The company's interest in an open challenge (201 when new, 200 when replaced)."""
    row, created = interest.express(
        session=session, user=user, challenge_id=challenge_id, company_id=company_id, data=data
    )
    response.status_code = status.HTTP_201_CREATED if created else status.HTTP_200_OK
    return interest.interest_public(row)


@router.delete("/challenges/{challenge_id}/interest/{company_id}", responses=responses(409))
def withdraw_interest(
    challenge_id: ChallengeId, company_id: CompanyId, session: SessionDep, user: CurrentUser
) -> InterestPublic:
    """Withdraw; the record stays, marked withdrawn, and may be expressed again."""
    row = interest.withdraw(
        session=session, user=user, challenge_id=challenge_id, company_id=company_id
    )
    return interest.interest_public(row)


@router.get("/challenges/{challenge_id}/interest")
def challenge_interest(
    challenge_id: ChallengeId, session: SessionDep, user: CurrentUser, state: StateDep
) -> InterestsPublic:
    """Every company's interest, each marked with its rank on the current shortlist (the top
    `default_k`) or as come by itself. For the city and the coordinators."""
    rows = interest.for_challenge(
        session=session,
        user=user,
        challenge_id=challenge_id,
        ranking=lambda: current.ranks(
            session=session,
            engine=state.engine,
            challenge_id=challenge_id,
            k=state.settings.default_k,
            cache=state.top_k,
        ),
    )
    return InterestsPublic(data=rows, count=len(rows))


@router.get("/companies/{company_id}/interest")
def company_interest(
    company_id: CompanyId, session: SessionDep, user: CurrentUser
) -> InterestsPublic:
    """A company's own expressions of interest, for it and the coordinators."""
    rows = interest.for_company(session=session, user=user, company_id=company_id)
    return InterestsPublic(data=rows, count=len(rows))
