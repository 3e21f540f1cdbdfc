"""The retention job's rules, on SQLite and PostgreSQL: each kind is removed a minute past its
period and kept a minute before it, and what something else relies on is kept whatever its age."""

from __future__ import annotations

import os
from datetime import datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from klimatmatch.accounts.service import create_user
from klimatmatch.core.settings import Settings
from klimatmatch.privacy import retention
from models import (
    Challenge,
    CompanyProfile,
    Direction,
    Invitation,
    Job,
    JobState,
    MatchResult,
    MatchRun,
    Organisation,
    OrganisationKind,
    PasswordReset,
    Review,
    Role,
    SignInFailure,
    SignInSession,
)
from models.tables import Decision, utcnow

MINUTE = timedelta(minutes=1)


@pytest.fixture
def settings(tmp_path: Path) -> Settings:
    return Settings(
        database_url="sqlite://",
        outbox_dir=tmp_path / "outbox",
        export_dir=tmp_path / "exports",
        upload_dir=tmp_path / "uploads",
    )


def edges(now: datetime, days: float) -> tuple[datetime, datetime]:
    """(a minute past the period, a minute before its end)."""
    limit = now - timedelta(days=days)
    return limit - MINUTE, limit + MINUTE


def a_pair(session: Session) -> tuple[int, int]:
    city = Organisation(name="Retention city", kind=OrganisationKind.CITY)
    company = Organisation(name="Retention AB", kind=OrganisationKind.COMPANY)
    session.add_all([city, company])
    session.flush()
    challenge = Challenge(organisation_id=city.id, title="Old runs", description="Kept or not.")
    profile = CompanyProfile(organisation_id=company.id, name="Retention AB", description="x")
    session.add_all([challenge, profile])
    session.flush()
    return challenge.id, profile.id


def run(session: Session, subject: int, at: datetime, pair: tuple[int, int]) -> MatchRun:
    row = MatchRun(
        direction=Direction.CHALLENGE_TO_COMPANIES,
        subject_id=subject,
        model="m",
        data_version="1",
        created_at=at,
        results=[MatchResult(rank=1, challenge_id=pair[0], company_id=pair[1], score=0.5)],
    )
    session.add(row)
    session.flush()
    return row


def test_match_runs_past_their_time_go_unless_reviewed_or_newest(
    session: Session, settings: Settings
) -> None:
    now = utcnow()
    old, young = edges(now, settings.retention_match_run_days)
    pair = a_pair(session)
    subject, other = pair[0], pair[0] + 1_000_000
    gone = run(session, subject, old, pair)
    reviewed = run(session, subject, old, pair)
    session.add(
        Review(
            challenge_id=pair[0],
            company_id=pair[1],
            match_result_id=reviewed.results[0].id,
            reviewer="Kim",
            decision=Decision.ACCEPTED,
        )
    )
    kept = run(session, subject, young, pair)
    newest_of_other = run(session, other, old, pair)
    session.flush()
    removed = retention.apply(session=session, settings=settings, now=now)
    assert removed["match runs"] == 1
    left = set(
        session.scalars(select(MatchRun.id).where(MatchRun.subject_id.in_([subject, other])))
    )
    assert left == {reviewed.id, kept.id, newest_of_other.id}
    assert session.scalar(select(MatchResult).where(MatchResult.run_id == gone.id)) is None


