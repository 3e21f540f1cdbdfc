"""Named dependencies: a handler's signature reads as the list of what it needs."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Annotated, TypeVar

from fastapi import Depends, Header, Path, Query, Request, Response
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
from sqlalchemy.orm import Session

from api.state import AppState
from klimatmatch.accounts import sessions
from klimatmatch.accounts.service import authenticate
from klimatmatch.catalogue.schemas import MAX_ID
from klimatmatch.core.errors import InvalidInput, PreconditionFailed, Unauthorized
from klimatmatch.core.settings import Settings
from matcher import MatchEngine
from models import User

Body = TypeVar("Body")
Result = TypeVar("Result")

bearer = HTTPBearer(
    auto_error=False,
    description="An API key from your account page (/ui/account) or `klimatmatch users create`",
)


def get_state(request: Request) -> AppState:
    return request.app.state.klimatmatch


def get_session(state: Annotated[AppState, Depends(get_state)]) -> Iterator[Session]:
    with state.sessions() as session:
        yield session


def get_engine(state: Annotated[AppState, Depends(get_state)]) -> MatchEngine:
    return state.engine


def get_settings(state: Annotated[AppState, Depends(get_state)]) -> Settings:
    return state.settings


def get_current_user(
    session: Annotated[Session, Depends(get_session)],
    credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(bearer)],
) -> User:
    if credentials is None:
        raise Unauthorized("sign in: send 'Authorization: Bearer <token>'")
    user = authenticate(session=session, token=credentials.credentials)
    if user is None:
        raise Unauthorized("the API key is unknown or revoked")
    return user


def get_person(
    request: Request,
    session: Annotated[Session, Depends(get_session)],
    credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(bearer)],
) -> User:
    """The person asking about their own data: by API key, or, for GET routes that only
    read that person's own data (their export), by the pages' session cookie as well, so the
    account page can link to it."""
    if credentials is not None:
        return get_current_user(session, credentials)
    session_id = request.cookies.get(sessions.COOKIE, "")
    row = sessions.resolve_session(session=session, session_id=session_id) if session_id else None
    if row is None:
        raise Unauthorized("sign in to the pages, or send 'Authorization: Bearer <key>'")
    return row.user


def get_optional_user(
    session: Annotated[Session, Depends(get_session)],
    credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(bearer)],
) -> User | None:
    """The account behind the token, None without one; a wrong token is still refused."""
    return None if credentials is None else get_current_user(session, credentials)


MAX_ETAG = 64
ENTITY_TAG = re.compile(r'(?:W/)?"([\x21\x23-\x7e]*)"')
"""RFC 9110's entity-tag; W/ is accepted, as a compressing proxy may weaken our tags."""
VERSION_TAG = re.compile(r"[1-9][0-9]{0,17}")
"""The opaque part of every ETag this API gives out: a record's version."""


def get_if_match(
    if_match: Annotated[
        str | None, Header(description='The ETag the record was read with, e.g. "3"')
    ] = None,
) -> int | None:
    """Optimistic concurrency: the version the client last saw, from the ETag it was given.

    The tag is opaque: one that is well formed but not one of ours (letters, 30 digits) can
    never be the current one, so it fails the precondition (412) rather than the parser."""
    if if_match is None or if_match.strip() == "*":  # "*": any current version will do
        return None
    value = if_match.strip()
    if len(value) > MAX_ETAG:
        raise InvalidInput(f"If-Match: an ETag is at most {MAX_ETAG} characters, not {len(value)}")
    tag = ENTITY_TAG.fullmatch(value)
    if tag is None:
        raise InvalidInput(f'If-Match must be an ETag from this API such as "3", not {value!r}')
    if VERSION_TAG.fullmatch(tag[1]) is None:
        raise PreconditionFailed(
            f"If-Match: {value} is not the record's current ETag; read the record again"
        )
    return int(tag[1])


StateDep = Annotated[AppState, Depends(get_state)]
SessionDep = Annotated[Session, Depends(get_session)]
EngineDep = Annotated[MatchEngine, Depends(get_engine)]
SettingsDep = Annotated[Settings, Depends(get_settings)]
CurrentUser = Annotated[User, Depends(get_current_user)]
OptionalUser = Annotated[User | None, Depends(get_optional_user)]
Person = Annotated[User, Depends(get_person)]
IfMatch = Annotated[int | None, Depends(get_if_match)]
ChallengeId = Annotated[int, Path(ge=1, le=MAX_ID, description="A challenge's id")]
CompanyId = Annotated[int, Path(ge=1, le=MAX_ID, description="A company profile's id")]
RunId = Annotated[int, Path(ge=1, le=MAX_ID, description="A match run's id")]
Limit = Annotated[int, Query(ge=1, le=200, description="Page size")]
Offset = Annotated[int, Query(ge=0, le=1_000_000, description="Rows to skip")]


def with_etag(response: Response, version: int, body: Body) -> Body:
    """Tag the response with the record's version (what a client sends back in If-Match)
    and hand back its body, so a versioned read or write ends in one return."""
    response.headers["ETag"] = f'"{version}"'
    return body


@dataclass(frozen=True)
class Caller:
    """Who calls an engine-backed service: the session, the match engine and the user that
    each of them takes, passed on by `call` so that a route names only what is its own."""

    session: Session
    engine: MatchEngine
    user: User

    def call(self, service: Callable[..., Result], **fields: object) -> Result:
        return service(session=self.session, engine=self.engine, user=self.user, **fields)


@dataclass(frozen=True)
class Write(Caller):
    """What a write to a versioned record needs: who writes, through what, the version the
    caller read (If-Match), and the response that carries the new version's ETag."""

    if_match: int | None
    response: Response

    def tagged(self, version: int, body: Body) -> Body:
        return with_etag(self.response, version, body)

    def apply(self, service: Callable[..., Result], **fields: object) -> Result:
        """`service` called as this write: `call` with the version the caller read."""
        return self.call(service, if_match=self.if_match, **fields)


def get_write(
    session: SessionDep, engine: EngineDep, user: CurrentUser, if_match: IfMatch, response: Response
) -> Write:
    return Write(session, engine, user, if_match, response)


VersionedWrite = Annotated[Write, Depends(get_write)]
