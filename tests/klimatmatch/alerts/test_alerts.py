"""Alerts end to end on the real job queue (in-process), a real SMTP server and the engine:
matches by strength (as the pages show it) and rank on the company's own list, city alerts,
frequencies, unsubscribing, and exactly-once e-mail across an SMTP server that stops in the
middle of a digest."""

from __future__ import annotations

import asyncio
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from aiosmtpd.controller import Controller
from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, sessionmaker

from klimatmatch.alerts import service as alerts
from klimatmatch.catalogue.importing import import_file
from klimatmatch.core.settings import Settings
from klimatmatch.index import snapshots
from klimatmatch.index.embedding import build_engine
from klimatmatch.jobs import JobQueue
from matcher import Filters, MatchEngine
from models import Challenge, ChallengeStatus, CompanyProfile, Job, JobState, Role, User
from models.alerts import AlertMatch, Frequency, Notification, NotificationKind
from models.engagement import Answer, ExpressionOfInterest, WorkshopInvitation
from tests import mailbox
from tests.conftest import SAMPLE
from tests.klimatmatch.jobs.conftest import job_settings, wait_for
from tests.mailbox import Mailbox, free_port

smtp = mailbox.smtp  # a real SMTP server in this process


def seeded(settings: Settings) -> sessionmaker[Session]:
    from models import create_db_engine, session_factory
    from models.migrate import upgrade

    db = create_db_engine(settings.database_url)
    upgrade(db)
    sessions = session_factory(db)
    with sessions() as session:
        for name in ("challenges.csv", "companies.csv"):
            import_file(session=session, path=SAMPLE / name)
        session.commit()
    return sessions


def person(session: Session, organisation_id: int, role: Role, name: str) -> User:
    user = User(name=name, role=role, organisation_id=organisation_id, email=f"{name}@example.org")
    session.add(user)
    session.flush()
    return user


def submit(queue: JobQueue, sessions: sessionmaker[Session], kind: str) -> Job:
    with sessions() as session:
        job, _ = queue.submit(session=session, kind=kind, arguments={})
    return wait_for(sessions, job.id)


@pytest.fixture
def world(tmp_path: Path, smtp: Mailbox) -> Iterator[tuple[Settings, sessionmaker[Session]]]:
    settings = job_settings(
        tmp_path,
        smtp_host="127.0.0.1",
        smtp_port=smtp.port,
        smtp_tls="none",
        alert_top_k=5,
        alert_min_strength=0.0,
    )
    yield settings, seeded(settings)


def own_rank(engine: MatchEngine, company_id: int, challenge_id: int, k: int) -> int | None:
    published = Filters(statuses=frozenset({"published"}))
    ranked = engine.opportunities(company_id, k, published, explain=False)
    return next((m.rank for m in ranked if m.document.id == challenge_id), None)


def test_a_published_challenge_alerts_the_top_ranked_companies_once(world, smtp: Mailbox) -> None:
    """Each alert carries the pair's strength (the shortlist's figure) and the challenge's
    rank on the company's own list: what the e-mail says, the pages say."""
    settings, sessions = world
    with sessions() as session:
        companies = list(session.scalars(select(CompanyProfile)))
        owners = {
            c.organisation_id: person(session, c.organisation_id, Role.COMPANY, f"c{c.id}")
            for c in companies
        }
        challenge = session.scalar(select(Challenge).where(Challenge.status == "published"))
        challenge_id = challenge.id
        alerts.challenge_published(session=session, challenge=challenge)
        alerts.challenge_published(session=session, challenge=challenge)  # once is enough
        session.commit()
        engine = build_engine(settings)
        snapshots.start(settings=settings, session=session, engine=engine)
        shortlist = engine.shortlist(challenge_id, 5, explain=False)
        expected = {
            (
                owners[session.get(CompanyProfile, m.document.id).organisation_id].id,
                own_rank(engine, m.document.id, challenge_id, settings.default_k),
                m.strength,
            )
            for m in shortlist
        }
        assert all(m.strength is not None for m in shortlist)
    queue = JobQueue(settings, sessions, backoff_ms=20)
    try:
        job = submit(queue, sessions, "alerts")
        assert job.state is JobState.DONE, job.error
        with sessions() as session:
            session.add(AlertMatch(challenge_id=challenge_id))  # one row per challenge
            with pytest.raises(IntegrityError):
                session.flush()
            session.rollback()
            session.get(AlertMatch, challenge_id).matched_at = None  # a rerun ranks again
            session.commit()
        again = submit(queue, sessions, "alerts")
        assert again.state is JobState.DONE, again.error
    finally:
        queue.close()
    with sessions() as session:
        rows = list(session.scalars(select(Notification)))
        got = {(row.user_id, row.rank, row.strength) for row in rows}
        assert got == expected and len(rows) == 5
        assert all(row.kind is NotificationKind.MATCH and row.score is not None for row in rows)
        assert all(row.emailed_at is not None for row in rows)
        addresses = [session.get(User, row.user_id).email for row in rows]
    for address in addresses:
        received = [m for m in smtp.messages if m["To"] == address]
        assert len(received) == 1, address
        assert received[0]["List-Unsubscribe"].startswith("<http://127.0.0.1:8000/ui/unsubscribe/")
        text = received[0].get_content()
        assert "match (" in text and "%)" in text and "/ui/challenges/" in text


