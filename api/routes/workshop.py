"""Workshop invitations and the teams coordinators propose; thin over the services."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Path, status

from api.deps import ChallengeId, CompanyId, CurrentUser, SessionDep
from api.errors import ERROR_RESPONSES, responses
from klimatmatch.catalogue.schemas import MAX_ID
from klimatmatch.engagement import teams, workshop
from klimatmatch.engagement.schemas import (
    AnswerCreate,
    InvitationCreate,
    InvitationPublic,
    InvitationsPublic,
    TeamCreate,
    TeamPublic,
    TeamsPublic,
)

router = APIRouter(tags=["workshop"], responses=ERROR_RESPONSES)

InvitationId = Annotated[int, Path(ge=1, le=MAX_ID, description="A workshop invitation's id")]
TeamId = Annotated[int, Path(ge=1, le=MAX_ID, description="A team's id")]


@router.post(
    "/challenges/{challenge_id}/invitations",
    status_code=status.HTTP_201_CREATED,
    responses=responses(409),
)
def invite(
    challenge_id: ChallengeId, data: InvitationCreate, session: SessionDep, user: CurrentUser
) -> InvitationsPublic:
    """Invite company profiles to the workshop (coordinators, while shortlisting or later).
    Each company's people hear of it in their inbox and by e-mail; a row with `reachable`
    false names a company nobody can hear at: invite someone of it to Klimatmatch first."""
    rows = workshop.invite(session=session, user=user, challenge_id=challenge_id, data=data)
    data_out = workshop.publics(session, rows, user)
    return InvitationsPublic(data=data_out, count=len(data_out))


@router.get("/challenges/{challenge_id}/invitations")
def challenge_invitations(
    challenge_id: ChallengeId, session: SessionDep, user: CurrentUser
) -> InvitationsPublic:
    """Who is invited and who is coming, for the city and the coordinators."""
    rows = workshop.for_challenge(session=session, user=user, challenge_id=challenge_id)
    return InvitationsPublic(data=rows, count=len(rows))


@router.get("/companies/{company_id}/invitations")
def company_invitations(
    company_id: CompanyId, session: SessionDep, user: CurrentUser
) -> InvitationsPublic:
    """A company's own workshop invitations, for it and the coordinators."""
    rows = workshop.for_company(session=session, user=user, company_id=company_id)
    return InvitationsPublic(data=rows, count=len(rows))


@router.post("/workshop-invitations/{invitation_id}/answer", responses=responses(409))
def answer_invitation(
    invitation_id: InvitationId, data: AnswerCreate, session: SessionDep, user: CurrentUser
) -> InvitationPublic:
    """Accept, or decline with a reason: the invited company only."""
    row = workshop.answer(session=session, user=user, invitation_id=invitation_id, data=data)
    return workshop.invitation_public(row, user)


@router.post(
    "/challenges/{challenge_id}/teams",
    status_code=status.HTTP_201_CREATED,
    responses=responses(409),
)
def propose_team(
    challenge_id: ChallengeId, data: TeamCreate, session: SessionDep, user: CurrentUser
) -> TeamPublic:
    """Propose a team of 2-4 companies, lead first (as /consortia lists one): coordinators.
    Each member's people hear of it; `reachable` false names a member nobody can hear at."""
    team = teams.propose(session=session, user=user, challenge_id=challenge_id, data=data)
    return teams.publics(session, [team], user)[0]


@router.get("/challenges/{challenge_id}/teams")
def challenge_teams(
    challenge_id: ChallengeId, session: SessionDep, user: CurrentUser
) -> TeamsPublic:
    """Coordinators see every team; the city sees the formed ones."""
    rows = teams.for_challenge(session=session, user=user, challenge_id=challenge_id)
    return TeamsPublic(data=rows, count=len(rows))


@router.get("/companies/{company_id}/teams")
def company_teams(company_id: CompanyId, session: SessionDep, user: CurrentUser) -> TeamsPublic:
    """The teams a company was proposed for, for it and the coordinators."""
    rows = teams.for_company(session=session, user=user, company_id=company_id)
    return TeamsPublic(data=rows, count=len(rows))


@router.post("/teams/{team_id}/members/{company_id}/answer", responses=responses(409))
def answer_team(
    team_id: TeamId,
    company_id: CompanyId,
    data: AnswerCreate,
    session: SessionDep,
    user: CurrentUser,
) -> TeamPublic:
    """A member confirms (accepted) or declines with a reason; formed when all confirmed."""
    team = teams.answer(
        session=session, user=user, team_id=team_id, company_id=company_id, data=data
    )
    return teams.team_public(team, user)
