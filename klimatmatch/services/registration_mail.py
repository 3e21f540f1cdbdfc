"""The messages of a registration: the link that confirms the e-mail, the coordinators' notice
of a registration waiting, the note to an address that has an account already, and the decision.
In the recipient's language (English when unknown)."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from klimatmatch.services import mail
from klimatmatch.settings import Settings
from models import Organisation, Role, User


def staff_emails(session: Session) -> list[tuple[str, str | None]]:
    rows = session.execute(
        select(User.email, User.language).where(
            User.role.in_((Role.COORDINATOR, Role.ADMIN)),
            User.active.is_(True),
            User.email.is_not(None),
        )
    )
    return [(email, language) for email, language in rows.all()]


def received_message(
    organisation: Organisation, address: str, language: str | None, settings: Settings
) -> mail.Message:
    link = f"{settings.public_url.rstrip('/')}/ui/registrations"
    return mail.Message(
        to=address,
        subject=mail.text("registration.received.subject", language, name=organisation.name),
        body=mail.text("registration.received.body", language, name=organisation.name, link=link),
    )


def confirm_message(user: User, token: str, valid: timedelta, settings: Settings) -> mail.Message:
    return mail.Message(
        to=user.email or "",
        subject=mail.text("registration.confirm.subject", user.language),
        body=mail.text(
            "registration.confirm.body",
            user.language,
            name=user.organisation.name if user.organisation else "",
            hours=f"{valid.total_seconds() / 3600:g}",
            link=f"{settings.public_url.rstrip('/')}/ui/register/{token}",
        ),
    )


def exists_message(user: User, settings: Settings) -> mail.Message:
    base = settings.public_url.rstrip("/")
    return mail.Message(
        to=user.email or "",
        subject=mail.text("registration.exists.subject", user.language),
        body=mail.text(
            "registration.exists.body",
            user.language,
            sign_in=f"{base}/ui/sign-in",
            forgot=f"{base}/ui/forgot-password",
        ),
    )


def decision_message(
    user: User, organisation: Organisation, decision: str, reason: str, settings: Settings
) -> mail.Message:
    return mail.Message(
        to=user.email or "",
        subject=mail.text(f"registration.{decision}.subject", user.language),
        body=mail.text(
            f"registration.{decision}.body",
            user.language,
            name=organisation.name,
            reason=reason,
            link=f"{settings.public_url.rstrip('/')}/ui/opportunities",
        ),
    )
