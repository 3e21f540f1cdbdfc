"""What the city's and the company's edit forms open on: the person's own challenge or profile;
and the cities an OCDS import may be for.

Someone else's is NotFound, drafts and published ones alike, so a form URL never tells whether
another organisation's object exists (reading it through the API may be allowed; editing it
through a form is not)."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from klimatmatch.catalogue import service as catalogue
from klimatmatch.core import access
from klimatmatch.core.errors import NotFound
from models import Challenge, CompanyProfile, Organisation, OrganisationKind, User


def editable_challenge(*, session: Session, user: User, challenge_id: int) -> Challenge:
    """The city's own challenge (or any, for an administrator)."""
    challenge = catalogue.read_challenge(session=session, user=user, challenge_id=challenge_id)
    if not access.can_edit_challenge(user, challenge):
        raise NotFound(f"challenge {challenge_id} does not exist")
    return challenge


def editable_company(*, session: Session, user: User, company_id: int) -> CompanyProfile:
    """The company's own profile (or any, for an administrator)."""
    company = catalogue.read_company(session=session, user=user, company_id=company_id)
    if not access.can_edit_company(user, company):
        raise NotFound(f"company {company_id} does not exist")
    return company


def import_cities(*, session: Session, user: User) -> list[Organisation]:
    """The cities the OCDS import form offers: a city's own, or every city for staff; a
    company's account is refused (the form is not theirs)."""
    if access.is_staff(user):
        query = select(Organisation).where(Organisation.kind == OrganisationKind.CITY)
        return list(session.scalars(query.order_by(Organisation.name)))
    catalogue.require_city(user)
    city = session.get(Organisation, user.organisation_id)
    return [city] if city is not None else []
