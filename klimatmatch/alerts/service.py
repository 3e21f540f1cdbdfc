"""Alerts: the inbox every person has, how often they want e-mail about it, and the hooks that
put items in it when something happens that they should hear of.

The hooks run inside the caller's transaction, before its commit, so an alert exists exactly
when the thing it tells of does: a city's people get a notification when interest is stated
or an invitation answered; a published challenge joins `alert_matches`, which the alert job
ranks later (the engine's work does not belong in a request). Every notification is unique
per (person, kind, item), so running any of this twice creates nothing twice. E-mail is the
alert job's (klimatmatch.alerts.tasks); committing a hook's work kicks that job when the API
installed a kicker (`install`)."""

from __future__ import annotations

import secrets
from collections.abc import Callable, Iterable
from dataclasses import dataclass

from sqlalchemy import event, func, select, update
from sqlalchemy.orm import Session, sessionmaker

from klimatmatch.core.errors import NotFound
from models import Challenge, ChallengeStatus, CompanyProfile, Role, User
from models.alerts import AlertMatch, AlertPreference, Frequency, Notification, NotificationKind
from models.engagement import ExpressionOfInterest, WorkshopInvitation
from models.tables import utcnow

_KICK = "klimatmatch.alerts.kick"
_AFTER_INDEXING = "klimatmatch.alerts.after_indexing"


@dataclass(frozen=True)
class Item:
    """One notification to make: what it is about, for whom it is made is the caller's."""

    kind: NotificationKind
    key: str
    title: str
    body: str = ""
    """The company's name: the other party of every kind of alert."""
    challenge_id: int | None = None
    company_id: int | None = None
    rank: int | None = None
    """A match's rank on the company's own list of challenges (as its page shows it)."""
    score: float | None = None
    strength: float | None = None
    mailed_apart: bool = False
    """Its own e-mail went out already (an approval): the digest leaves it out."""


def challenge_published(*, session: Session, challenge: Challenge) -> None:
    """Hook for every write of a challenge: a published one waits to be matched for alerts,
    once (editing it later, or archiving and publishing again, alerts nobody twice)."""
    if challenge.status != ChallengeStatus.PUBLISHED:
        return
    if challenge.id is None:
        session.flush()
    if session.get(AlertMatch, challenge.id) is None:
        session.add(AlertMatch(challenge_id=challenge.id))
        session.info[_AFTER_INDEXING] = True


def challenge_indexed(session: Session) -> None:
    """Hook after the written challenge reached this process's index: only now may the alert
    job rank it (queued at the first commit, it found the challenge missing and left it
    waiting for a cron run that a laptop never has)."""
    if session.info.pop(_AFTER_INDEXING, False):
        _kick(session)


def interest_stated(*, session: Session, interest: ExpressionOfInterest) -> None:
    """Hook: the challenge's city hears that a company stated interest."""
    session.flush()
    _tell_city(session, interest, NotificationKind.INTEREST, str(interest.id))


def invitation_answered(*, session: Session, invitation: WorkshopInvitation) -> None:
    """Hook: the challenge's city hears of each answer (a changed mind is a new item; the
    answer is the key's second part, the reason is on the challenge's page)."""
    key = f"{invitation.id}:{invitation.answer.value}"
    _tell_city(session, invitation, NotificationKind.ANSWER, key)


def _tell_city(
    session: Session,
    about: ExpressionOfInterest | WorkshopInvitation,
    kind: NotificationKind,
    key: str,
) -> None:
    """The challenge's city people get an item naming the company (none if either is gone)."""
    challenge = session.get(Challenge, about.challenge_id)
    company = session.get(CompanyProfile, about.company_id)
    if challenge is None or company is None:
        return
    item = Item(
        kind, key, challenge.title, company.name, challenge_id=challenge.id, company_id=company.id
    )
    notify(session=session, users=people(session, challenge.organisation_id, Role.CITY), item=item)


def people(session: Session, organisation_id: int, role: Role) -> list[User]:
    """The active accounts of an organisation that act for it."""
    rows = session.scalars(
        select(User).where(
            User.organisation_id == organisation_id, User.role == role, User.active.is_(True)
        )
    )
    return list(rows)


