"""Companies that register by themselves: the e-mail is confirmed, nothing is matched until a
coordinator approves, a decline stops the accounts; on SQLite and PostgreSQL, with the real
SMTP server of tests/mailbox.py receiving every message."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from klimatmatch.accounts import passwords, registration
from klimatmatch.accounts import service as accounts
from klimatmatch.accounts.invitations import LinkRefused
from klimatmatch.accounts.sessions import Client
from klimatmatch.accounts.sign_in import TooManyAttempts, sign_in
from klimatmatch.alerts.mail import item_path, news
from klimatmatch.catalogue.schemas import CompanyCreate
from klimatmatch.core import mail_queue
from klimatmatch.core.errors import Conflict, Forbidden, InvalidInput
from klimatmatch.core.settings import Settings
from klimatmatch.core.translations import translations
from klimatmatch.index import indexing
from klimatmatch.jobs.queue import Runner
from matcher import Embedder, MatchEngine
from models import Job, JobState, Organisation, Role, User, crud
from models.alerts import Notification, NotificationKind
from models.tables import utcnow
from tests import mailbox
from tests.klimatmatch.index.test_indexing import load_sample
from tests.mailbox import Mailbox

smtp = mailbox.smtp  # the fixture: a real SMTP server in this process
PASSWORD = "a long enough password"
EMAIL = "eva@laddbolaget.example"
HEAVY = (
    "Laddbolaget bygger snabbladdning för tunga ellastbilar vid hamnar och terminaler, med "
    "effektstyrning och drift dygnet runt."
)


@pytest.fixture
def settings(smtp: Mailbox) -> Settings:
    return Settings(smtp_host="127.0.0.1", smtp_port=smtp.port, smtp_tls="none")


@pytest.fixture(autouse=True)
def mail_worker(session: Session, settings: Settings) -> None:
    """The job queue's worker, running each e-mail a commit queued at once, in the test's
    transaction: what the API's worker thread does a moment later."""
    run_mail_jobs(session, settings)


def run_mail_jobs(session: Session, settings: Settings) -> None:
    sessions = sessionmaker(
        bind=session.bind, join_transaction_mode="create_savepoint", expire_on_commit=False
    )
    mail_queue.install(session, Runner(settings, sessions))


@pytest.fixture
def engine(session: Session, tfidf: Embedder) -> MatchEngine:
    load_sample(session)
    engine = MatchEngine(tfidf)
    indexing.rebuild(session=session, engine=engine)
    session.commit()
    return engine


def staff(session: Session) -> User:
    user, _ = accounts.create_user(
        session=session,
        name="Kim",
        role=Role.COORDINATOR,
        organisation=None,
        email="kim@c40.example",
        password=PASSWORD,
    )
    session.commit()
    return user


def register(session: Session, settings: Settings, email: str = EMAIL, **profile: object) -> None:
    fields = {"name": "Laddbolaget AB", "description": HEAVY, "country": "SE"} | profile
    registration.register_company(
        session=session,
        data=registration.Registration(
            person="Eva",
            email=email,
            password=PASSWORD,
            language="sv",
            profile=CompanyCreate(**fields),
        ),
        client=Client(address="10.1.1.1"),
        settings=settings,
    )


def confirm(session: Session, settings: Settings, smtp: Mailbox) -> str:
    token = smtp.link_to(EMAIL).rsplit("/", 1)[1]
    return registration.confirm(
        session=session, token=token, client=Client(address="10.1.1.1"), settings=settings
    )


def shortlisted(session: Session, engine: MatchEngine, company_id: int) -> bool:
    challenge = crud.challenge_by_external_id(session=session, external_id="STH-02")
    assert challenge is not None
    ranked = engine.shortlist(challenge.id, 155)
    return company_id in [m.document.id for m in ranked]


