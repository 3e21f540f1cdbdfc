"""Signing in with e-mail and password, with limits on guessing.

Failures are rows in the database, counted per e-mail tried and per client address, so every
process serving the database shares them. After `slow_after` failures within the window each
next try must wait (1 s, doubling); after `lock_after` sign-in is refused until the window has
passed since the last failure, then allowed again, so a real user is never locked out for long.
Per address the limits are five times higher (an office shares one address). Nothing in the
answers depends on whether the e-mail exists: unknown e-mails are counted the same way and a
dummy password hash is verified so the timing is alike. The current password asked before a
change (`confirm_password`) is a guess like any other: it counts against the same limits."""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from klimatmatch.accounts import sessions
from klimatmatch.accounts.passwords import verify_password
from klimatmatch.accounts.service import aware, user_by_email
from klimatmatch.accounts.sessions import Client
from klimatmatch.core.errors import KlimatmatchError
from klimatmatch.core.settings import Settings
from models import SignInFailure, User
from models.tables import utcnow

ADDRESS_FACTOR = 5
BASE_DELAY = 1.0


class TooManyAttempts(KlimatmatchError):
    """Sign-in is paused for this e-mail or address; `retry_after` says for how many seconds."""

    status_code = 429
    title = "Too many requests"

    def __init__(self, retry_after: int) -> None:
        super().__init__(f"too many failed sign-ins: try again in {retry_after} seconds")
        self.retry_after = retry_after


@dataclass(frozen=True)
class Limits:
    slow_after: int = 3
    lock_after: int = 10
    window: timedelta = timedelta(minutes=15)

    @classmethod
    def from_settings(cls, settings: Settings) -> Limits:
        return cls(
            slow_after=settings.sign_in_slow_after,
            lock_after=max(settings.sign_in_lock_after, settings.sign_in_slow_after + 1),
            window=timedelta(seconds=settings.sign_in_window_seconds),
        )

    def scaled(self, factor: int) -> Limits:
        return Limits(self.slow_after * factor, self.lock_after * factor, self.window)


def failure_keys(email: str, client: Client) -> dict[str, int]:
    """The counters a try is charged to, with the factor on the limits of each."""
    return {
        f"account:{email.strip().lower()[:320]}": 1,
        f"address:{client.address}": ADDRESS_FACTOR,
    }


def wait_seconds(*, session: Session, key: str, limits: Limits, now: datetime) -> float:
    """How long the next try for `key` must wait (0: it may go ahead)."""
    times = sorted(
        aware(at)
        for at in session.scalars(
            select(SignInFailure.at).where(
                SignInFailure.key == key, SignInFailure.at > now - limits.window
            )
        )
    )
    if len(times) < limits.slow_after:
        return 0.0
    if len(times) >= limits.lock_after:
        until = times[-1] + limits.window
    else:
        delay = BASE_DELAY * 2 ** (len(times) - limits.slow_after)
        until = times[-1] + min(timedelta(seconds=delay), limits.window)
    return max(0.0, (until - now).total_seconds())


def record_failure(*, session: Session, keys: list[str], limits: Limits, now: datetime) -> None:
    session.execute(delete(SignInFailure).where(SignInFailure.at <= now - limits.window))
    session.add_all(SignInFailure(key=key, at=now) for key in keys)


def sign_in(
    *,
    session: Session,
    email: str,
    password: str,
    client: Client,
    settings: Settings,
    now: datetime | None = None,
) -> tuple[User, str] | None:
    """The user and a new session id, None for a wrong e-mail or password (or an inactive
    account: the answer is the same), or TooManyAttempts while the limits hold."""
    now = now or utcnow()
    limits = Limits.from_settings(settings)
    keys = failure_keys(email, client)
    _refuse_while_paused(session, keys, limits, now)
    user = user_by_email(session=session, email=email)
    if verify_password(user, password) and user is not None and user.active:
        _forget_failures(session, keys)
        lifetime = timedelta(hours=settings.session_hours)
        session_id = sessions.start_session(
            session=session, user=user, client=client, lifetime=lifetime, now=now
        )
        session.commit()
        return user, session_id
    record_failure(session=session, keys=list(keys), limits=limits, now=now)
    session.commit()
    return None


def confirm_password(
    *,
    session: Session,
    user: User,
    password: str,
    client: Client,
    settings: Settings,
    now: datetime | None = None,
) -> bool:
    """Whether `password` is the signed-in `user`'s, asked before a change: a wrong one is
    counted with the failed sign-ins of the account and the address, TooManyAttempts while
    their limits hold, and a right one clears the account's count as a sign-in does."""
    now = now or utcnow()
    limits = Limits.from_settings(settings)
    keys = failure_keys(user.email or f"user {user.id}", client)
    _refuse_while_paused(session, keys, limits, now)
    if verify_password(user, password):
        _forget_failures(session, keys)
        session.commit()  # kept even if the new password is then refused
        return True
    record_failure(session=session, keys=list(keys), limits=limits, now=now)
    session.commit()
    return False


def _refuse_while_paused(
    session: Session, keys: dict[str, int], limits: Limits, now: datetime
) -> None:
    wait = max(
        wait_seconds(session=session, key=key, limits=limits.scaled(factor), now=now)
        for key, factor in keys.items()
    )
    if wait > 0:
        raise TooManyAttempts(math.ceil(wait))


def _forget_failures(session: Session, keys: dict[str, int]) -> None:
    """After a right password: the account's count starts again (the address's stays, so one
    known password does not reset the limit on guessing others)."""
    account_key = next(iter(keys))
    session.execute(delete(SignInFailure).where(SignInFailure.key == account_key))