def test_a_weak_match_alerts_nobody(tmp_path: Path, smtp: Mailbox) -> None:
    settings = job_settings(
        tmp_path,
        smtp_host="127.0.0.1",
        smtp_port=smtp.port,
        smtp_tls="none",
        alert_min_strength=0.999,
    )
    sessions = seeded(settings)
    with sessions() as session:
        for c in session.scalars(select(CompanyProfile)):
            person(session, c.organisation_id, Role.COMPANY, f"w{c.id}")
        challenge = session.scalar(select(Challenge).where(Challenge.status == "published"))
        alerts.challenge_published(session=session, challenge=challenge)
        session.commit()
    queue = JobQueue(settings, sessions, backoff_ms=20)
    try:
        assert submit(queue, sessions, "alerts").state is JobState.DONE
    finally:
        queue.close()
    with sessions() as session:
        assert session.scalar(select(func.count()).select_from(Notification)) == 0


def test_cities_hear_of_interest_and_answers_and_never_means_no_email(world, smtp) -> None:
    settings, sessions = world
    with sessions() as session:
        challenge = session.scalar(select(Challenge).where(Challenge.status == "published"))
        company = session.scalar(select(CompanyProfile))
        anna = person(session, challenge.organisation_id, Role.CITY, "anna")
        olle = person(session, challenge.organisation_id, Role.CITY, "olle")
        person(session, company.organisation_id, Role.COMPANY, "notcity")  # not the city
        alerts.set_frequency(session=session, user=olle, value=Frequency.NEVER)
        interest = ExpressionOfInterest(
            challenge_id=challenge.id, company_id=company.id, pitch="We can do it well."
        )
        session.add(interest)
        alerts.interest_stated(session=session, interest=interest)
        alerts.interest_stated(session=session, interest=interest)  # a retry: nothing new
        invitation = WorkshopInvitation(challenge_id=challenge.id, company_id=company.id)
        session.add(invitation)
        session.flush()
        invitation.answer = Answer.DECLINED
        alerts.invitation_answered(session=session, invitation=invitation)
        session.commit()
        anna_id, olle_id = anna.id, olle.id
    queue = JobQueue(settings, sessions, backoff_ms=20)
    try:
        assert submit(queue, sessions, "alerts").state is JobState.DONE
    finally:
        queue.close()
    with sessions() as session:
        kinds = dict(
            session.execute(
                select(Notification.user_id, func.count()).group_by(Notification.user_id)
            ).all()
        )
        assert kinds == {anna_id: 2, olle_id: 2}
        skipped = session.scalars(select(Notification).where(Notification.user_id == olle_id))
        assert all(row.email_skipped and row.emailed_at is None for row in skipped)
    to_anna = [m for m in smtp.messages if m["To"] == "anna@example.org"]
    assert len(to_anna) == 1 and "declined the workshop invitation" in to_anna[0].get_content()
    assert not [m for m in smtp.messages if m["To"] == "olle@example.org"]


