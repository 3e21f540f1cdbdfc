"""What the account, people and registrations pages draw, each gathered by one function.

The staff-only pages check who asks here, below HTTP, so the rule is tested with the data it
guards; the routes parse, call one of these and render the fields."""

from __future__ import annotations

from dataclasses import dataclass
from typing import NamedTuple

from sqlalchemy.orm import Session

from klimatmatch.accounts import invitations, registration, sessions, terms
from klimatmatch.accounts import service as accounts
from klimatmatch.core import access
from klimatmatch.core.errors import Forbidden
from models import (
    ApiKey,
    CompanyProfile,
    Invitation,
    Organisation,
    Role,
    SignInSession,
    TermsAcceptance,
    User,
)


@dataclass(frozen=True)
class AccountView:
    """Where the person is signed in, their API keys, and the terms they accepted."""

    sessions: list[SignInSession]
    keys: list[ApiKey]
    terms: list[TermsAcceptance]


@dataclass(frozen=True)
class PeopleView:
    """Everyone, the invitations still open, the roles this person may invite, and the address
    of the invitation just sent ("" when none)."""

    people: list[User]
    pending: list[Invitation]
    roles: tuple[Role, ...]
    invited: str


class Waiting(NamedTuple):
    """An organisation awaiting approval, who to write to, and the profiles it registered."""

    organisation: Organisation
    contacts: list[str]
    profiles: list[CompanyProfile]


@dataclass(frozen=True)
class RegistrationsView:
    waiting: list[Waiting]


def require_staff(user: User) -> None:
    """People are managed by coordinators and administrators; cities and companies get 403."""
    if not access.is_staff(user):
        raise Forbidden("only coordinators and administrators manage people")


def account_view(*, session: Session, user: User) -> AccountView:
    return AccountView(
        sessions=sessions.live_sessions(session=session, user=user),
        keys=accounts.api_keys(session=session, user=user),
        terms=terms.accepted(session=session, user=user),
    )


def people_view(*, session: Session, user: User, invited_id: str = "") -> PeopleView:
    """`invited_id` is the id of an invitation just sent (the page names its address)."""
    require_staff(user)
    pending = invitations.pending_invitations(session=session)
    return PeopleView(
        people=accounts.people(session=session),
        pending=pending,
        roles=invitations.INVITABLE[user.role],
        invited=next((i.email for i in pending if str(i.id) == invited_id), ""),
    )


def registrations_view(*, session: Session, user: User) -> RegistrationsView:
    if not access.is_staff(user):
        raise Forbidden("registrations are approved by coordinators and administrators")
    return RegistrationsView(
        waiting=[
            Waiting(
                organisation,
                registration.contacts(session=session, organisation_id=organisation.id),
                registration.profiles_of(session=session, organisation_id=organisation.id),
            )
            for organisation in registration.pending(session=session)
        ]
    )