def test_a_registration_is_matched_only_after_approval(
    session: Session,
    engine: MatchEngine,
    settings: Settings,
    tfidf: Embedder,
    smtp: Mailbox,
) -> None:
    coordinator = staff(session)
    register(session, settings)
    user = accounts.user_by_email(session=session, email=EMAIL)
    assert user is not None and not user.active  # the e-mail is not confirmed yet
    assert (
        sign_in(
            session=session,
            email=EMAIL,
            password=PASSWORD,
            client=Client("10.1.1.1"),
            settings=settings,
        )
        is None
    )
    assert "Bekräfta" in smtp.last_to(EMAIL)["Subject"]  # in the language of the form
    assert registration.pending(session=session) == []  # coordinators see confirmed ones only
    assert confirm(session, settings, smtp)
    session.refresh(user)
    assert user.active and not user.organisation.approved
    assert "Laddbolaget AB" in smtp.last_to("kim@c40.example")["Subject"]
    [organisation] = registration.pending(session=session)
    [company] = registration.profiles_of(session=session, organisation_id=organisation.id)
    assert company.id not in engine.companies and not shortlisted(session, engine, company.id)
    assert not indexing.rebuild(session=session, engine=engine).companies > 155

    registration.approve(
        session=session,
        engine=engine,
        actor=coordinator,
        organisation_id=organisation.id,
        settings=settings,
    )
    assert company.id in engine.companies and shortlisted(session, engine, company.id)
    assert "godkänt" in smtp.last_to(EMAIL)["Subject"]
    [item] = session.scalars(select(Notification).where(Notification.user_id == user.id))
    assert item.kind is NotificationKind.APPROVAL and item.title == organisation.name
    assert item.email_skipped and item_path(item) == "/ui/opportunities"  # mailed on its own
    assert "matched" in news(translations("en"), item)
    assert registration.pending(session=session) == []
    restarted = MatchEngine(tfidf)  # a process started after the approval indexes it too
    assert indexing.rebuild(session=session, engine=restarted).companies == 156
    with pytest.raises(Conflict, match="approved already"):
        registration.approve(
            session=session,
            engine=engine,
            actor=coordinator,
            organisation_id=organisation.id,
            settings=settings,
        )


def test_other_processes_follow_an_approval_through_the_change_log(
    session: Session,
    engine: MatchEngine,
    settings: Settings,
    smtp: Mailbox,
    tfidf: Embedder,
) -> None:
    from klimatmatch.index import replication

    coordinator = staff(session)
    other = MatchEngine(tfidf)
    indexing.rebuild(session=session, engine=other)
    seen = replication.current_version(session=session)
    register(session, settings)
    confirm(session, settings, smtp)
    [organisation] = registration.pending(session=session)
    [company] = registration.profiles_of(session=session, organisation_id=organisation.id)
    now = replication.current_version(session=session)
    replication.apply_changes(session=session, engine=other, after=seen, upto=now)
    assert company.id not in other.companies  # the registration itself is not matched
    registration.approve(
        session=session,
        engine=engine,
        actor=coordinator,
        organisation_id=organisation.id,
        settings=settings,
    )
    later = replication.current_version(session=session)
    assert later > now
    replication.apply_changes(session=session, engine=other, after=now, upto=later)
    assert company.id in other.companies


def test_the_answer_is_the_same_whether_or_not_the_email_has_an_account(
    session: Session,
    engine: MatchEngine,
    settings: Settings,
    smtp: Mailbox,
) -> None:
    staff(session)
    before = session.query(Organisation).count()
    register(session, settings, email="kim@c40.example", name="Ett annat bolag AB")
    assert session.query(Organisation).count() == before  # nothing stored
    message = smtp.last_to("kim@c40.example")
    assert "has an account already" in message.get_content()


