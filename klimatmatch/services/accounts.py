"""Accounts and API tokens. Tokens are random, shown once, and stored only as sha256 hashes
(a fast hash is enough for 256-bit random secrets; there is nothing to brute-force)."""

from __future__ import annotations

import hashlib
import secrets

from sqlalchemy import select
from sqlalchemy.orm import Session

from klimatmatch.errors import InvalidInput
from models import OrganisationKind, Role, User, crud

TOKEN_PREFIX = "km_"
ORGANISATION_KIND = {
    Role.CITY: OrganisationKind.CITY,
    Role.COMPANY: OrganisationKind.COMPANY,
    Role.COORDINATOR: OrganisationKind.NETWORK,
}


def hash_token(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def create_user(
    *, session: Session, name: str, role: Role, organisation: str | None, country: str = ""
) -> tuple[User, str]:
    """Returns the user and its token; the token cannot be recovered later."""
    if role in (Role.CITY, Role.COMPANY) and not organisation:
        raise InvalidInput(f"a {role.value} account needs an organisation (--org)")
    organisation_id = None
    if organisation:
        kind = ORGANISATION_KIND.get(role, OrganisationKind.NETWORK)
        org = crud.get_or_create_organisation(
            session=session, name=organisation, kind=kind, country=country
        )
        if role in ORGANISATION_KIND and org.kind is not kind:
            raise InvalidInput(f"{organisation!r} is a {org.kind.value}, not a {kind.value}")
        organisation_id = org.id
    token = TOKEN_PREFIX + secrets.token_urlsafe(32)
    user = User(name=name, role=role, organisation_id=organisation_id, token_hash=hash_token(token))
    session.add(user)
    session.flush()
    return user, token


DEMO_ACCOUNTS: tuple[tuple[str, Role, str | None], ...] = (
    ("Demo coordinator", Role.COORDINATOR, "Nordic Solutions for C40"),
    ("Demo city: Stockholm", Role.CITY, "Stockholm"),
    ("Demo company: Voltgräv AB", Role.COMPANY, "Voltgräv AB"),
)


def demo_accounts(*, session: Session, known: dict[str, str]) -> dict[str, str]:
    """One account per role over the sample data, name -> token. Tokens in `known` that still
    work are kept, so loading the sample again does not pile up accounts."""
    tokens = {}
    for name, role, organisation in DEMO_ACCOUNTS:
        token = known.get(name, "")
        user = authenticate(session=session, token=token) if token else None
        if user is None or user.name != name:
            _, token = create_user(session=session, name=name, role=role, organisation=organisation)
        tokens[name] = token
    return tokens


def authenticate(*, session: Session, token: str) -> User | None:
    if not token.startswith(TOKEN_PREFIX):
        return None
    user = session.scalar(select(User).where(User.token_hash == hash_token(token)))
    return user if user is not None and user.active else None
