"""Challenges and company profiles: create, read, update, archive or delete, list.

Every function takes the acting user and applies `klimatmatch.core.access`; every write reaches the
live index before it returns, so the next shortlist sees it.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import Select, func, or_, select
from sqlalchemy.orm import Session
from sqlalchemy.orm.exc import StaleDataError

from klimatmatch.alerts import service as alerts
from klimatmatch.catalogue.schemas import (
    ChallengeCreate,
    ChallengeUpdate,
    CompanyCreate,
    CompanyUpdate,
)
from klimatmatch.core import access
from klimatmatch.core.errors import Conflict, Forbidden, InvalidInput, NotFound, PreconditionFailed
from klimatmatch.index import indexing
from klimatmatch.ocds import releases
from matcher import MatchEngine
from matcher.text import guess_language
from models import (
    Challenge,
    ChallengeStatus,
    CompanyProfile,
    Organisation,
    Role,
    User,
    crud,
)


@dataclass(frozen=True)
class Page:
    limit: int = 50
    offset: int = 0


CHALLENGE_ORDERS = {
    "id": (Challenge.id,),
    "newest": (Challenge.created_at.desc(), Challenge.id.desc()),
    "oldest": (Challenge.created_at, Challenge.id),
    "title": (func.lower(Challenge.title), Challenge.id),
    "city": (func.lower(Organisation.name), func.lower(Challenge.title), Challenge.id),
}
"""How a list of challenges may be ordered; ties fall back on the id, so pages never overlap."""


def read_challenge(*, session: Session, user: User, challenge_id: int) -> Challenge:
    challenge = crud.get_challenge(session=session, challenge_id=challenge_id)
    if challenge is None or not access.can_read_challenge(user, challenge):
        raise NotFound(f"challenge {challenge_id} does not exist")
    return challenge


def require_city(user: User) -> None:
    """Challenges are written by a city account that belongs to a city (the form and the API)."""
    if user.role is not Role.CITY or user.organisation_id is None:
        raise Forbidden("only city accounts write challenges")


def create_challenge(
    *, session: Session, engine: MatchEngine, user: User, data: ChallengeCreate
) -> Challenge:
    require_city(user)
    _unique_external_id(session, Challenge, data.external_id)
    challenge = Challenge(organisation_id=user.organisation_id, **data.model_dump())
    challenge.language = data.language or guess_language(data.description) or ""
    session.add(challenge)
    alerts.challenge_published(session=session, challenge=challenge)
    releases.challenge_written(session=session, challenge=challenge)
    session.commit()
    _index_challenge(session, engine, challenge)
    return challenge


def update_challenge(
    *,
    session: Session,
    engine: MatchEngine,
    user: User,
    challenge_id: int,
    data: ChallengeUpdate,
    if_match: int | None = None,
) -> Challenge:
    challenge = read_challenge(session=session, user=user, challenge_id=challenge_id)
    if not access.can_edit_challenge(user, challenge):
        raise Forbidden(f"challenge {challenge_id} belongs to another city")
    _check_version(challenge.version, if_match)
    releases.check_tender_link(challenge, data.tender_ocid)
    _apply(challenge, data, nullable=("language", "deadline", "clean_vehicles"))
    alerts.challenge_published(session=session, challenge=challenge)
    releases.challenge_written(session=session, challenge=challenge)
    _commit(session)
    _index_challenge(session, engine, challenge)
    return challenge


def archive_challenge(
    *,
    session: Session,
    engine: MatchEngine,
    user: User,
    challenge_id: int,
    if_match: int | None = None,
) -> Challenge:
    return update_challenge(
        session=session,
        engine=engine,
        user=user,
        challenge_id=challenge_id,
        data=ChallengeUpdate(status=ChallengeStatus.ARCHIVED),
        if_match=if_match,
    )


def list_challenges(
    *,
    session: Session,
    user: User,
    page: Page,
    city: str | None = None,
    theme: str | None = None,
    language: str | None = None,
    status: ChallengeStatus | None = None,
    organisation_id: int | None = None,
    order: str = "id",
) -> tuple[list[Challenge], int]:
    """A page of the challenges `user` may read, in `order` (one of `CHALLENGE_ORDERS`; the
    API lists by id, the pages newest first)."""
    if order not in CHALLENGE_ORDERS:
        raise InvalidInput(f"order: {order!r} is not one of {', '.join(CHALLENGE_ORDERS)}")
    query = select(Challenge).join(Organisation, Challenge.organisation_id == Organisation.id)
    if organisation_id is not None:
        query = query.where(Challenge.organisation_id == organisation_id)
    if not access.is_staff(user):
        query = query.where(
            or_(
                Challenge.status == ChallengeStatus.PUBLISHED,
                Challenge.organisation_id == _own_city(user),
            )
        )
    if city:
        query = query.where(func.lower(Organisation.name) == city.lower())
    if theme:
        query = query.where(Challenge.theme == theme)
    if language:
        query = query.where(Challenge.language == language.lower())
    if status:
        query = query.where(Challenge.status == status)
    return _page(session, query.order_by(*CHALLENGE_ORDERS[order]), page)


def read_company(*, session: Session, user: User, company_id: int) -> CompanyProfile:
    """A profile awaiting its organisation's approval is seen by that organisation and staff
    only; to anyone else it does not exist yet."""
    company = crud.get_company(session=session, company_id=company_id)
    if company is None or not access.can_read_company(user, company):
        raise NotFound(f"company {company_id} does not exist")
    return company


def create_company(
    *, session: Session, engine: MatchEngine, user: User, data: CompanyCreate
) -> CompanyProfile:
    if user.role is not Role.COMPANY or user.organisation_id is None:
        raise Forbidden("only company accounts register company profiles")
    _unique_external_id(session, CompanyProfile, data.external_id)
    company = CompanyProfile(organisation_id=user.organisation_id, **data.model_dump())
    company.language = data.language or guess_language(data.description) or ""
    session.add(company)
    session.commit()
    _index_company(session, engine, company)
    return company


def update_company(
    *,
    session: Session,
    engine: MatchEngine,
    user: User,
    company_id: int,
    data: CompanyUpdate,
    if_match: int | None = None,
) -> CompanyProfile:
    company = read_company(session=session, user=user, company_id=company_id)
    if not access.can_edit_company(user, company):
        raise Forbidden(f"company {company_id} belongs to another organisation")
    _check_version(company.version, if_match)
    _apply(company, data, nullable=("language", "employees"))
    _commit(session)
    _index_company(session, engine, company)
    return company


def delete_company(
    *,
    session: Session,
    engine: MatchEngine,
    user: User,
    company_id: int,
    if_match: int | None = None,
) -> None:
    company = read_company(session=session, user=user, company_id=company_id)
    if not access.can_edit_company(user, company):
        raise Forbidden(f"company {company_id} belongs to another organisation")
    _check_version(company.version, if_match)
    session.delete(company)
    _commit(session)
    indexing.remove_company(engine=engine, company_id=company_id)


def list_companies(
    *,
    session: Session,
    user: User,
    page: Page,
    country: str | None = None,
    sector: str | None = None,
    language: str | None = None,
) -> tuple[list[CompanyProfile], int]:
    query = select(CompanyProfile)
    if not access.is_staff(user):
        approved = select(Organisation.id).where(Organisation.approved.is_(True))
        query = query.where(
            CompanyProfile.organisation_id.in_(approved)
            | (CompanyProfile.organisation_id == (user.organisation_id or -1))
        )
    if country:
        query = query.where(CompanyProfile.country == country.upper())
    if sector:
        query = query.where(CompanyProfile.sector == sector)
    if language:
        query = query.where(CompanyProfile.language == language.lower())
    return _page(session, query.order_by(CompanyProfile.id), page)


def _apply(
    record: Challenge | CompanyProfile,
    data: ChallengeUpdate | CompanyUpdate,
    nullable: tuple[str, ...],
) -> None:
    """Set the fields the client sent; an emptied language is guessed again from the text."""
    changes = data.model_dump(exclude_unset=True)
    for name, value in changes.items():
        if value is None and name not in nullable:
            raise InvalidInput(f"{name} cannot be null")
        setattr(record, name, value)
    if "language" in changes and not changes["language"]:
        record.language = guess_language(record.description) or ""


def _own_city(user: User) -> int:
    return user.organisation_id if user.role is Role.CITY and user.organisation_id else -1


def _page(session: Session, query: Select, page: Page) -> tuple[list, int]:
    total = session.scalar(select(func.count()).select_from(query.subquery())) or 0
    rows = session.scalars(query.limit(page.limit).offset(page.offset)).unique().all()
    return list(rows), total


def _unique_external_id(session: Session, table: type, external_id: str | None) -> None:
    if external_id and session.scalar(select(table.id).where(table.external_id == external_id)):
        raise Conflict(f"external_id {external_id!r} is already in use")


def _check_version(current: int, expected: int | None) -> None:
    if expected is not None and expected != current:
        raise PreconditionFailed(
            f"the record is at version {current}, not {expected}: "
            "reload it and apply your change again"
        )


def _commit(session: Session) -> None:
    """A concurrent writer that committed first wins; this one is told, nothing is overwritten."""
    try:
        session.commit()
    except StaleDataError as error:
        session.rollback()
        raise Conflict(
            "the record was changed by someone else meanwhile: reload and retry"
        ) from error


def _index_challenge(session: Session, engine: MatchEngine, challenge: Challenge) -> None:
    indexing.upsert_challenge(session=session, engine=engine, challenge=challenge)
    alerts.challenge_indexed(session)
    session.commit()


def _index_company(session: Session, engine: MatchEngine, company: CompanyProfile) -> None:
    indexing.upsert_company(session=session, engine=engine, company=company)
    session.commit()
