"""What companies hear of, beside new matches: their registration approved, an invitation to
a workshop, a team they are proposed for, and each move of a challenge they take part in
(invited, interested or in a team). Hooks called inside the caller's transaction, like
`service`'s; each item is unique per (person, kind, key), so a retried request tells nobody
twice.

A company without active people cannot hear anything: `unreachable` names those, so the
coordinator who invites them is told whom to bring in first."""

from __future__ import annotations

from collections.abc import Iterable

from sqlalchemy import select
from sqlalchemy.orm import Session

from klimatmatch.alerts.service import Item, notify, people
from models import Challenge, CompanyProfile, Role, User
from models.alerts import NotificationKind
from models.engagement import (
    ExpressionOfInterest,
    InterestStatus,
    StageChange,
    Team,
    TeamMember,
    WorkshopInvitation,
)


def invited(*, session: Session, invitations: Iterable[WorkshopInvitation]) -> None:
    """Each invited company's people hear of the invitation (answered on the challenge's page)."""
    session.flush()
    for invitation in invitations:
        challenge = session.get(Challenge, invitation.challenge_id)
        company = session.get(CompanyProfile, invitation.company_id)
        if challenge is None or company is None:
            continue
        _tell(session, company, challenge, NotificationKind.INVITATION, str(invitation.id))


def team_proposed(*, session: Session, team: Team) -> None:
    """Each member's people hear of the team, with the other members' names."""
    session.flush()
    challenge = session.get(Challenge, team.challenge_id)
    members = [session.get(CompanyProfile, m.company_id) for m in team.members]
    if challenge is None:
        return
    for company in members:
        if company is None:
            continue
        others = ", ".join(c.name for c in members if c is not None and c.id != company.id)
        _tell(session, company, challenge, NotificationKind.TEAM, f"{team.id}:{company.id}", others)


def stage_moved(*, session: Session, change: StageChange) -> None:
    """The companies taking part hear that the challenge moved (the body is the new stage)."""
    session.flush()
    challenge = session.get(Challenge, change.challenge_id)
    if challenge is None:
        return
    for company in _taking_part(session, challenge.id):
        key = f"{change.id}:{company.id}"
        _tell(session, company, challenge, NotificationKind.STAGE, key, change.to_stage.value)


def approved(*, session: Session, organisation_id: int, name: str) -> None:
    """The company's people find the approval in their inbox (the decision e-mail is its own)."""
    users = people(session, organisation_id, Role.COMPANY)
    item = Item(NotificationKind.APPROVAL, str(organisation_id), name, mailed_apart=True)
    notify(session=session, users=users, item=item)


def unreachable(*, session: Session, company_ids: Iterable[int]) -> list[CompanyProfile]:
    """The companies among `company_ids` that have no active person to tell."""
    wanted = list(company_ids)
    if not wanted:
        return []
    companies = session.scalars(
        select(CompanyProfile).where(CompanyProfile.id.in_(wanted)).order_by(CompanyProfile.id)
    )
    return [c for c in companies if not _speakers(session, c)]


def _tell(
    session: Session,
    company: CompanyProfile,
    challenge: Challenge,
    kind: NotificationKind,
    key: str,
    body: str | None = None,
) -> None:
    """An item for each of the company's people; the body is the company's name by default."""
    item = Item(
        kind,
        key,
        challenge.title,
        company.name if body is None else body,
        challenge_id=challenge.id,
        company_id=company.id,
    )
    notify(session=session, users=_speakers(session, company), item=item)


def _speakers(session: Session, company: CompanyProfile) -> list[User]:
    return people(session, company.organisation_id, Role.COMPANY)


def _taking_part(session: Session, challenge_id: int) -> list[CompanyProfile]:
    ids = set(
        session.scalars(
            select(WorkshopInvitation.company_id).where(
                WorkshopInvitation.challenge_id == challenge_id
            )
        )
    )
    ids |= set(
        session.scalars(
            select(ExpressionOfInterest.company_id).where(
                ExpressionOfInterest.challenge_id == challenge_id,
                ExpressionOfInterest.status == InterestStatus.ACTIVE,
            )
        )
    )
    ids |= set(
        session.scalars(
            select(TeamMember.company_id)
            .join(Team, Team.id == TeamMember.team_id)
            .where(Team.challenge_id == challenge_id)
        )
    )
    if not ids:
        return []
    return list(
        session.scalars(
            select(CompanyProfile).where(CompanyProfile.id.in_(ids)).order_by(CompanyProfile.id)
        )
    )
