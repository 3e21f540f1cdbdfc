"""The alert jobs: `alerts` ranks companies for newly published challenges and e-mails the
people who want alerts at once; `digest-daily` and `digest-weekly` e-mail everyone else what
waited for them (an operator's cron runs `klimatmatch jobs submit digest-daily`).

Exactly once per person and item: notifications are unique per (person, kind, item), so a
rerun creates none twice; each e-mail's notifications are marked sent in the transaction right
after the SMTP server accepted it, so a job retried or restarted sends only what is still
unsent. When the server is down the job fails with an error the queue retries (back-off),
not a user's error that would end it.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Sequence
from dataclasses import dataclass
from weakref import WeakKeyDictionary

from sqlalchemy import or_, select, update
from sqlalchemy.orm import Session, sessionmaker

from klimatmatch.alerts import mail as alert_mail
from klimatmatch.alerts import service as alerts
from klimatmatch.core import access, mail
from klimatmatch.core.settings import Settings
from klimatmatch.jobs.registry import JobContext, register
from matcher import Match, MatchEngine
from models import Challenge, ChallengeStatus, CompanyProfile, Role, User
from models.alerts import AlertMatch, AlertPreference, Frequency, Notification, NotificationKind
from models.tables import utcnow

log = logging.getLogger("klimatmatch.jobs")
PASSES = 5


class MailServerDown(RuntimeError):
    """Not a KlimatmatchError on purpose: the job queue retries it with back-off."""


@dataclass
class Index:
    engine: MatchEngine
    version: int | None
    """The data version it holds, caught up before each use; None when someone else keeps it
    current (the API's own engine, which follows the change log)."""


_INDEXES: WeakKeyDictionary[sessionmaker[Session], Index] = WeakKeyDictionary()
_LOCK = threading.Lock()
"""One index per process and database: building one costs what a start-up costs, so a worker
builds it at its first alert job and catches it up from the change log afterwards."""


def use_engine(sessions: sessionmaker[Session], engine: MatchEngine) -> None:
    """The API's engine ranks the alert jobs its own thread runs (no broker configured)."""
    with _LOCK:
        _INDEXES[sessions] = Index(engine, None)


def _engine(context: JobContext, session: Session) -> MatchEngine:
    from klimatmatch.index import replication, snapshots
    from klimatmatch.index.embedding import build_engine

    with _LOCK:
        index = _INDEXES.get(context.sessions)
        if index is None:
            engine = build_engine(context.settings)
            report = snapshots.start(settings=context.settings, session=session, engine=engine)
            index = _INDEXES[context.sessions] = Index(engine, report.version)
        elif index.version is not None:
            current = replication.current_version(session=session)
            snapshots.catch_up(
                session=session, engine=index.engine, after=index.version, upto=current
            )
            index.version = current
        return index.engine


def match_pending(context: JobContext) -> int:
    """Rank companies for every challenge waiting in `alert_matches`; returns how many
    notifications were made. A challenge not yet in this index waits for the next run."""
    made = 0
    with context.sessions() as session:
        waiting = list(
            session.scalars(
                select(AlertMatch.challenge_id)
                .where(AlertMatch.matched_at.is_(None))
                .order_by(AlertMatch.created_at)
            )
        )
        if not waiting:
            return 0
        engine = _engine(context, session)
        session.commit()
        for challenge_id in waiting:
            made += _match_one(context, session, engine, challenge_id)
    return made


def _match_one(
    context: JobContext, session: Session, engine: MatchEngine, challenge_id: int
) -> int:
    challenge = session.get(Challenge, challenge_id)
    made = 0
    if challenge is not None and challenge.status == ChallengeStatus.PUBLISHED:
        if challenge_id not in engine.challenges:
            session.commit()
            return 0
        settings = context.settings
        matches = engine.shortlist(challenge_id, settings.alert_top_k, explain=False)
        for match in matches:
            company = session.get(CompanyProfile, match.document.id)
            if company is None or not company.approved or not _worth_telling(match, settings):
                continue
            item = alerts.Item(
                NotificationKind.MATCH,
                f"{challenge_id}:{company.id}",
                challenge.title,
                company.name,
                challenge_id=challenge_id,
                company_id=company.id,
                rank=_rank_on_own_list(engine, company.id, challenge_id, settings.default_k),
                score=float(match.score),
                strength=match.strength,
            )
            users = alerts.people(session, company.organisation_id, Role.COMPANY)
            made += len(alerts.notify(session=session, users=users, item=item))
    session.execute(
        update(AlertMatch)
        .where(AlertMatch.challenge_id == challenge_id)
        .values(matched_at=utcnow())
    )
    session.commit()
    return made


def _worth_telling(match: Match, settings: Settings) -> bool:
    """Strong enough by the stated threshold (an uncalibrated engine falls back to the score)."""
    if match.score < settings.alert_min_score:
        return False
    return match.strength is None or match.strength >= settings.alert_min_strength


def _rank_on_own_list(
    engine: MatchEngine, company_id: int, challenge_id: int, k: int
) -> int | None:
    """Where the challenge stands on the company's own list of challenges that fit it (the
    rank its page shows), None when below that list's `k`: the e-mail and the page agree."""
    for found in engine.opportunities(company_id, k, access.published_only(), explain=False):
        if found.document.id == challenge_id:
            return found.rank
    return None


def waiting_people(session: Session, frequencies: Sequence[Frequency]) -> list[int]:
    """People with unsent notifications who want e-mail at one of `frequencies`."""
    wanted = AlertPreference.frequency.in_(frequencies)
    if Frequency.IMMEDIATE in frequencies:
        wanted = or_(wanted, AlertPreference.user_id.is_(None))
    query = (
        select(Notification.user_id)
        .join(User, User.id == Notification.user_id)
        .outerjoin(AlertPreference, AlertPreference.user_id == Notification.user_id)
        .where(
            Notification.emailed_at.is_(None),
            Notification.email_skipped.is_(False),
            User.active.is_(True),
            User.email.is_not(None),
            wanted,
        )
        .distinct()
        .order_by(Notification.user_id)
    )
    return list(session.scalars(query))


def send_waiting(context: JobContext, frequencies: Sequence[Frequency]) -> int:
    """One e-mail per person with everything unsent; returns how many were accepted. Stops at
    the first refusal (the server is down for everyone) and raises for a retry."""
    with context.sessions() as session:
        user_ids = waiting_people(session, frequencies)
        session.commit()
    sent = 0
    context.progress(0, len(user_ids), "sending")
    for user_id in user_ids:
        with context.sessions() as session:
            sent += _send_one(context, session, user_id)
        context.progress(sent, len(user_ids), "sending")
    return sent


def _send_one(context: JobContext, session: Session, user_id: int) -> int:
    rows = list(
        session.scalars(
            select(Notification)
            .where(
                Notification.user_id == user_id,
                Notification.emailed_at.is_(None),
                Notification.email_skipped.is_(False),
            )
            .order_by(Notification.created_at, Notification.id)
        )
    )
    user = session.get(User, user_id)
    if not rows or user is None or not user.email:
        session.commit()
        return 0
    token = alerts.preference(session=session, user_id=user_id).unsubscribe_token
    message = alert_mail.compose(user=user, rows=rows, token=token, settings=context.settings)
    ids = [row.id for row in rows]
    session.commit()  # the token is kept before any e-mail carries it
    try:
        mail.send(message, settings=context.settings)
    except mail.MailNotSent as error:
        _record_failure(session, ids, str(error.message))
        raise MailServerDown(error.message) from error
    session.execute(
        update(Notification)
        .where(Notification.id.in_(ids), Notification.emailed_at.is_(None))
        .values(emailed_at=utcnow(), email_attempts=Notification.email_attempts + 1)
    )
    session.commit()
    return 1


def _record_failure(session: Session, ids: list[int], error: str) -> None:
    session.execute(
        update(Notification)
        .where(Notification.id.in_(ids))
        .values(email_attempts=Notification.email_attempts + 1, email_error=error[:500])
    )
    session.commit()


@register("alerts", unit="e-mails")
def alerts_job(context: JobContext) -> str:
    """Match what was published, then e-mail those who want alerts at once; again while
    new work arrived meanwhile (a kick during this run found it running and queued nothing)."""
    made = sent = 0
    for _ in range(PASSES):
        made_now = match_pending(context)
        sent_now = send_waiting(context, [Frequency.IMMEDIATE])
        made, sent = made + made_now, sent + sent_now
        if not made_now and not sent_now:
            break
    return f"{made} new alerts, {sent} e-mails sent"


@register("digest-daily", unit="e-mails")
def daily_digest(context: JobContext) -> str:
    made = match_pending(context)
    sent = send_waiting(context, [Frequency.DAILY, Frequency.IMMEDIATE])
    return f"daily digest: {sent} e-mails sent ({made} new alerts)"


@register("digest-weekly", unit="e-mails")
def weekly_digest(context: JobContext) -> str:
    made = match_pending(context)
    sent = send_waiting(context, [Frequency.WEEKLY])
    return f"weekly digest: {sent} e-mails sent ({made} new alerts)"
