"""Single-use links sent by e-mail: invitations (a coordinator or administrator brings a person
in) and password resets.

Only a sha256 of each link's token is stored, so the table cannot be used to open the links.
A link works once and until it expires; a used or expired one is refused with a message that
says which, so the person knows to ask for a new one. The e-mail is sent by the job queue
(`mail_queue`), which mints the link's token as it writes the message: a request stores a row
that opens nothing until then."""

from __future__ import annotations

from datetime import datetime, timedelta
from gettext import NullTranslations
from typing import TypeVar

from sqlalchemy import func, select, update
from sqlalchemy.orm import Session

from klimatmatch.accounts import passwords, sessions, terms
from klimatmatch.accounts import service as accounts
from klimatmatch.accounts.service import aware, hash_token
from klimatmatch.accounts.sessions import Client
from klimatmatch.core import access, mail, mail_queue
from klimatmatch.core.errors import Conflict, Forbidden, KlimatmatchError, NotFound
from klimatmatch.core.settings import Settings
from klimatmatch.core.translations import LANGUAGES, SOURCE_LANGUAGE, translations
from models import Invitation, PasswordReset, Role, User
from models.tables import utcnow

INVITABLE = {
    Role.COORDINATOR: (Role.CITY, Role.COMPANY, Role.COORDINATOR),
    Role.ADMIN: tuple(Role),
}


class LinkRefused(KlimatmatchError):
    """A link that was used already or has expired."""

    status_code = 410
    title = "Gone"


def invite(
    *,
    session: Session,
    actor: User,
    email: str,
    role: Role,
    organisation: str | None,
    name: str,
    language: str,
    settings: Settings,
    now: datetime | None = None,
) -> Invitation:
    """Stores an invitation and queues the e-mail with its link; coordinators invite cities,
    companies and other coordinators, administrators anyone."""
    if not access.is_staff(actor):
        raise Forbidden("only coordinators and administrators invite people")
    if role not in INVITABLE[actor.role]:
        raise Forbidden(f"a {actor.role.value} cannot invite a {role.value}")
    email = accounts.normalise_email(email)
    if accounts.user_by_email(session=session, email=email) is not None:
        raise Conflict(f"an account for {email} exists already")
    now = now or utcnow()
    invitation = Invitation(
        token_hash=accounts.sealed_token_hash(),
        email=email,
        name=name.strip()[:200],
        role=role,
        organisation_id=accounts.organisation_for(
            session=session, role=role, organisation=organisation
        ),
        language=language if language in LANGUAGES else SOURCE_LANGUAGE,
        invited_by_id=actor.id,
        created_at=now,
        expires_at=now + timedelta(days=settings.invitation_days),
    )
    session.add(invitation)
    session.flush()
    session.refresh(invitation)
    mail_queue.enqueue(session=session, kind="invitation", invitation_id=invitation.id)
    session.commit()
    return invitation


@mail_queue.composer("invitation")
def invitation_mail(
    *, session: Session, settings: Settings, invitation_id: int
) -> mail.Message | None:
    """The invitation with a freshly minted link, unless it was used or has expired."""
    invitation = session.get(Invitation, invitation_id)
    if invitation is None or invitation.used_at is not None:
        return None
    if aware(invitation.expires_at) <= utcnow():
        return None
    token = accounts.mint_token(invitation)
    inviter = session.get(User, invitation.invited_by_id) if invitation.invited_by_id else None
    tr = translations(invitation.language)
    role = role_phrase(tr, invitation.role)
    if invitation.organisation:
        role = tr.gettext("%(role)s for %(organisation)s") % {
            "role": role,
            "organisation": invitation.organisation.name,
        }
    body = tr.gettext(
        "Hello,\n\n%(inviter)s invites you to Klimatmatch as %(role)s.\n\n"
        "Choose your password here (the link works once, until %(expires)s UTC):\n%(link)s\n\n"
        "If you did not expect this invitation, ignore this message.\n"
    )
    values = {
        "inviter": inviter.name if inviter is not None else "Klimatmatch",
        "role": role,
        "expires": f"{aware(invitation.expires_at):%Y-%m-%d %H:%M}",
        "link": f"{settings.public_url.rstrip('/')}/ui/invitations/{token}",
    }
    subject = tr.gettext("You are invited to Klimatmatch")
    return mail.Message(to=invitation.email, subject=subject, body=body % values)


def role_phrase(tr: NullTranslations, role: Role) -> str:
    """The role as the invitation's sentence names it ("... as a city")."""
    return {
        Role.CITY: tr.gettext("a city"),
        Role.COMPANY: tr.gettext("a company"),
        Role.COORDINATOR: tr.gettext("a coordinator"),
        Role.ADMIN: tr.gettext("an administrator"),
    }[role]


def accept_invitation(
    *,
    session: Session,
    token: str,
    name: str,
    password: str,
    client: Client,
    settings: Settings,
    now: datetime | None = None,
    terms_version: str = "",
) -> tuple[User, str]:
    """Creates the invited account with its password, records the terms accepted on the form,
    and signs the person in (session id)."""
    now = now or utcnow()
    invitation = open_invitation(session=session, token=token, now=now)
    passwords.check_password(password, email=invitation.email)
    user, _ = accounts.create_user(
        session=session,
        name=name.strip()[:200] or invitation.name or invitation.email,
        role=invitation.role,
        organisation=invitation.organisation.name if invitation.organisation else None,
        email=invitation.email,
        password=password,
        language=invitation.language,
        api_key=False,
    )
    invitation.used_at = now
    if terms_version:
        terms.record(session=session, user=user, version=terms_version, now=now)
    return _sign_in(session, user, client, settings, now)


