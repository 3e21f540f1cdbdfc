"""Erasing a person on SQLite and PostgreSQL: the database's own cascades take what is only
theirs, what others rely on stays without their name and words, the address is free again."""

from __future__ import annotations

from pathlib import Path

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from klimatmatch.accounts import terms
from klimatmatch.accounts.service import create_user
from klimatmatch.alerts import service as alerts
from klimatmatch.core.settings import Settings
from klimatmatch.privacy import erasure, export
from models import (
    ApiKey,
    Challenge,
    CompanyProfile,
    Job,
    Organisation,
    OrganisationKind,
    Review,
    Role,
    SignInFailure,
    SignInSession,
    TermsAcceptance,
    User,
)
from models.alerts import AlertPreference, Notification, NotificationKind
from models.engagement import ExpressionOfInterest, StageChange
from models.tables import ChallengeStage, Decision, utcnow


def count(session: Session, table: type, *where: object) -> int:
    return session.scalar(select(func.count()).select_from(table).where(*where)) or 0


def test_erasing_a_person_keeps_what_others_rely_on_without_their_name_or_words(
    session: Session, tmp_path: Path
) -> None:
    settings = Settings(database_url="sqlite://", outbox_dir=tmp_path, export_dir=tmp_path)
    city = Organisation(name="Erasure city", kind=OrganisationKind.CITY)
    company = Organisation(name="Erasure AB", kind=OrganisationKind.COMPANY)
    session.add_all([city, company])
    session.flush()
    challenge = Challenge(organisation_id=city.id, title="A challenge", description="Text.")
    profile = CompanyProfile(organisation_id=company.id, name="Erasure AB", description="Text.")
    session.add_all([challenge, profile])
    session.flush()
    email = "ada@erasure.example"
    ada, _ = create_user(
        session=session, name="Ada", role=Role.COORDINATOR, organisation=None, email=email
    )
    uid = ada.id
    terms.record(session=session, user=ada, version="v1")
    alerts.preference(session=session, user_id=uid)
    now = utcnow()
    session.add_all(
        [
            SignInSession(id_hash="s", user_id=uid, expires_at=now),
            SignInFailure(key=f"account:{email}", at=now),
            Notification(user_id=uid, kind=NotificationKind.STAGE, item_key="1", title="t"),
            Review(
                challenge_id=challenge.id,
                company_id=profile.id,
                reviewer="Ada",
                reviewer_id=uid,
                decision=Decision.REJECTED,
                reason="Ada's reason",
                note="Ada's note",
            ),
            StageChange(
                challenge_id=challenge.id,
                from_stage=ChallengeStage.OPEN,
                to_stage=ChallengeStage.SHORTLISTING,
                changed_by_id=uid,
                changed_by="Ada",
            ),
            ExpressionOfInterest(
                challenge_id=challenge.id,
                company_id=profile.id,
                pitch="Ada's pitch",
                created_by_id=uid,
            ),
            Job(
                id="j-export",
                kind="export",
                arguments={"name": "abc", "format": "json"},
                created_by_id=uid,
            ),
            Job(id="j-import", kind="import", arguments={}, created_by_id=uid),
            Job(
                id="j-mail",
                kind="mail",
                arguments={"message": "registration.exists", "user_id": uid},
            ),
        ]
    )
    session.flush()
    (tmp_path / "abc.json").write_text("{}")
    assert export.count_records(session=session, user=ada, settings=settings) == 10

    erasure.erase_person(session=session, user=ada, settings=settings)
    session.flush()

    assert session.scalar(select(User).where(User.email == email)) is None
    for table in (ApiKey, SignInSession, TermsAcceptance, Notification, AlertPreference):
        assert count(session, table, table.user_id == uid) == 0, table
    assert count(session, SignInFailure, SignInFailure.key == f"account:{email}") == 0
    review = session.scalar(select(Review).where(Review.challenge_id == challenge.id))
    assert (review.reviewer, review.reviewer_id, review.decision, review.reason, review.note) == (
        erasure.FORMER_USER,
        None,
        Decision.REJECTED,
        "",
        "",
    )
    change = session.scalar(select(StageChange).where(StageChange.challenge_id == challenge.id))
    assert (change.changed_by, change.changed_by_id) == (erasure.FORMER_USER, None)
    interest = session.scalar(
        select(ExpressionOfInterest).where(ExpressionOfInterest.challenge_id == challenge.id)
    )
    assert (interest.pitch, interest.created_by_id) == ("", None)
    assert session.get(Job, "j-export") is None and not (tmp_path / "abc.json").exists()
    assert session.get(Job, "j-import").created_by_id is None
    assert session.get(Job, "j-mail") is None  # not sent to whoever gets the id next
    create_user(  # the address is free again
        session=session, name="Ada", role=Role.CITY, organisation="Erasure city", email=email
    )