def test_sign_in_records_and_links_go_a_minute_past_their_time_and_not_before(
    session: Session, settings: Settings
) -> None:
    now = utcnow()
    user, _ = create_user(
        session=session, name="R", role=Role.ADMIN, organisation=None, email="r@retention.example"
    )
    old, young = edges(now, settings.retention_sign_in_failure_days)
    session.add_all(
        [SignInFailure(key="account:old", at=old), SignInFailure(key="account:young", at=young)]
    )
    old, young = edges(now, settings.retention_session_days)
    for name, expires, revoked in [
        ("expired-old", old, None),
        ("expired-young", young, None),
        ("revoked-old", now + timedelta(hours=1), old),
        ("revoked-young", now + timedelta(hours=1), young),
        ("live", now + timedelta(hours=1), None),
    ]:
        session.add(
            SignInSession(id_hash=name, user_id=user.id, expires_at=expires, revoked_at=revoked)
        )
    old, young = edges(now, settings.retention_link_days)
    later = now + timedelta(days=1)
    for name, used, expires in [
        ("used-old", old, later),
        ("used-young", young, later),
        ("expired-old", None, old),
        ("expired-young", None, young),
        ("open", None, later),
    ]:
        session.add(
            Invitation(
                token_hash=name,
                email=f"{name}@x.example",
                role=Role.CITY,
                expires_at=expires,
                used_at=used,
            )
        )
        session.add(
            PasswordReset(token_hash=name, user_id=user.id, expires_at=expires, used_at=used)
        )
    session.flush()

    removed = retention.apply(session=session, settings=settings, now=now)

    assert removed["failed sign-ins"] == 1 and removed["sessions"] == 2 and removed["links"] == 4
    assert set(
        session.scalars(select(SignInFailure.key).where(SignInFailure.key.like("account:%")))
    ) >= {"account:young"}
    assert "account:old" not in set(session.scalars(select(SignInFailure.key)))
    assert set(
        session.scalars(select(SignInSession.id_hash).where(SignInSession.user_id == user.id))
    ) == {
        "expired-young",
        "revoked-young",
        "live",
    }
    kept = {"used-young", "expired-young", "open"}
    assert (
        set(
            session.scalars(
                select(Invitation.token_hash).where(
                    Invitation.token_hash.in_(kept | {"used-old", "expired-old"})
                )
            )
        )
        == kept
    )
    assert (
        set(
            session.scalars(
                select(PasswordReset.token_hash).where(PasswordReset.user_id == user.id)
            )
        )
        == kept
    )


def file_aged(path: Path, at: datetime) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("x")
    os.utime(path, (at.timestamp(), at.timestamp()))
    return path


def test_finished_jobs_their_files_exports_and_outbox_go_past_their_time(
    session: Session, settings: Settings
) -> None:
    now = utcnow()
    old, young = edges(now, settings.retention_job_days)
    jobs = {
        "done-old": (JobState.DONE, old, "import", {"file": "old.csv"}),
        "failed-old": (JobState.FAILED, old, "export", {"name": "abc123", "format": "zip"}),
        "done-young": (JobState.DONE, young, "import", {"file": "young.csv"}),
        "running-old": (JobState.RUNNING, None, "reindex", {}),
    }
    for name, (state, finished, kind, arguments) in jobs.items():
        session.add(
            Job(
                id=name,
                kind=kind,
                arguments=arguments,
                state=state,
                finished_at=finished,
                created_at=old - MINUTE,
            )
        )
    session.flush()
    upload_old = file_aged(settings.upload_dir / "old.csv", young)
    upload_young = file_aged(settings.upload_dir / "young.csv", young)
    export_of_old_job = file_aged(settings.export_dir / "abc123.zip", young)
    old_export, young_export = (
        file_aged(settings.export_dir / f"{name}.json", at)
        for name, at in zip(("e1", "e2"), edges(now, settings.retention_export_days), strict=True)
    )
    old_mail, young_mail = (
        file_aged(settings.outbox_dir / f"{name}.eml", at)
        for name, at in zip(("m1", "m2"), edges(now, settings.retention_outbox_days), strict=True)
    )

    removed = retention.apply(session=session, settings=settings, now=now)

    assert removed["jobs"] == 2 and removed["exports"] == 1 and removed["outbox e-mails"] == 1
    assert set(session.scalars(select(Job.id).where(Job.id.in_(list(jobs))))) == {
        "done-young",
        "running-old",
    }
    assert not upload_old.exists() and upload_young.exists() and not export_of_old_job.exists()
    assert not old_export.exists() and young_export.exists()
    assert not old_mail.exists() and young_mail.exists()