RESETS_PER_WINDOW = 3
RESET_WINDOW = timedelta(hours=1)
"""At most three reset mails an hour per account; further requests get the same answer."""


def request_reset(
    *, session: Session, email: str, settings: Settings, now: datetime | None = None
) -> None:
    """Queues a reset link for an active account with this e-mail; says nothing either way."""
    user = accounts.user_by_email(session=session, email=email)
    if user is None or not user.active or user.email is None:
        return
    now = now or utcnow()
    recent = session.scalar(
        select(func.count())
        .select_from(PasswordReset)
        .where(PasswordReset.user_id == user.id, PasswordReset.created_at > now - RESET_WINDOW)
    )
    if (recent or 0) >= RESETS_PER_WINDOW:  # nobody can flood a person's inbox with links
        return
    reset = PasswordReset(
        token_hash=accounts.sealed_token_hash(),
        user_id=user.id,
        created_at=now,
        expires_at=now + timedelta(minutes=settings.reset_minutes),
    )
    session.add(reset)
    session.flush()
    mail_queue.enqueue(session=session, kind="reset", reset_id=reset.id)
    session.commit()


@mail_queue.composer("reset")
def reset_mail(*, session: Session, settings: Settings, reset_id: int) -> mail.Message | None:
    """The reset link, freshly minted, unless it was used, has expired or the account stopped."""
    reset = session.get(PasswordReset, reset_id)
    if reset is None or reset.used_at is not None or aware(reset.expires_at) <= utcnow():
        return None
    user = session.get(User, reset.user_id)
    if user is None or not user.active or user.email is None:
        return None
    token = accounts.mint_token(reset)
    minutes = (aware(reset.expires_at) - aware(reset.created_at)).total_seconds() / 60
    link = f"{settings.public_url.rstrip('/')}/ui/reset/{token}"
    tr = translations(user.language)
    body = tr.gettext(
        "Hello,\n\nSomeone (hopefully you) asked for a new password for %(email)s.\n\n"
        "Choose it here (the link works once, for %(minutes)s minutes):\n%(link)s\n\n"
        "If it was not you, ignore this message: your password stays as it is.\n"
    )
    return mail.Message(
        to=user.email,
        subject=tr.gettext("A new password for Klimatmatch"),
        body=body % {"email": user.email, "minutes": f"{minutes:g}", "link": link},
        recipient_id=user.id,
    )


def reset_password(
    *,
    session: Session,
    token: str,
    password: str,
    client: Client,
    settings: Settings,
    now: datetime | None = None,
) -> tuple[User, str]:
    """Sets the new password, ends every other session of the person, and signs them in."""
    now = now or utcnow()
    reset = open_reset(session=session, token=token, now=now)
    user = session.get(User, reset.user_id)
    if user is None or not user.active:
        raise LinkRefused("this account is no longer active")
    passwords.set_password(user, password)
    session.execute(
        update(PasswordReset)
        .where(PasswordReset.user_id == user.id, PasswordReset.used_at.is_(None))
        .values(used_at=now)
    )
    sessions.end_other_sessions(session=session, user=user)
    return _sign_in(session, user, client, settings, now)


def pending_invitations(*, session: Session, now: datetime | None = None) -> list[Invitation]:
    now = now or utcnow()
    rows = session.scalars(
        select(Invitation).where(Invitation.used_at.is_(None)).order_by(Invitation.id.desc())
    )
    return [row for row in rows if aware(row.expires_at) > now]


def open_invitation(*, session: Session, token: str, now: datetime | None = None) -> Invitation:
    """The invitation a link opens, while it is unused and in time."""
    return _open_link(session, Invitation, token, now, _INVITATION_REFUSED)


def open_reset(*, session: Session, token: str, now: datetime | None = None) -> PasswordReset:
    """The password reset a link opens, while it is unused and in time."""
    return _open_link(session, PasswordReset, token, now, _RESET_REFUSED)


_Refusals = tuple[str, str, str]
"""What a person is told of a link that is not known, used already, or expired."""
_INVITATION_REFUSED: _Refusals = (
    "this invitation link is not known: check that it was copied whole",
    "this invitation has been used already: sign in with your e-mail",
    "this invitation has expired: ask the person who invited you for a new one",
)
_RESET_REFUSED: _Refusals = (
    "this reset link is not known: check that it was copied whole",
    "this reset link has been used already: ask for a new one",
    "this reset link has expired: ask for a new one",
)
_Link = TypeVar("_Link", Invitation, PasswordReset)


def _open_link(
    session: Session, table: type[_Link], token: str, now: datetime | None, refusals: _Refusals
) -> _Link:
    """The link's row, found by its token's hash, if it still opens anything."""
    unknown, used, expired = refusals
    link = session.scalar(select(table).where(table.token_hash == hash_token(token)))
    if link is None:
        raise NotFound(unknown)
    if link.used_at is not None:
        raise LinkRefused(used)
    if aware(link.expires_at) <= (now or utcnow()):
        raise LinkRefused(expired)
    return link


def _sign_in(
    session: Session, user: User, client: Client, settings: Settings, now: datetime
) -> tuple[User, str]:
    """A link that set a password also signs its person in: the session id, committed."""
    lifetime = timedelta(hours=settings.session_hours)
    session_id = sessions.start_session(
        session=session, user=user, client=client, lifetime=lifetime, now=now
    )
    session.commit()
    return user, session_id
