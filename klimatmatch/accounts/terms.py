"""The terms a person accepts: which version, and when, recorded at registration and at
accepting an invitation (the forms' checkbox), so the service can show what each person agreed
to if the terms change."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from klimatmatch.core.errors import InvalidInput
from models import TermsAcceptance, User
from models.tables import utcnow


def missing(version: str) -> str:
    """The refusal of a form whose terms box was left unticked, naming the field."""
    return f"terms: tick the box to accept the terms (version {version})"


def required(accepted: bool, version: str) -> str:
    """The version being accepted; refuses a form whose box was left unticked."""
    if not accepted:
        raise InvalidInput(missing(version))
    return version


def record(
    *, session: Session, user: User, version: str, now: datetime | None = None
) -> TermsAcceptance:
    row = TermsAcceptance(user_id=user.id, version=version, accepted_at=now or utcnow())
    session.add(row)
    session.flush()
    return row


def accepted(*, session: Session, user: User) -> list[TermsAcceptance]:
    """Every version the person accepted, the newest last."""
    return list(
        session.scalars(
            select(TermsAcceptance)
            .where(TermsAcceptance.user_id == user.id)
            .order_by(TermsAcceptance.accepted_at, TermsAcceptance.id)
        )
    )