def test_a_known_email_costs_the_same_work_and_its_mail_is_sent_by_the_job_queue(
    session: Session,
    engine: MatchEngine,
    settings: Settings,
    smtp: Mailbox,
) -> None:
    """One argon2 hash on either path, and the message goes out from a mail job (after the
    commit, not in the request) whose arguments hold ids only: no token, no address."""
    staff(session)
    hasher = passwords.password_hasher()
    work = {}
    for email, name in (("kim@c40.example", "Ett annat bolag AB"), (EMAIL, "Laddbolaget AB")):
        before = hasher.computations
        register(session, settings, email=email, name=name)
        work[email] = hasher.computations - before
    assert work == {"kim@c40.example": 1, EMAIL: 1}
    jobs = session.execute(select(Job.state, Job.arguments).where(Job.kind == "mail")).all()
    assert [(state, arguments["message"]) for state, arguments in jobs] == [
        (JobState.DONE, "registration.exists"),
        (JobState.DONE, "registration.confirm"),
    ]
    token = smtp.link_to(EMAIL).rsplit("/", 1)[1]
    assert not {token, EMAIL, "kim@c40.example"} & {str(v) for _, a in jobs for v in a.values()}
    assert registration.confirm(
        session=session, token=token, client=Client(address="10.1.1.1"), settings=settings
    )


def test_refusals_name_the_field_and_store_nothing(
    session: Session, engine: MatchEngine, settings: Settings
) -> None:
    with pytest.raises(InvalidInput, match="^password"):
        registration.register_company(
            session=session,
            data=registration.Registration(
                person="Eva",
                email=EMAIL,
                password="short",
                language="en",
                profile=CompanyCreate(name="X AB", description=HEAVY, country="SE"),
            ),
            client=Client(address="10.2.2.2"),
            settings=settings,
        )
    session.rollback()
    existing = crud.list_companies(session=session)[0].organisation.name
    with pytest.raises(Conflict, match="^name: an organisation called"):
        register(session, settings, name=existing)
    session.rollback()
    assert accounts.user_by_email(session=session, email=EMAIL) is None


def test_registrations_per_address_are_limited(
    session: Session, engine: MatchEngine, settings: Settings
) -> None:
    for n in range(registration.REGISTRATIONS_PER_WINDOW):
        register(session, settings, email=f"p{n}@x.example", name=f"Bolag {n} AB")
    with pytest.raises(TooManyAttempts) as refused:
        register(session, settings, email="late@x.example", name="Sent AB")
    assert 0 < refused.value.retry_after <= 3600


def test_links_are_single_use_and_expire_and_a_decline_closes_them(
    session: Session,
    engine: MatchEngine,
    settings: Settings,
    smtp: Mailbox,
) -> None:
    coordinator = staff(session)
    register(session, settings)
    token = smtp.link_to(EMAIL).rsplit("/", 1)[1]
    client = Client(address="10.1.1.1")
    late = utcnow() + registration.CONFIRM_WITHIN + timedelta(minutes=1)
    with pytest.raises(LinkRefused, match="expired"):
        registration.confirm(
            session=session, token=token, client=client, settings=settings, now=late
        )
    registration.confirm(session=session, token=token, client=client, settings=settings)
    with pytest.raises(LinkRefused, match="used already"):
        registration.confirm(session=session, token=token, client=client, settings=settings)
    [organisation] = registration.pending(session=session)
    city, _ = accounts.create_user(
        session=session,
        name="Sara",
        role=Role.CITY,
        organisation="Malmö",
        email="s@m.example",
        password=PASSWORD,
    )
    with pytest.raises(Forbidden):
        registration.approve(
            session=session,
            engine=engine,
            actor=city,
            organisation_id=organisation.id,
            settings=settings,
        )
    with pytest.raises(InvalidInput, match="^reason"):
        registration.decline(
            session=session,
            actor=coordinator,
            organisation_id=organisation.id,
            reason=" ",
            settings=settings,
        )
    registration.decline(
        session=session,
        actor=coordinator,
        organisation_id=organisation.id,
        reason="Vi hittar inget organisationsnummer.",
        settings=settings,
    )
    user = accounts.user_by_email(session=session, email=EMAIL)
    assert user is not None and not user.active
    assert "organisationsnummer" in smtp.last_to(EMAIL).get_content()
    assert registration.pending(session=session) == []
