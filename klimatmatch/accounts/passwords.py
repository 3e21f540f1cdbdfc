"""Passwords: hashed with argon2id (argon2-cffi), memory-hard so a stolen table is slow to
guess; a hash made with older parameters is replaced at the next sign-in."""

from __future__ import annotations

from functools import lru_cache
from typing import Literal

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

from klimatmatch.core.errors import InvalidInput
from models import User

MIN_PASSWORD = 10
MAX_PASSWORD = 200


class CountingHasher(PasswordHasher):
    """argon2id, counting its computations (hashes and verifications): an answer that must
    not tell whether an account exists must do the same work either way, and this count is
    how that is checked, where wall time on a busy machine could not be."""

    def __init__(self) -> None:
        super().__init__()
        self.computations = 0

    def hash(self, password: str | bytes, *, salt: bytes | None = None) -> str:
        self.computations += 1
        return super().hash(password, salt=salt)

    def verify(self, hash: str | bytes, password: str | bytes) -> Literal[True]:  # noqa: A002
        self.computations += 1
        return super().verify(hash, password)


@lru_cache
def password_hasher() -> CountingHasher:
    """argon2id with the library's current recommended parameters (RFC 9106 low-memory)."""
    return CountingHasher()


@lru_cache
def _dummy_hash() -> str:
    return password_hasher().hash("not anyone's password")


def check_password(password: str, *, email: str = "") -> None:
    if not MIN_PASSWORD <= len(password) <= MAX_PASSWORD:
        raise InvalidInput(
            f"password: use {MIN_PASSWORD} to {MAX_PASSWORD} characters (a few words work well)"
        )
    if email and password.strip().lower() == email:
        raise InvalidInput("password: must not be your e-mail address")


def hash_password(password: str, *, email: str = "") -> str:
    """The argon2id hash of an acceptable password (InvalidInput names what is wrong)."""
    check_password(password, email=email)
    return password_hasher().hash(password)


def set_password(user: User, password: str) -> None:
    user.password_hash = hash_password(password, email=user.email or "")


def verify_password(user: User | None, password: str) -> bool:
    """True when `password` is the user's. Without a user (an unknown e-mail) a dummy hash is
    verified all the same, so the answer takes as long whether the e-mail exists or not."""
    stored = user.password_hash if user is not None and user.password_hash else _dummy_hash()
    try:
        password_hasher().verify(stored, password)
    except (VerificationError, InvalidHashError):
        return False
    if user is None or not user.password_hash:
        return False
    if password_hasher().check_needs_rehash(user.password_hash):
        user.password_hash = password_hasher().hash(password)
    return True
