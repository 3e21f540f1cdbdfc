"""The messages of a registration: the link that confirms the e-mail, the coordinators' notice
of a registration waiting, the note to an address that has an account already, and the decision.
In the recipient's language (English when unknown). The link and the note to a known address
are composed by the mail job (`mail_queue`), which mints the link's token."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta
from gettext import NullTranslations

from sqlalchemy import select
from sqlalchemy.orm import Session

from klimatmatch.accounts.service import aware, mint_token
from klimatmatch.core import mail, mail_queue
from klimatmatch.core.settings import Settings
from klimatmatch.core.translations import translations
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
    values = {
        "name": organisation.name,
        "link": f"{settings.public_url.rstrip('/')}/ui/registrations",
    }
    tr = translations(recipient.language)
    body = tr.gettext(
        "Hello,\n\n%(name)s has registered as a company. Its profile is not matched until "
        "a coordinator approves it:\n%(link)s\n"
    )
    return mail.Message(
        to=recipient.email,
        subject=tr.gettext("%(name)s asks to join Klimatmatch") % values,
        body=body % values,
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
    tr = translations(user.language)
    body = tr.gettext(
        "Hello,\n\nConfirm this e-mail address to finish registering %(name)s (the link "
        "works once, for %(hours)s hours):\n%(link)s\n\nA coordinator then reviews the "
        "registration; your profile is matched once it is approved.\n\nIf you did not "
        "register, ignore this message.\n"
    )
    values = {
        "name": user.organisation.name if user.organisation else "",
        "hours": f"{valid.total_seconds() / 3600:g}",
        "link": f"{settings.public_url.rstrip('/')}/ui/register/{token}",
    }
    return mail.Message(
        recipient_id=user.id,
        to=user.email or "",
        subject=tr.gettext("Confirm your registration on Klimatmatch"),
        body=body % values,
    )


def exists_message(user: User, settings: Settings) -> mail.Message:
    base = settings.public_url.rstrip("/")
    tr = translations(user.language)
    body = tr.gettext(
        "Hello,\n\nSomeone tried to register a company with this e-mail address, which "
        "has an account already. Sign in here:\n%(sign_in)s\n\nForgot your password? Choose a "
        "new one here:\n%(forgot)s\n\nIf it was not you, ignore this message.\n"
    )
    return mail.Message(
        recipient_id=user.id,
        to=user.email or "",
        subject=tr.gettext("Your Klimatmatch account"),
        body=body % {"sign_in": f"{base}/ui/sign-in", "forgot": f"{base}/ui/forgot-password"},
    )


def decision_message(
    user: User, organisation: Organisation, decision: str, reason: str, settings: Settings
) -> mail.Message:
    subject, body = decision_texts(translations(user.language))[decision]
    values = {
        "name": organisation.name,
        "reason": reason,
        "link": f"{settings.public_url.rstrip('/')}/ui/opportunities",
    }
    return mail.Message(
        recipient_id=user.id, to=user.email or "", subject=subject, body=body % values
    )


def decision_texts(tr: NullTranslations) -> dict[str, tuple[str, str]]:
    """The subject and body of each decision's message."""
    return {
        "approved": (
            tr.gettext("Your company is approved on Klimatmatch"),
            tr.gettext(
                "Hello,\n\n%(name)s is approved: cities' shortlists include its profiles from "
                "now on. See the challenges that fit you:\n%(link)s\n"
            ),
        ),
        "declined": (
            tr.gettext("Your registration on Klimatmatch"),
            tr.gettext(
                "Hello,\n\nThe coordinators did not approve the registration of %(name)s:\n\n"
                "%(reason)s\n\nYour account is closed. Reply to this message if you think this "
                "is a mistake.\n"
            ),
        ),
    }
