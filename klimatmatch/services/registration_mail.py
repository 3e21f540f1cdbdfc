"""The messages of a registration: the link that confirms the e-mail, the coordinators' notice
of a registration waiting, the note to an address that has an account already, and the decision.
In the recipient's language (English when unknown). The link and the note to a known address
are composed by the mail job (`mail_queue`), which mints the link's token."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from klimatmatch.services import mail, mail_queue
from klimatmatch.services.accounts import aware, mint_token
from klimatmatch.settings import Settings
from models import Organisation, PasswordReset, Role, User
from models.tables import utcnow


@dataclass(frozen=True)
class Recipient:
    id: int
    email: str
    language: str | None


def staff_recipients(session: Session) -> list[Recipient]:
    rows = session.execute(
        select(User.id, User.email, User.language).where(
            User.role.in_((Role.COORDINATOR, Role.ADMIN)),
            User.active.is_(True),
            User.email.is_not(None),
        )
    )
    return [Recipient(*row) for row in rows.all()]


def received_message(
    organisation: Organisation, recipient: Recipient, settings: Settings
) -> mail.Message:
    link = f"{settings.public_url.rstrip('/')}/ui/registrations"
    language, name = recipient.language, organisation.name
    return mail.Message(
        to=recipient.email,
        subject=mail.text("registration.received.subject", language, name=name),
        body=mail.text("registration.received.body", language, name=name, link=link),
        recipient_id=recipient.id,
    )


@mail_queue.composer("registration.confirm")
def confirm_mail(*, session: Session, settings: Settings, link_id: int) -> mail.Message | None:
    """The confirmation link, freshly minted, unless it was used (or closed by a decline) or
    has expired."""
    link = session.get(PasswordReset, link_id)
    if link is None or link.used_at is not None or aware(link.expires_at) <= utcnow():
        return None
    user = session.get(User, link.user_id)
    if user is None or user.email is None:
        return None
    valid = aware(link.expires_at) - aware(link.created_at)
    return confirm_message(user, mint_token(link), valid, settings)


@mail_queue.composer("registration.exists")
def exists_mail(*, session: Session, settings: Settings, user_id: int) -> mail.Message | None:
    user = session.get(User, user_id)
    return exists_message(user, settings) if user is not None and user.email else None


def confirm_message(user: User, token: str, valid: timedelta, settings: Settings) -> mail.Message:
    return mail.Message(
        recipient_id=user.id,
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
        recipient_id=user.id,
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
        recipient_id=user.id,
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
