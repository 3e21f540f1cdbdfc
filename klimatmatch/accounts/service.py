"""Accounts: people with e-mail and password, and the API keys they create for programs.

Passwords live in `passwords.py`. API keys are random
256-bit secrets, shown once and stored as sha256 (a fast hash is enough: there is nothing to
guess), and any number of them may be named, used and revoked by their owner."""

from __future__ import annotations

import hashlib
import re
import secrets
from datetime import UTC, datetime

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from klimatmatch.accounts.passwords import set_password, verify_password
from klimatmatch.core.errors import Conflict, Forbidden, InvalidInput, NotFound
from klimatmatch.core.translations import LANGUAGES
from models import (
    ApiKey,
    Invitation,
    OrganisationKind,
    PasswordReset,
    Role,
    SignInSession,
    User,
    crud,
)
from models.tables import utcnow

TOKEN_PREFIX = "km_"
EMAIL = re.compile(r"^[^@\s]{1,64}@[^@\s]+\.[^@\s]{2,}$")
ORGANISATION_KIND = {
    Role.CITY: OrganisationKind.CITY,
    Role.COMPANY: OrganisationKind.COMPANY,
    Role.COORDINATOR: OrganisationKind.NETWORK,
}


def hash_token(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def normalise_email(email: str) -> str:
    """One spelling per address, so uniqueness and sign-in ignore case and stray spaces."""
    email = email.strip().lower()
    if len(email) > 320 or not EMAIL.match(email):
        raise InvalidInput(f"email: {email[:80]!r} is not an e-mail address")
    return email


def sealed_token_hash() -> str:
    """The hash of a token nobody holds: a link row made in a request opens nothing until the
    mail job mints its real token (`mint_token`), so no secret waits in the job queue."""
    return hash_token(secrets.token_urlsafe(32))


def mint_token(link: Invitation | PasswordReset) -> str:
    """A new single-use token for an e-mailed link; only its hash is kept (any earlier
    token of the row stops working)."""
    token = secrets.token_urlsafe(32)
    link.token_hash = hash_token(token)
    return token


def user_by_email(*, session: Session, email: str) -> User | None:
    try:
        email = normalise_email(email)
    except InvalidInput:
        return None
    return session.scalar(select(User).where(User.email == email))


def organisation_for(
    *, session: Session, role: Role, organisation: str | None, country: str = ""
) -> int | None:
    """The id of the city, company or network an account of `role` acts for (created when new)."""
    if role in (Role.CITY, Role.COMPANY) and not organisation:
        raise InvalidInput(f"a {role.value} account needs an organisation (--org)")
    if not organisation:
        return None
    kind = ORGANISATION_KIND.get(role, OrganisationKind.NETWORK)
    org = crud.get_or_create_organisation(
        session=session, name=organisation, kind=kind, country=country
    )
    if role in ORGANISATION_KIND and org.kind is not kind:
        raise InvalidInput(f"{organisation!r} is a {org.kind.value}, not a {kind.value}")
    return org.id


def create_user(
    *,
    session: Session,
    name: str,
    role: Role,
    organisation: str | None,
    country: str = "",
    email: str | None = None,
    password: str | None = None,
    language: str | None = None,
    api_key: bool = True,
) -> tuple[User, str]:
    """Returns the user and a first API key ("" with `api_key=False`: people who sign in on
    the pages make their own); the key cannot be recovered later."""
    organisation_id = organisation_for(
        session=session, role=role, organisation=organisation, country=country
    )
    user = User(name=name, role=role, organisation_id=organisation_id, language=language)
    if email is not None:
        user.email = normalise_email(email)
        if user_by_email(session=session, email=user.email) is not None:
            raise Conflict(f"an account for {user.email} exists already")
    if password is not None:
        set_password(user, password)
    session.add(user)
    session.flush()
    if not api_key:
        return user, ""
    _, token = create_api_key(session=session, user=user, name="token")
    return user, token


def create_api_key(*, session: Session, user: User, name: str) -> tuple[ApiKey, str]:
    """A new key for `user`'s programs; the secret is returned here and never again."""
    name = name.strip()
    if not 1 <= len(name) <= 100:
        raise InvalidInput("name: give the key a name of 1 to 100 characters")
    token = TOKEN_PREFIX + secrets.token_urlsafe(32)
    key = ApiKey(user_id=user.id, name=name, key_hash=hash_token(token))
    session.add(key)
    session.flush()
    return key, token


def api_keys(*, session: Session, user: User) -> list[ApiKey]:
    return list(
        session.scalars(
            select(ApiKey)
            .where(ApiKey.user_id == user.id, ApiKey.revoked_at.is_(None))
            .order_by(ApiKey.id)
        )
    )


def revoke_api_key(*, session: Session, user: User, key_id: int) -> None:
    """Only the owner revokes a key; anyone else's key is "not found", not "forbidden"."""
    key = session.get(ApiKey, key_id)
    if key is None or key.user_id != user.id or key.revoked_at is not None:
        raise NotFound(f"API key {key_id} does not exist")
    key.revoked_at = utcnow()


def authenticate(*, session: Session, token: str, now: datetime | None = None) -> User | None:
    """The active user an API key belongs to, or None; notes when a key was last used (at most
    once a minute, so a busy program does not write on every call)."""
    if not token.startswith(TOKEN_PREFIX):
        return None
    key = session.scalar(select(ApiKey).where(ApiKey.key_hash == hash_token(token)))
    if key is None or key.revoked_at is not None or not key.user.active:
        return None
    now = now or utcnow()
    if key.last_used_at is None or (now - aware(key.last_used_at)).total_seconds() > 60:
        key.last_used_at = now
        session.commit()
    return key.user


def aware(moment: datetime) -> datetime:
    """SQLite returns naive datetimes for stored UTC ones."""
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def set_language(*, session: Session, user: User, language: str) -> User:
    """The language of a person's pages and e-mails: one of the catalogues' (English the rest)."""
    if language not in LANGUAGES:
        raise InvalidInput(f"language: {language!r} is not one of {', '.join(LANGUAGES)}")
    user.language = language
    session.flush()
    return user


def deactivate(*, session: Session, actor: User, user_id: int) -> User:
    """An administrator stops a person at once: sessions are revoked and keys refused."""
    if actor.role is not Role.ADMIN:
        raise Forbidden("only administrators deactivate people")
    user = session.get(User, user_id)
    if user is None:
        raise NotFound(f"user {user_id} does not exist")
    if user.id == actor.id:
        raise InvalidInput("you cannot deactivate yourself")
    stop(session=session, user=user)
    return user


def stop(*, session: Session, user: User) -> None:
    """The account stops at once: its sessions are revoked, and an inactive user's API keys
    are refused by `authenticate`."""
    user.active = False
    session.execute(
        update(SignInSession)
        .where(SignInSession.user_id == user.id, SignInSession.revoked_at.is_(None))
        .values(revoked_at=utcnow())
    )


def people(*, session: Session) -> list[User]:
    return list(session.scalars(select(User).order_by(User.active.desc(), User.name)))


DEMO_ACCOUNTS: tuple[tuple[str, Role, str, str, str], ...] = (
    (
        "Demo coordinator",
        Role.COORDINATOR,
        "Nordic Solutions for C40",
        "coordinator@klimatmatch.example",
        "en",
    ),
    ("Demo city: Stockholm", Role.CITY, "Stockholm", "stockholm@klimatmatch.example", "sv"),
    (
        "Demo company: Voltgräv AB",
        Role.COMPANY,
        "Voltgräv AB",
        "voltgrav@klimatmatch.example",
        "sv",
    ),
)
"""Name, role, organisation, e-mail and language: the Swedish city and company read Swedish."""


def demo_accounts(*, session: Session, known: list[dict[str, str]]) -> list[dict[str, str]]:
    """One account per role over the sample data, with e-mail, password and API key. Entries
    in `known` whose password and key still work are kept, so loading the sample again gives
    the same sign-ins; anything else gets a fresh password and key."""
    remembered = {entry.get("email"): entry for entry in known if isinstance(entry, dict)}
    result = []
    for name, role, organisation, email, language in DEMO_ACCOUNTS:
        entry = remembered.get(email, {})
        password, key = entry.get("password", ""), entry.get("api_key", "")
        user = user_by_email(session=session, email=email)
        if user is None:
            password = secrets.token_urlsafe(12)
            user, key = create_user(
                session=session,
                name=name,
                role=role,
                organisation=organisation,
                email=email,
                password=password,
                language=language,
            )
        elif (
            not verify_password(user, password) or authenticate(session=session, token=key) is None
        ):
            password = secrets.token_urlsafe(12)
            set_password(user, password)
            user.active = True
            _, key = create_api_key(session=session, user=user, name="demo")
        result.append(
            {
                "role": role.value,
                "organisation": organisation,
                "email": email,
                "password": password,
                "api_key": key,
            }
        )
    return result