def notify(*, session: Session, users: Iterable[User], item: Item) -> list[Notification]:
    """A notification per person that has none for this item yet; returns the new ones."""
    ids = {user.id for user in users}
    if not ids:
        return []
    have = set(
        session.scalars(
            select(Notification.user_id).where(
                Notification.user_id.in_(ids),
                Notification.kind == item.kind,
                Notification.item_key == item.key,
            )
        )
    )
    wanted = {user.id: frequency(session=session, user_id=user.id) for user in users}
    made = [
        Notification(
            user_id=user_id,
            kind=item.kind,
            item_key=item.key,
            title=item.title[:300],
            body=item.body,
            challenge_id=item.challenge_id,
            company_id=item.company_id,
            rank=item.rank,
            score=item.score,
            strength=item.strength,
            email_skipped=item.mailed_apart or wanted[user_id] is Frequency.NEVER,
        )
        for user_id in sorted(ids - have)
    ]
    session.add_all(made)
    if any(not row.email_skipped for row in made):
        _kick(session)
    return made


def frequency(*, session: Session, user_id: int) -> Frequency:
    row = session.get(AlertPreference, user_id)
    return Frequency.IMMEDIATE if row is None else row.frequency


def preference(*, session: Session, user_id: int) -> AlertPreference:
    """The person's row, made (immediate, with its unsubscribe token) on first need."""
    row = session.get(AlertPreference, user_id)
    if row is None:
        row = AlertPreference(
            user_id=user_id, frequency=Frequency.IMMEDIATE, unsubscribe_token=new_token()
        )
        session.add(row)
        session.flush()
    return row


def set_frequency(*, session: Session, user: User, value: Frequency) -> AlertPreference:
    """Choosing "never" also stops what is waiting for a digest: it stays in the inbox."""
    row = preference(session=session, user_id=user.id)
    row.frequency = value
    if value is Frequency.NEVER:
        session.execute(
            update(Notification)
            .where(Notification.user_id == user.id, Notification.emailed_at.is_(None))
            .values(email_skipped=True)
        )
    return row


def unsubscribe(*, session: Session, token: str) -> AlertPreference:
    row = session.scalar(select(AlertPreference).where(AlertPreference.unsubscribe_token == token))
    if row is None:
        raise NotFound("this unsubscribe link is unknown")
    user = session.get(User, row.user_id)
    assert user is not None
    return set_frequency(session=session, user=user, value=Frequency.NEVER)


def by_token(*, session: Session, token: str) -> AlertPreference | None:
    return session.scalar(select(AlertPreference).where(AlertPreference.unsubscribe_token == token))


def new_token() -> str:
    return secrets.token_urlsafe(32)


def inbox(
    *, session: Session, user: User, limit: int = 50, offset: int = 0, unread_only: bool = False
) -> tuple[list[Notification], int, int]:
    """(page, count, unread): the person's own notifications, newest first."""
    own = select(Notification).where(Notification.user_id == user.id)
    if unread_only:
        own = own.where(Notification.read_at.is_(None))
    rows = session.scalars(
        own.order_by(Notification.created_at.desc(), Notification.id.desc())
        .limit(limit)
        .offset(offset)
    )
    count = session.scalar(select(func.count()).select_from(own.subquery())) or 0
    return list(rows), count, unread(session=session, user=user)


def unread(*, session: Session, user: User) -> int:
    query = select(func.count()).where(
        Notification.user_id == user.id, Notification.read_at.is_(None)
    )
    return session.scalar(query) or 0


def mark_read(*, session: Session, user: User, notification_id: int) -> Notification:
    """Another person's notification does not exist for this one (404, never 403)."""
    row = session.get(Notification, notification_id)
    if row is None or row.user_id != user.id:
        raise NotFound(f"notification {notification_id} does not exist")
    if row.read_at is None:
        row.read_at = utcnow()
    return row


def mark_all_read(*, session: Session, user: User) -> int:
    result = session.execute(
        update(Notification)
        .where(Notification.user_id == user.id, Notification.read_at.is_(None))
        .values(read_at=utcnow())
    )
    return int(result.rowcount or 0)


def _kick(session: Session) -> None:
    session.info[_KICK] = True


def install(sessions: sessionmaker[Session], kick: Callable[[], None]) -> None:
    """Call `kick` (queue the alert job) after a commit that made alert work; a rollback
    forgets it. Without this (the command line, a worker) the work waits for the next job."""

    def after_commit(session: Session) -> None:
        if session.info.pop(_KICK, False):
            kick()

    event.listen(sessions, "after_commit", after_commit)

    def forget(session: Session) -> None:
        session.info.pop(_KICK, None)
        session.info.pop(_AFTER_INDEXING, None)

    event.listen(sessions, "after_rollback", forget)


def answer_of(row: Notification) -> str:
    """ "accepted" or "declined" for an answer's notification (its key is "invitation:answer")."""
    return row.item_key.rpartition(":")[2]
