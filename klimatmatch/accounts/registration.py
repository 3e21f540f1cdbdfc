"""Companies that ask to join by themselves, and the coordinators who approve them.

A registration creates the organisation (not approved), the person's account and the first
profile in one transaction, and signs the person in: they can keep their profile while they wait.
Nothing of theirs is matched until a coordinator or administrator approves the organisation (as
the Enterprise Europe Network reviews profiles before publishing them): neither index backend
holds a profile of an unapproved organisation, and other users do not see it.

The answer never tells whether an e-mail has an account: a registration with a known e-mail
looks the same to the visitor, and the owner of that address gets a message saying so instead.
Both paths do the same work (one argon2 hash, one e-mail queued, none sent during the request),
so they take the same time too.
Registrations per client address are limited, like failed sign-ins, in the database that every
process shares."""

from __future__ import annotations

import math
from datetime import datetime, timedelta
from typing import Annotated

from pydantic import Field
from pydantic.dataclasses import dataclass
from sqlalchemy import select, update
from sqlalchemy.orm import Session

from klimatmatch.accounts import passwords, sessions, terms
from klimatmatch.accounts import registration_mail as notices
from klimatmatch.accounts import service as accounts
from klimatmatch.accounts.invitations import LinkRefused
from klimatmatch.accounts.sessions import Client
from klimatmatch.accounts.sign_in import TooManyAttempts
from klimatmatch.alerts import company_news
from klimatmatch.alerts import service as alerts
from klimatmatch.catalogue.schemas import CompanyCreate
from klimatmatch.core import access, mail, mail_queue
from klimatmatch.core.errors import Conflict, Forbidden, InvalidInput, NotFound
from klimatmatch.core.safe_text import Line
from klimatmatch.core.settings import Settings
from klimatmatch.core.translations import LANGUAGES, SOURCE_LANGUAGE
from klimatmatch.index import indexing
from matcher import MatchEngine
from models import (
    CompanyProfile,
    Organisation,
    OrganisationKind,
    PasswordReset,
    Role,
    SignInFailure,
    User,
)
from models.tables import utcnow

REGISTRATIONS_PER_WINDOW = 5
REGISTRATION_WINDOW = timedelta(hours=1)
"""Per client address: enough for an office registering a few companies, too few for a script."""


@dataclass(frozen=True)
class Registration:
    """What the form asks: the person, the company and its first profile (validated on
    construction, like every input schema)."""

    person: Annotated[Line, Field(max_length=200)]
    email: str
    password: str
    language: str
    profile: CompanyCreate
    terms_version: str = ""
    """The terms the person accepted on the form ("" from callers with no form)."""


CONFIRM_WITHIN = timedelta(hours=48)


def register_company(
    *,
    session: Session,
    data: Registration,
    client: Client,
    settings: Settings,
    now: datetime | None = None,
) -> None:
    """Stores the organisation, an inactive account and the profile, and queues the e-mail
    with a link that confirms the address. A known e-mail is sent a message instead; the
    visitor sees the same answer after the same work either way."""
    now = now or utcnow()
    _charge(session, client, now)
    email = accounts.normalise_email(data.email)
    password_hash = passwords.hash_password(data.password, email=email)  # on both paths
    name = data.profile.name.strip()
    if session.scalar(select(Organisation.id).where(Organisation.name == name)) is not None:
        raise Conflict(
            f"name: an organisation called {name!r} is registered already; "
            "ask its people to invite you, or add what sets yours apart to the name"
        )
    existing = accounts.user_by_email(session=session, email=email)
    if existing is not None:
        mail_queue.enqueue(session=session, kind="registration.exists", user_id=existing.id)
        session.commit()  # the charge counts
        return
    organisation = Organisation(
        name=name, kind=OrganisationKind.COMPANY, country=data.profile.country, approved=False
    )
    session.add(organisation)
    session.flush()
    user = User(
        name=data.person.strip()[:200] or email,
        role=Role.COMPANY,
        organisation_id=organisation.id,
        email=email,
        language=data.language if data.language in LANGUAGES else SOURCE_LANGUAGE,
        active=False,
        password_hash=password_hash,
    )
    session.add(user)
    session.add(CompanyProfile(organisation_id=organisation.id, **data.profile.model_dump()))
    session.flush()
    if data.terms_version:
        terms.record(session=session, user=user, version=data.terms_version, now=now)
    link = PasswordReset(
        token_hash=accounts.sealed_token_hash(),
        user_id=user.id,
        created_at=now,
        expires_at=now + CONFIRM_WITHIN,
    )
    session.add(link)
    session.flush()
    mail_queue.enqueue(session=session, kind="registration.confirm", link_id=link.id)
    session.commit()