class StoppingMailbox(Mailbox):
    """Accepts the first message, then stops its own server: later ones are cut off."""

    def __init__(self) -> None:
        super().__init__()
        self.controller: Controller | None = None
        self.stopping = False

    async def handle_DATA(self, server, session, envelope) -> str:  # noqa: ANN001, N802
        if self.stopping:
            await asyncio.sleep(30)  # the stop cancels this: the client sees the line drop
        await super().handle_DATA(server, session, envelope)
        self.stopping = True
        threading.Thread(target=self.controller.stop, daemon=True).start()
        return "250 OK"


def test_a_digest_across_an_smtp_outage_delivers_every_email_exactly_once(tmp_path) -> None:
    port = free_port()
    first = StoppingMailbox()
    first.controller = Controller(first, hostname="127.0.0.1", port=port)
    first.controller.start()
    settings = job_settings(
        tmp_path, smtp_host="127.0.0.1", smtp_port=port, smtp_tls="none", smtp_timeout=5
    )
    sessions = seeded(settings)
    with sessions() as session:
        challenge = session.scalar(
            select(Challenge).where(Challenge.status == ChallengeStatus.PUBLISHED)
        )
        session.add(AlertMatch(challenge_id=challenge.id, matched_at=challenge.created_at))
        people = [person(session, challenge.organisation_id, Role.CITY, f"p{i}") for i in range(4)]
        for user in people:
            alerts.set_frequency(session=session, user=user, value=Frequency.DAILY)
        for n in range(3):
            item = alerts.Item(
                NotificationKind.INTEREST,
                str(n),
                challenge.title,
                f"Company {n}",
                challenge_id=challenge.id,
            )
            alerts.notify(session=session, users=people, item=item)
        session.commit()
        addresses = [user.email for user in people]
    second = Mailbox()
    queue = JobQueue(settings, sessions, backoff_ms=1_500)
    try:
        with sessions() as session:
            job, _ = queue.submit(session=session, kind="digest-daily", arguments={})
        failed = wait_for(sessions, job.id, states=(JobState.QUEUED,), timeout=30)
        deadline = time.monotonic() + 30
        while failed.attempts < 1 or not failed.error:
            assert time.monotonic() < deadline
            failed = wait_for(sessions, job.id, states=(JobState.QUEUED,), timeout=30)
        assert "could not be sent" in failed.error
        with sessions() as session:
            sent = session.scalar(select(func.count()).where(Notification.emailed_at.is_not(None)))
            assert sent == 3  # the first person's digest, marked once accepted; the rest wait
        restarted = Controller(second, hostname="127.0.0.1", port=port)
        restarted.start()
        try:
            done = wait_for(sessions, job.id, timeout=60)
        finally:
            restarted.stop()
    finally:
        queue.close()
    assert done.state is JobState.DONE and done.attempts == 2, done.error
    delivered = [m["To"] for m in first.messages + second.messages]
    assert sorted(delivered) == sorted(addresses)
    assert all(
        m["Subject"] == "Klimatmatch: 3 new alerts" for m in first.messages + second.messages
    )
    with sessions() as session:
        rows = list(session.scalars(select(Notification)))
        assert len(rows) == 12 and all(row.emailed_at is not None for row in rows)
        assert sum(row.email_error != "" for row in rows) == 3  # the refused digest's items


def test_unsubscribing_takes_the_token_and_stops_waiting_digests(world) -> None:
    _, sessions = world
    with sessions() as session:
        city = session.scalar(select(Challenge)).organisation_id
        user = person(session, city, Role.CITY, "eva")
        alerts.set_frequency(session=session, user=user, value=Frequency.WEEKLY)
        item = alerts.Item(NotificationKind.INTEREST, "1", "T", "Company")
        [row] = alerts.notify(session=session, users=[user], item=item)
        token = alerts.preference(session=session, user_id=user.id).unsubscribe_token
        with pytest.raises(Exception, match="unknown"):
            alerts.unsubscribe(session=session, token="x" * 43)
        alerts.unsubscribe(session=session, token=token)
        session.flush()
        assert alerts.frequency(session=session, user_id=user.id) is Frequency.NEVER
        assert row.email_skipped
