"""Expressions of interest: a company says it wants to answer an open challenge, with a short
pitch and the partners it would bring; it may withdraw. The city and the coordinators see
them beside the shortlist, so companies that came by themselves are not missed.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from datetime import date

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from klimatmatch.alerts import service as alerts
from klimatmatch.catalogue import service as catalogue
from klimatmatch.core import access
from klimatmatch.core.errors import Conflict, Forbidden, InvalidInput, NotFound
from klimatmatch.engagement import stages
from klimatmatch.engagement.schemas import InterestCreate, InterestPublic, Partner
from models import Challenge, CompanyProfile, User, crud
from models.engagement import ExpressionOfInterest, InterestStatus
from models.tables import ChallengeStage, utcnow


def express(
    *, session: Session, user: User, challenge_id: int, company_id: int, data: InterestCreate
) -> tuple[ExpressionOfInterest, bool]:
    """Create or replace the company's interest (expressing again after withdrawing reopens
    it); returns the row and whether it is new."""
    challenge = catalogue.read_challenge(session=session, user=user, challenge_id=challenge_id)
    company = _own_company(session, user, company_id)
    stages.require_stage(challenge, ChallengeStage.OPEN, action="interest is taken")
    _before_deadline(challenge)
    partners = _partners(session, user, company_id, data.partners)
    row = _find(session, challenge_id, company_id)
    created = row is None
    if row is None:
        row = ExpressionOfInterest(
            challenge_id=challenge_id, company_id=company.id, created_by_id=user.id
        )
        session.add(row)
    row.pitch, row.partners = data.pitch, partners
    row.status, row.withdrawn_at, row.withdrawn_by_id = InterestStatus.ACTIVE, None, None
    row.updated_by_id, row.updated_at = user.id, utcnow()
    try:
        alerts.interest_stated(session=session, interest=row)  # the city is told (issue 14)
        session.commit()
    except IntegrityError as error:  # the same company's other request created it meanwhile
        session.rollback()
        raise Conflict(f"company {company_id} expressed interest meanwhile: retry") from error
    return row, created


def withdraw(
    *, session: Session, user: User, challenge_id: int, company_id: int
) -> ExpressionOfInterest:
    challenge = catalogue.read_challenge(session=session, user=user, challenge_id=challenge_id)
    _own_company(session, user, company_id)
    row = _find(session, challenge_id, company_id)
    if row is None:
        raise NotFound(f"company {company_id} has not expressed interest in {challenge_id}")
    if row.status == InterestStatus.WITHDRAWN:
        raise Conflict(f"company {company_id} already withdrew its interest")
    if stages.current_stage(challenge) is ChallengeStage.CLOSED:
        raise Conflict(f"stage: challenge {challenge_id} is closed; its record stays as it is")
    row.status, row.withdrawn_at, row.withdrawn_by_id = InterestStatus.WITHDRAWN, utcnow(), user.id
    session.commit()
    return row


def for_challenge(
    *,
    session: Session,
    user: User,
    challenge_id: int,
    ranking: Callable[[], Mapping[int, int]],
) -> list[InterestPublic]:
    """Every expression (withdrawn ones too), each marked with its place on the current
    shortlist (`ranking`: company id -> rank, asked only once the user may see the rows) or as
    having come by itself."""
    rows = stages.challenge_rows(
        session=session, user=user, challenge_id=challenge_id, table=ExpressionOfInterest
    )
    ranks = ranking()
    return [
        interest_public(row, on_shortlist=row.company_id in ranks, rank=ranks.get(row.company_id))
        for row in rows
    ]


def for_company(*, session: Session, user: User, company_id: int) -> list[InterestPublic]:
    """A company's own expressions, for it and the coordinators."""
    rows = stages.company_rows(
        session=session, user=user, company_id=company_id, table=ExpressionOfInterest
    )
    return [interest_public(row) for row in rows]


def interest_public(
    row: ExpressionOfInterest, on_shortlist: bool | None = None, rank: int | None = None
) -> InterestPublic:
    return InterestPublic(
        id=row.id,
        challenge_id=row.challenge_id,
        company_id=row.company_id,
        company=row.company.name,
        pitch=row.pitch,
        partners=[Partner.model_validate(p) for p in row.partners],
        status=row.status,
        created_by_id=row.created_by_id,
        created_at=row.created_at,
        updated_at=row.updated_at,
        withdrawn_at=row.withdrawn_at,
        on_shortlist=on_shortlist,
        rank=rank,
    )


def _own_company(session: Session, user: User, company_id: int) -> CompanyProfile:
    """The company the person speaks for; one they may not even see does not exist to them."""
    company = catalogue.read_company(session=session, user=user, company_id=company_id)
    if not access.can_edit_company(user, company):
        raise Forbidden(f"company {company_id} belongs to another organisation")
    if not access.can_act_for_company(user, company):
        raise Forbidden(f"company {company_id} awaits a coordinator's approval")
    return company


def _before_deadline(challenge: Challenge) -> None:
    if challenge.deadline is not None and date.today() > challenge.deadline:
        raise Conflict(
            f"deadline: interest in challenge {challenge.id} closed on {challenge.deadline}"
        )


def _partners(session: Session, user: User, company_id: int, partners: list[Partner]) -> list[dict]:
    """Profiles on Klimatmatch are named as they are now; free-text names are kept as typed. A
    profile the person may not name (awaiting approval, declined) answers as an unknown id
    does, so naming ids cannot tell which registrations exist or what they are called."""
    resolved = []
    for i, partner in enumerate(partners):
        name = partner.name
        if partner.company_id is not None:
            if partner.company_id == company_id:
                raise InvalidInput(f"partners.{i}.company_id: a company is not its own partner")
            profile = crud.get_company(session=session, company_id=partner.company_id)
            if profile is None or not access.can_name_as_partner(user, profile):
                raise InvalidInput(
                    f"partners.{i}.company_id: company {partner.company_id} does not exist"
                )
            name = profile.name
        resolved.append({"company_id": partner.company_id, "name": name})
    return resolved


def _find(session: Session, challenge_id: int, company_id: int) -> ExpressionOfInterest | None:
    return session.scalar(
        select(ExpressionOfInterest).where(
            ExpressionOfInterest.challenge_id == challenge_id,
            ExpressionOfInterest.company_id == company_id,
        )
    )
