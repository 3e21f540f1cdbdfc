"""Retention: what is past its time is removed, and nothing younger.

Each kind has its period in the settings (`KLIMATMATCH_RETENTION_*`, stated on the privacy
page); the `retention` job applies them all (`klimatmatch jobs submit retention`, e.g. from
cron once a day). A row or file exactly at its limit stays until the next run."""

from __future__ import annotations

import logging
from datetime import UTC, datetime, timedelta
from pathlib import Path

from sqlalchemy import and_, delete, func, or_, select
from sqlalchemy.orm import Session

from klimatmatch.core.settings import Settings
from klimatmatch.privacy.export import EXPORT_KIND, export_path
from models import (
    Invitation,
    Job,
    JobState,
    MatchResult,
    MatchRun,
    PasswordReset,
    Review,
    SignInFailure,
    SignInSession,
)
from models.tables import utcnow

log = logging.getLogger("klimatmatch.privacy")


def apply(*, session: Session, settings: Settings, now: datetime | None = None) -> dict[str, int]:
    """Removes everything past its period, in the caller's transaction (files at once); returns
    how many of each kind went."""
    now = now or utcnow()

    def before(days: float) -> datetime:
        return now - timedelta(days=days)

    return {
        "match runs": _match_runs(session, before(settings.retention_match_run_days)),
        "failed sign-ins": _count(
            session,
            delete(SignInFailure).where(
                SignInFailure.at < before(settings.retention_sign_in_failure_days)
            ),
        ),
        "sessions": _sessions(session, before(settings.retention_session_days)),
        "links": _links(session, before(settings.retention_link_days)),
        "jobs": _jobs(session, settings, before(settings.retention_job_days)),
        "exports": _old_files(settings.export_dir, "*", before(settings.retention_export_days)),
        "outbox e-mails": _old_files(
            settings.outbox_dir, "*.eml", before(settings.retention_outbox_days)
        ),
    }


def _count(session: Session, statement: object) -> int:
    return session.execute(statement).rowcount or 0  # type: ignore[arg-type]


def _match_runs(session: Session, cutoff: datetime) -> int:
    """Runs stored before `cutoff` that no review refers to and that are not the newest of
    their shortlist (what the pages show as its current run)."""
    reviewed = (
        select(MatchResult.run_id).join(Review, Review.match_result_id == MatchResult.id).distinct()
    )
    newest = select(func.max(MatchRun.id)).group_by(MatchRun.direction, MatchRun.subject_id)
    ids = list(
        session.scalars(
            select(MatchRun.id).where(
                MatchRun.created_at < cutoff,
                MatchRun.id.not_in(reviewed),
                MatchRun.id.not_in(newest),
            )
        )
    )
    if ids:  # results go with their run (ON DELETE CASCADE)
        session.execute(delete(MatchResult).where(MatchResult.run_id.in_(ids)))
        session.execute(delete(MatchRun).where(MatchRun.id.in_(ids)))
    return len(ids)


def _sessions(session: Session, cutoff: datetime) -> int:
    ended = or_(SignInSession.expires_at < cutoff, SignInSession.revoked_at < cutoff)
    return _count(session, delete(SignInSession).where(ended))


def _links(session: Session, cutoff: datetime) -> int:
    """Invitations and reset links (each names an e-mail) used or expired before `cutoff`."""
    removed = 0
    for table in (Invitation, PasswordReset):
        done = or_(table.used_at < cutoff, and_(table.used_at.is_(None), table.expires_at < cutoff))
        removed += _count(session, delete(table).where(done))
    return removed


def _jobs(session: Session, settings: Settings, cutoff: datetime) -> int:
    """Finished jobs, with the uploaded file an import read and the file an export wrote."""
    jobs = list(
        session.scalars(
            select(Job).where(
                Job.state.in_((JobState.DONE, JobState.FAILED)), Job.finished_at < cutoff
            )
        )
    )
    for job in jobs:
        for path in _job_files(settings, job):
            path.unlink(missing_ok=True)
    if jobs:
        session.execute(delete(Job).where(Job.id.in_([job.id for job in jobs])))
    return len(jobs)


def _job_files(settings: Settings, job: Job) -> list[Path]:
    arguments = job.arguments or {}
    files = []
    upload = str(arguments.get("file", ""))
    if upload and Path(upload).name == upload:
        files.append(settings.upload_dir / upload)
    export = export_path(settings, arguments) if job.kind == EXPORT_KIND else None
    return files + ([export] if export else [])


def _old_files(folder: Path, pattern: str, cutoff: datetime) -> int:
    """Files in `folder` last written before `cutoff`."""
    if not folder.is_dir():
        return 0
    removed = 0
    for path in folder.glob(pattern):
        if path.is_file() and datetime.fromtimestamp(path.stat().st_mtime, UTC) < cutoff:
            path.unlink(missing_ok=True)
            removed += 1
    return removed
