"""Accounts, passwords, limits on guessing and sessions, on SQLite and PostgreSQL, with the
clock moved through the services' `now` parameter."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest
from argon2 import PasswordHasher
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from klimatmatch.accounts import passwords, sessions
from klimatmatch.accounts import service as accounts
from klimatmatch.accounts.sessions import Client
from klimatmatch.accounts.sign_in import TooManyAttempts, confirm_password, sign_in
from klimatmatch.core.errors import Conflict, InvalidInput, NotFound
from klimatmatch.core.settings import Settings
from models import Role, SignInFailure, User
from models.tables import utcnow

PASSWORD = "correct horse battery staple"
SETTINGS = Settings(sign_in_slow_after=3, sign_in_lock_after=6, sign_in_window_seconds=900)


def make_person(session: Session, email: str = "Anna@Stockholm.se") -> User:
    user, _ = accounts.create_user(
        session=session,
        name="Anna",
        role=Role.CITY,
        organisation="Stockholm",
        email=email,
        password=PASSWORD,
    )
    return user


def attempt(session: Session, email: str, password: str, now, address: str = "10.0.0.1"):  # noqa: ANN001, ANN201
    return sign_in(
        session=session,
        email=email,
        password=password,
        client=Client(address=address),
        settings=SETTINGS,
        now=now,
    )


def test_email_is_unique_whatever_its_case(session: Session) -> None:
    user = make_person(session)
    assert user.email == "anna@stockholm.se"
    assert accounts.user_by_email(session=session, email=" ANNA@stockholm.SE ") is user
    with pytest.raises(Conflict, match="exists already"):
        make_person(session, email="anna@STOCKHOLM.se")
    with pytest.raises(InvalidInput, match="not an e-mail address"):
        make_person(session, email="anna")


def test_passwords_are_argon2_and_rehashed_when_the_parameters_change(session: Session) -> None:
    user = make_person(session)
    assert user.password_hash.startswith("$argon2id$") and PASSWORD not in user.password_hash
    assert passwords.verify_password(user, PASSWORD)
    assert not passwords.verify_password(user, PASSWORD.upper())
    weak = PasswordHasher(time_cost=1, memory_cost=1024, parallelism=1).hash(PASSWORD)
    user.password_hash = weak
    assert passwords.verify_password(user, PASSWORD)
    assert user.password_hash != weak
    assert not passwords.password_hasher().check_needs_rehash(user.password_hash)
    with pytest.raises(InvalidInput, match="10 to 200"):
        passwords.set_password(user, "short")
    with pytest.raises(InvalidInput, match="e-mail"):
        passwords.set_password(user, "anna@stockholm.se")


def test_wrong_passwords_are_slowed_then_refused_then_allowed_again(session: Session) -> None:
    make_person(session)
    t0 = utcnow()
    for i in range(3):
        assert attempt(session, "anna@stockholm.se", "wrong", t0 + timedelta(seconds=i)) is None
    with pytest.raises(TooManyAttempts) as slowed:  # even the right password waits
        attempt(session, "anna@stockholm.se", PASSWORD, t0 + timedelta(seconds=2.5))
    assert slowed.value.retry_after == 1
    now = t0 + timedelta(seconds=2)
    for failures in range(3, 6):  # each wait doubles: 1, 2, 4 seconds
        now += timedelta(seconds=2 ** (failures - 3) + 0.01)
        assert attempt(session, "anna@stockholm.se", "wrong", now) is None
    with pytest.raises(TooManyAttempts) as locked:
        attempt(session, "anna@stockholm.se", PASSWORD, now + timedelta(minutes=14))
    assert 50 < locked.value.retry_after <= 60
    user, session_id = attempt(session, "anna@stockholm.se", PASSWORD, now + timedelta(minutes=15))
    assert user.email == "anna@stockholm.se" and session_id.startswith("kms_")
    count = select(func.count()).select_from(SignInFailure)
    account_failures = count.where(SignInFailure.key == "account:anna@stockholm.se")
    assert session.scalar(account_failures) == 0  # a success clears the account's counter


def test_an_unknown_email_is_counted_and_answered_the_same_way(session: Session) -> None:
    make_person(session)
    t0 = utcnow()
    outcomes = {}
    for email in ("anna@stockholm.se", "nobody@stockholm.se"):
        results = [attempt(session, email, "wrong", t0 + timedelta(seconds=i)) for i in range(3)]
        with pytest.raises(TooManyAttempts) as refused:
            attempt(session, email, "wrong", t0 + timedelta(seconds=2.5))
        outcomes[email] = (results, str(refused.value), refused.value.retry_after)
    assert outcomes["anna@stockholm.se"] == outcomes["nobody@stockholm.se"]


def test_wrong_current_passwords_count_with_failed_sign_ins(session: Session) -> None:
    """The current password asked before a change is a guess like a sign-in's: same counters,
    same pauses, and a right one clears the account's."""
    user = make_person(session)
    t0 = utcnow()

    def confirm(password: str, now: datetime, address: str = "10.0.0.1") -> bool:
        return confirm_password(
            session=session,
            user=user,
            password=password,
            client=Client(address=address),
            settings=SETTINGS,
            now=now,
        )

    assert [confirm("wrong", t0 + timedelta(seconds=i)) for i in range(3)] == [False] * 3
    with pytest.raises(TooManyAttempts) as slowed:  # even the right password waits
        confirm(PASSWORD, t0 + timedelta(seconds=2.5))
    assert slowed.value.retry_after == 1
    with pytest.raises(TooManyAttempts):  # sign-in, from anywhere, sees the same failures
        attempt(session, "anna@stockholm.se", PASSWORD, t0 + timedelta(seconds=2.5), "10.7.7.7")
    assert attempt(session, "anna@stockholm.se", "wrong", t0 + timedelta(seconds=3.5)) is None
    with pytest.raises(TooManyAttempts):  # and a change waits for what sign-in failed
        confirm(PASSWORD, t0 + timedelta(seconds=4))
    assert confirm(PASSWORD, t0 + timedelta(seconds=6))
    count = select(func.count()).select_from(SignInFailure)
    assert session.scalar(count.where(SignInFailure.key == "account:anna@stockholm.se")) == 0


