"""What the city's and the company's edit forms open on: the person's own challenge or profile.

Someone else's is NotFound, drafts and published ones alike, so a form URL never tells whether
another organisation's object exists (reading it through the API may be allowed; editing it
through a form is not)."""

from __future__ import annotations

from sqlalchemy.orm import Session

from klimatmatch.catalogue import service as catalogue
from klimatmatch.core import access
from klimatmatch.core.errors import NotFound
from models import Challenge, CompanyProfile, User


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
