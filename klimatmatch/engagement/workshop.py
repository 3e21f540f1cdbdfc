"""Workshop invitations: from the shortlist (or the companies that came by themselves) a
coordinator invites company profiles to the challenge's workshop; each company accepts or
declines with a reason, and the city sees who is coming. The coordinators' note stays theirs.
"""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from klimatmatch.alerts import company_news
from klimatmatch.alerts import service as alerts
from klimatmatch.core import access
from klimatmatch.core.errors import Conflict, Forbidden, InvalidInput, NotFound
from klimatmatch.engagement import stages
from klimatmatch.engagement.schemas import AnswerCreate, InvitationCreate, InvitationPublic
from models import Challenge, CompanyProfile, User, crud
from models.engagement import WorkshopInvitation
from models.tables import ChallengeStage, utcnow

INVITING = (ChallengeStage.SHORTLISTING, ChallengeStage.WORKSHOP)


def invite(
    *, session: Session, user: User, challenge_id: int, data: InvitationCreate
) -> list[WorkshopInvitation]:
    challenge = organised_challenge(session=session, user=user, challenge_id=challenge_id)
    stages.require_stage(challenge, *INVITING, action="companies are invited")
    companies = existing_companies(session, data.company_ids)
    invited = set(
        session.scalars(
            select(WorkshopInvitation.company_id).where(
                WorkshopInvitation.challenge_id == challenge_id,
                WorkshopInvitation.company_id.in_(data.company_ids),
            )
        )
    )
    if invited:
        raise Conflict(f"company_ids: company {min(invited)} is already invited")
    rows = [
        WorkshopInvitation(
            challenge_id=challenge_id, company_id=c.id, note=data.note, invited_by_id=user.id
        )
        for c in companies
    ]
    session.add_all(rows)
    try:
        company_news.invited(session=session, invitations=rows)
        session.commit()
    except IntegrityError as error:  # another coordinator invited the same company meanwhile
        session.rollback()
        raise Conflict("company_ids: a company was invited meanwhile: reload and retry") from error
    return rows


def answer(
    *, session: Session, user: User, invitation_id: int, data: AnswerCreate
) -> WorkshopInvitation:
    """The invited company's answer; it may change its mind until the challenge closes."""
    row = session.get(WorkshopInvitation, invitation_id)
    challenge = crud.get_challenge(session=session, challenge_id=row.challenge_id) if row else None
    if row is None or challenge is None or not _may_see(user, challenge, row.company):
        raise NotFound(f"workshop invitation {invitation_id} does not exist")
    if not access.can_act_for_company(user, row.company):
        raise Forbidden(f"only company {row.company_id} answers its invitation")
    stages.require_stage(challenge, *INVITING, action="invitations are answered")
    row.answer, row.reason = data.answer, data.reason
    row.answered_by_id, row.answered_at = user.id, utcnow()
    alerts.invitation_answered(session=session, invitation=row)
    session.commit()
    return row


def for_challenge(*, session: Session, user: User, challenge_id: int) -> list[InvitationPublic]:
    rows = stages.challenge_rows(
        session=session, user=user, challenge_id=challenge_id, table=WorkshopInvitation
    )
    return publics(session, rows, user)


def publics(session: Session, rows: list[WorkshopInvitation], user: User) -> list[InvitationPublic]:
    """Invitations as answered, each saying whether anyone at the company can hear of it."""
    silent = {
        c.id
        for c in company_news.unreachable(session=session, company_ids=[r.company_id for r in rows])
    }
    return [invitation_public(row, user, row.company_id not in silent) for row in rows]


def for_company(*, session: Session, user: User, company_id: int) -> list[InvitationPublic]:
    """A company's own invitations, for it and the coordinators."""
    rows = stages.company_rows(
        session=session, user=user, company_id=company_id, table=WorkshopInvitation
    )
    return [invitation_public(row, user) for row in rows]


def invitation_public(
    row: WorkshopInvitation, user: User, reachable: bool = True
) -> InvitationPublic:
    return InvitationPublic(
        id=row.id,
        challenge_id=row.challenge_id,
        company_id=row.company_id,
        company=row.company.name,
        note=row.note if access.can_see_review_notes(user) else "",
        invited_by_id=row.invited_by_id,
        invited_at=row.invited_at,
        answer=row.answer,
        reason=row.reason,
        answered_by_id=row.answered_by_id,
        answered_at=row.answered_at,
        reachable=reachable,
    )


def organised_challenge(*, session: Session, user: User, challenge_id: int) -> Challenge:
    """The challenge for coordinators' workshop work: 404 for those who may not see its
    shortlist, 403 for its city (which sees, but does not organise)."""
    challenge = stages.engaged_challenge(session=session, user=user, challenge_id=challenge_id)
    if not access.can_organise_workshop(user):
        raise Forbidden("only coordinators invite companies and propose teams")
    return challenge


def existing_companies(session: Session, company_ids: list[int]) -> list[CompanyProfile]:
    companies = []
    for i, company_id in enumerate(company_ids):
        company = crud.get_company(session=session, company_id=company_id)
        if company is None:
            raise InvalidInput(f"company_ids.{i}: company {company_id} does not exist")
        companies.append(company)
    return companies


def _may_see(user: User, challenge: Challenge, company: CompanyProfile) -> bool:
    return access.can_see_engagement(user, challenge) or access.can_act_for_company(user, company)