def confirm(
    *, session: Session, token: str, client: Client, settings: Settings, now: datetime | None = None
) -> str:
    """The e-mail is the person's: the account opens, they are signed in (the session id is
    returned) and the coordinators are told a registration waits."""
    now = now or utcnow()
    link = session.scalar(
        select(PasswordReset).where(PasswordReset.token_hash == accounts.hash_token(token))
    )
    if link is None:
        raise NotFound("this confirmation link is not known: check that it was copied whole")
    if link.used_at is not None:
        raise LinkRefused("this link has been used already: sign in with your e-mail")
    if accounts.aware(link.expires_at) <= now:
        raise LinkRefused("this link has expired: register again")
    user = session.get(User, link.user_id)
    if user is None or user.organisation is None or user.organisation.approved:
        raise LinkRefused("this link does not confirm a registration: sign in with your e-mail")
    link.used_at, user.active = now, True
    session_id = sessions.start_session(
        session=session,
        user=user,
        client=client,
        lifetime=timedelta(hours=settings.session_hours),
        now=now,
    )
    staff = notices.staff_recipients(session)
    session.commit()
    for recipient in staff:
        mail.send(
            notices.received_message(user.organisation, recipient, settings), settings=settings
        )
    return session_id


def pending(*, session: Session) -> list[Organisation]:
    """Organisations waiting for approval that someone can still act for (declined ones have
    no active account left)."""
    active = select(User.organisation_id).where(User.active.is_(True))
    return list(
        session.scalars(
            select(Organisation)
            .where(Organisation.approved.is_(False), Organisation.id.in_(active))
            .order_by(Organisation.created_at)
        )
    )


def profiles_of(*, session: Session, organisation_id: int) -> list[CompanyProfile]:
    return list(
        session.scalars(
            select(CompanyProfile)
            .where(CompanyProfile.organisation_id == organisation_id)
            .order_by(CompanyProfile.id)
        )
    )


def contacts(*, session: Session, organisation_id: int) -> list[str]:
    return [p.email for p in alerts.people(session, organisation_id, Role.COMPANY) if p.email]


def approve(
    *,
    session: Session,
    engine: MatchEngine,
    actor: User,
    organisation_id: int,
    settings: Settings,
    now: datetime | None = None,
) -> Organisation:
    """From now on its profiles are matched: each one is touched so the change log carries it
    to every other process, and indexed here before this returns."""
    organisation = _pending_or_refuse(session, actor, organisation_id)
    now = now or utcnow()
    organisation.approved, organisation.approved_at = True, now
    organisation.approved_by = actor.id
    profiles = profiles_of(session=session, organisation_id=organisation.id)
    for profile in profiles:
        profile.updated_at = now
    people = alerts.people(session, organisation.id, Role.COMPANY)
    company_news.approved(session=session, organisation_id=organisation.id, name=organisation.name)
    session.commit()
    indexing.apply_rows(session=session, engine=engine, challenges=[], companies=profiles)
    session.commit()
    for person in people:
        mail.send(
            notices.decision_message(person, organisation, "approved", "", settings),
            settings=settings,
        )
    return organisation


def decline(
    *,
    session: Session,
    actor: User,
    organisation_id: int,
    reason: str,
    settings: Settings,
) -> Organisation:
    """Its people are told why and their accounts stop at once; the rows stay for the record."""
    organisation = _pending_or_refuse(session, actor, organisation_id)
    reason = reason.strip()
    if not reason:
        raise InvalidInput("reason: say why, so the company knows what to change")
    people = alerts.people(session, organisation.id, Role.COMPANY)
    for person in people:
        accounts.stop(session=session, user=person)
    session.execute(  # nor can a link still in a mailbox open a declined registration
        update(PasswordReset)
        .where(
            PasswordReset.user_id.in_(
                select(User.id).where(User.organisation_id == organisation.id)
            ),
            PasswordReset.used_at.is_(None),
        )
        .values(used_at=utcnow())
    )
    session.commit()
    for person in people:
        mail.send(
            notices.decision_message(person, organisation, "declined", reason[:1000], settings),
            settings=settings,
        )
    return organisation


def _pending_or_refuse(session: Session, actor: User, organisation_id: int) -> Organisation:
    if not access.is_staff(actor):
        raise Forbidden("only coordinators and administrators approve registrations")
    organisation = session.get(Organisation, organisation_id)
    if organisation is None:
        raise NotFound(f"organisation {organisation_id} does not exist")
    if organisation.approved:
        raise Conflict(f"organisation {organisation_id} is approved already")
    return organisation


def _charge(session: Session, client: Client, now: datetime) -> None:
    key = f"register:{client.address}"
    since = now - REGISTRATION_WINDOW
    recent = session.scalars(
        select(SignInFailure.at)
        .where(SignInFailure.key == key, SignInFailure.at > since)
        .order_by(SignInFailure.at)
    ).all()
    if len(recent) >= REGISTRATIONS_PER_WINDOW:
        first = accounts.aware(recent[0])
        raise TooManyAttempts(
            max(1, math.ceil((first + REGISTRATION_WINDOW - now).total_seconds()))
        )
    session.add(SignInFailure(key=key, at=now))
