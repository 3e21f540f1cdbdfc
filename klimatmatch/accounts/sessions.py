"""Server-side sign-in sessions for the pages.

The browser's cookie holds a random id; the table holds its sha256, who it belongs to, when it
was made and last seen, when it expires, and whether it was revoked. Signing out revokes the
row, so a copied cookie is useless afterwards (a signed cookie alone could not be taken back)."""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from klimatmatch.accounts.service import aware, hash_token
from klimatmatch.core.errors import NotFound
from models import SignInSession, User
from models.tables import utcnow

SESSION_PREFIX = "kms_"
COOKIE = "klimatmatch_session"
"""The pages' cookie that holds the session id."""
TOUCH_EVERY = timedelta(minutes=1)


@dataclass(frozen=True)
class Client:
    """Where a request came from, as the account page shows it beside each session."""

    address: str = ""
    user_agent: str = ""


def start_session(
    *,
    session: Session,
    user: User,
    client: Client,
    lifetime: timedelta,
    now: datetime | None = None,
) -> str:
    """A new session for `user`; returns the id for the cookie (stored only as a hash)."""
    now = now or utcnow()
    session_id = SESSION_PREFIX + secrets.token_urlsafe(32)
    session.add(
        SignInSession(
            id_hash=hash_token(session_id),
            user_id=user.id,
            created_at=now,
            last_seen_at=now,
            expires_at=now + lifetime,
            user_agent=client.user_agent[:300],
            address=client.address[:64],
        )
    )
    session.flush()
    return session_id


def resolve_session(
    *, session: Session, session_id: str, now: datetime | None = None
) -> SignInSession | None:
    """The live session behind a cookie: not revoked, not expired, its person still active."""
    if not session_id.startswith(SESSION_PREFIX):
        return None
    row = session.scalar(
        select(SignInSession).where(SignInSession.id_hash == hash_token(session_id))
    )
    now = now or utcnow()
    if row is None or row.revoked_at is not None or aware(row.expires_at) <= now:
        return None
    if not row.user.active:
        return None
    if now - aware(row.last_seen_at) > TOUCH_EVERY:
        row.last_seen_at = now
        session.commit()
    return row


def live_sessions(
    *, session: Session, user: User, now: datetime | None = None
) -> list[SignInSession]:
    now = now or utcnow()
    rows = session.scalars(
        select(SignInSession)
        .where(SignInSession.user_id == user.id, SignInSession.revoked_at.is_(None))
        .order_by(SignInSession.last_seen_at.desc())
    )
    return [row for row in rows if aware(row.expires_at) > now]


def revoke_session(*, session: Session, session_id: str) -> None:
    """Sign-out: the cookie's session ends whatever state it was in."""
    session.execute(
        update(SignInSession)
        .where(SignInSession.id_hash == hash_token(session_id), SignInSession.revoked_at.is_(None))
        .values(revoked_at=utcnow())
    )


def end_session(*, session: Session, user: User, row_id: int) -> None:
    """One of the user's own sessions, ended from the account page; others' are "not found"."""
    row = session.get(SignInSession, row_id)
    if row is None or row.user_id != user.id or row.revoked_at is not None:
        raise NotFound(f"session {row_id} does not exist")
    row.revoked_at = utcnow()


def end_other_sessions(*, session: Session, user: User, keep: str | None = None) -> int:
    """After a password change every other browser must sign in again; returns how many ended."""
    query = update(SignInSession).where(
        SignInSession.user_id == user.id, SignInSession.revoked_at.is_(None)
    )
    if keep is not None:
        query = query.where(SignInSession.id_hash != hash_token(keep))
    return session.execute(query.values(revoked_at=utcnow())).rowcount