def test_one_address_trying_many_accounts_is_limited_too(session: Session) -> None:
    t0 = utcnow()
    for i in range(15):  # per address the limits are five times the account's
        assert attempt(session, f"guess{i}@example.org", "wrong", t0, address="10.9.9.9") is None
    with pytest.raises(TooManyAttempts):
        attempt(session, "guess99@example.org", "wrong", t0, address="10.9.9.9")
    assert attempt(session, "guess99@example.org", "wrong", t0, address="10.9.9.8") is None


def test_sessions_expire_are_revoked_and_stop_with_a_deactivated_person(session: Session) -> None:
    user = make_person(session)
    admin, _ = accounts.create_user(
        session=session, name="Root", role=Role.ADMIN, organisation=None
    )
    t0 = utcnow()
    first = sessions.start_session(
        session=session,
        user=user,
        client=Client("10.0.0.1", "Firefox"),
        lifetime=timedelta(hours=1),
        now=t0,
    )
    second = sessions.start_session(
        session=session, user=user, client=Client(), lifetime=timedelta(hours=1), now=t0
    )
    assert sessions.resolve_session(session=session, session_id=first, now=t0).user is user
    later = t0 + timedelta(hours=1, seconds=1)
    assert sessions.resolve_session(session=session, session_id=first, now=later) is None
    sessions.revoke_session(session=session, session_id=first)
    assert sessions.resolve_session(session=session, session_id=first, now=t0) is None
    assert sessions.resolve_session(session=session, session_id="kms_forged", now=t0) is None
    rows = sessions.live_sessions(session=session, user=user, now=t0)
    assert len(rows) == 1
    with pytest.raises(NotFound):
        sessions.end_session(session=session, user=admin, row_id=rows[0].id)
    _, key = accounts.create_api_key(session=session, user=user, name="script")
    assert accounts.authenticate(session=session, token=key) is user
    accounts.deactivate(session=session, actor=admin, user_id=user.id)
    assert sessions.resolve_session(session=session, session_id=second, now=t0) is None
    assert accounts.authenticate(session=session, token=key) is None


def test_api_keys_are_named_hashed_and_revoked_by_their_owner_only(session: Session) -> None:
    user = make_person(session)
    other = make_person(session, email="erik@malmo.se")
    key, secret = accounts.create_api_key(session=session, user=user, name="nightly export")
    assert secret.startswith("km_") and key.key_hash == accounts.hash_token(secret)
    assert secret not in key.key_hash
    assert [k.name for k in accounts.api_keys(session=session, user=user)] == [
        "token",
        "nightly export",
    ]
    with pytest.raises(NotFound):
        accounts.revoke_api_key(session=session, user=other, key_id=key.id)
    assert accounts.authenticate(session=session, token=secret) is user
    accounts.revoke_api_key(session=session, user=user, key_id=key.id)
    assert accounts.authenticate(session=session, token=secret) is None
    with pytest.raises(InvalidInput):
        accounts.create_api_key(session=session, user=user, name="  ")
