"""Teams confirmed by their members: a coordinator proposes a team for a challenge (often one
of those /consortia suggests, lead first); each member company confirms or declines. The team
is formed once every member has confirmed and declined as soon as one declines; the city sees
the formed ones, the members see their own, the coordinators see all (and their notes).
"""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from klimatmatch.alerts import company_news
from klimatmatch.catalogue import service as catalogue
from klimatmatch.core import access
from klimatmatch.core.errors import Conflict, Forbidden, NotFound
from klimatmatch.engagement import stages, workshop
from klimatmatch.engagement.schemas import AnswerCreate, TeamCreate, TeamMemberPublic, TeamPublic
from models import Challenge, User, crud
from models.engagement import Answer, Team, TeamMember, TeamStatus
from models.tables import utcnow


def propose(*, session: Session, user: User, challenge_id: int, data: TeamCreate) -> Team:
    challenge = workshop.organised_challenge(session=session, user=user, challenge_id=challenge_id)
    stages.require_stage(challenge, *workshop.INVITING, action="teams are proposed")
    companies = workshop.existing_companies(session, data.company_ids)
    wanted = set(data.company_ids)
    for team in _teams(session, challenge_id):
        if team.status != TeamStatus.DECLINED and {m.company_id for m in team.members} == wanted:
            raise Conflict(f"company_ids: team {team.id} already has these members")
    team = Team(challenge_id=challenge_id, note=data.note, proposed_by_id=user.id)
    team.members = [
        TeamMember(company_id=company.id, position=position)
        for position, company in enumerate(companies)
    ]
    session.add(team)
    company_news.team_proposed(session=session, team=team)
    session.commit()
    return team


def answer(
    *, session: Session, user: User, team_id: int, company_id: int, data: AnswerCreate
) -> Team:
    team = session.get(Team, team_id)
    challenge = (
        crud.get_challenge(session=session, challenge_id=team.challenge_id) if team else None
    )
    if team is None or challenge is None or not _may_see(user, challenge, team):
        raise NotFound(f"team {team_id} does not exist")
    member = next((m for m in team.members if m.company_id == company_id), None)
    if member is None:
        raise NotFound(f"company {company_id} is not in team {team_id}")
    if not access.can_act_for_company(user, member.company):
        raise Forbidden(f"only company {company_id} answers for itself")
    if team.status != TeamStatus.PROPOSED:
        raise Conflict(f"team {team_id} is already {TeamStatus(team.status).value}")
    stages.require_stage(challenge, *workshop.INVITING, action="teams are confirmed")
    member.answer, member.reason = data.answer, data.reason
    member.answered_by_id, member.answered_at = user.id, utcnow()
    _settle(team)
    session.commit()
    return team


def for_challenge(*, session: Session, user: User, challenge_id: int) -> list[TeamPublic]:
    """Coordinators see every team; the city sees the formed ones."""
    stages.engaged_challenge(session=session, user=user, challenge_id=challenge_id)
    teams = _teams(session, challenge_id)
    if not access.is_staff(user):
        teams = [team for team in teams if team.status == TeamStatus.FORMED]
    return publics(session, teams, user)


def publics(session: Session, teams: list[Team], user: User) -> list[TeamPublic]:
    """Teams as answered, each member saying whether anyone at it can hear of the proposal."""
    members = [m.company_id for team in teams for m in team.members]
    silent = {c.id for c in company_news.unreachable(session=session, company_ids=members)}
    return [team_public(team, user, silent) for team in teams]


def for_company(*, session: Session, user: User, company_id: int) -> list[TeamPublic]:
    """The teams a company was proposed for, for it and the coordinators."""
    company = catalogue.read_company(session=session, user=user, company_id=company_id)
    if not access.can_see_opportunities(user, company):
        raise Forbidden(f"the teams of company {company_id} are its own")
    query = (
        select(Team)
        .join(TeamMember, TeamMember.team_id == Team.id)
        .where(TeamMember.company_id == company_id)
        .order_by(Team.id)
    )
    return [team_public(team, user) for team in session.scalars(query)]


def team_public(team: Team, user: User, silent: set[int] | None = None) -> TeamPublic:
    return TeamPublic(
        id=team.id,
        challenge_id=team.challenge_id,
        status=team.status,
        note=team.note if access.can_see_review_notes(user) else "",
        proposed_by_id=team.proposed_by_id,
        proposed_at=team.proposed_at,
        settled_at=team.settled_at,
        members=[
            TeamMemberPublic(
                company_id=m.company_id,
                company=m.company.name,
                lead=m.position == 0,
                answer=m.answer,
                reason=m.reason,
                answered_by_id=m.answered_by_id,
                answered_at=m.answered_at,
                reachable=m.company_id not in (silent or set()),
            )
            for m in team.members
        ],
    )


def _settle(team: Team) -> None:
    answers = {m.answer for m in team.members}
    if Answer.DECLINED in answers:
        team.status, team.settled_at = TeamStatus.DECLINED, utcnow()
    elif answers == {Answer.ACCEPTED}:
        team.status, team.settled_at = TeamStatus.FORMED, utcnow()


def _teams(session: Session, challenge_id: int) -> list[Team]:
    query = select(Team).where(Team.challenge_id == challenge_id).order_by(Team.id)
    return list(session.scalars(query))


def _may_see(user: User, challenge: Challenge, team: Team) -> bool:
    """Coordinators, the city once the team is formed, and the members' own people."""
    if access.is_staff(user):
        return True
    if access.owns_challenge(user, challenge) and team.status == TeamStatus.FORMED:
        return True
    return any(access.can_act_for_company(user, m.company) for m in team.members)
