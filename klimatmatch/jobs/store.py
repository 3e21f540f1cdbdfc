"""The job rows: created once per piece of work, claimed by one attempt at a time, finished once.

Every change after creation is a conditional UPDATE on (id, attempt), so a worker that was
presumed dead and replaced (its message redelivered to another) can no longer write: the job
ends done or failed exactly once, by the attempt that holds it.
"""

from __future__ import annotations

import uuid
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import func, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from models import Job, JobState

ACTIVE = (JobState.QUEUED, JobState.RUNNING)
MAX_ERROR = 4_000


def _now() -> datetime:
    return datetime.now(UTC)


def create_job(
    *,
    session: Session,
    kind: str,
    arguments: dict[str, Any],
    key: str,
    created_by_id: int | None = None,
) -> tuple[Job, bool]:
    """(job, created): the queued or running job holding `key`, else a new queued one.

    Commits, so the job exists before any worker can receive its id. Two callers racing on
    one key both get the same job: the loser's insert hits the unique key and reads the winner's."""
    existing = session.scalar(select(Job).where(Job.idempotency_key == key))
    if existing is not None:
        session.commit()  # end the read: SQLite's one writer is not held while the caller waits
        return existing, False
    job = Job(
        id=str(uuid.uuid4()),
        kind=kind,
        arguments=arguments,
        idempotency_key=key,
        created_by_id=created_by_id,
    )
    session.add(job)
    try:
        session.commit()
    except IntegrityError:
        session.rollback()
        existing = session.scalar(select(Job).where(Job.idempotency_key == key))
        session.commit()
        if existing is None:  # it ended between our insert and this read: ask again
            raise
        return existing, False
    return job, True


def get_job(*, session: Session, job_id: str) -> Job | None:
    return session.get(Job, job_id)


def list_jobs(*, session: Session, limit: int = 50, offset: int = 0) -> tuple[list[Job], int]:
    """The newest first, and how many there are in all."""
    rows = session.scalars(
        select(Job).order_by(Job.created_at.desc(), Job.id).limit(limit).offset(offset)
    )
    return list(rows), session.scalar(select(func.count()).select_from(Job)) or 0


def active_jobs(*, session: Session, limit: int = 10) -> list[Job]:
    """Running jobs first, then the queued ones, oldest first: what the pages show."""
    rows = session.scalars(
        select(Job)
        .where(Job.state.in_(ACTIVE))
        .order_by(Job.state.desc(), Job.created_at)
        .limit(limit)
    )
    return list(rows)


def count_by_state(*, session: Session) -> dict[JobState, int]:
    counts = dict.fromkeys(JobState, 0)
    for state, count in session.execute(select(Job.state, func.count()).group_by(Job.state)):
        counts[JobState(state)] = count
    return counts


def claim(*, session: Session, job_id: str) -> int | None:
    """Start an attempt: returns its number, or None when the job is unknown or has ended
    (a message delivered again after the job finished). A job left running is taken over:
    its worker died, which is why the broker delivered the message again."""
    attempt = session.scalar(
        update(Job)
        .where(Job.id == job_id, Job.state.in_(ACTIVE))
        .values(
            state=JobState.RUNNING,
            attempts=Job.attempts + 1,
            started_at=_now(),
            updated_at=_now(),
            error="",
        )
        .returning(Job.attempts)
    )
    session.commit()
    return attempt


def report(
    *, session: Session, job_id: str, attempt: int, done: int, total: int | None, message: str
) -> bool:
    """Progress of the attempt that holds the job; False once another attempt took it over."""
    return _update(
        session, job_id, attempt, done=done, total=total, message=message[:300], updated_at=_now()
    )


def finish(*, session: Session, job_id: str, attempt: int, message: str) -> bool:
    return _update(
        session,
        job_id,
        attempt,
        state=JobState.DONE,
        message=message[:300],
        idempotency_key=None,
        finished_at=_now(),
        updated_at=_now(),
    )


def fail(*, session: Session, job_id: str, attempt: int, error: str, final: bool) -> bool:
    """Record the error; a final failure ends the job (and frees its key), else it waits for
    the broker to deliver it again after the back-off."""
    ended = {"idempotency_key": None, "finished_at": _now()} if final else {}
    return _update(
        session,
        job_id,
        attempt,
        state=JobState.FAILED if final else JobState.QUEUED,
        error=error[:MAX_ERROR],
        updated_at=_now(),
        **ended,
    )


def fail_unsent(*, session: Session, job_id: str, error: str) -> None:
    """The broker refused the message: the job can never run, so it ends here."""
    session.execute(
        update(Job)
        .where(Job.id == job_id, Job.state == JobState.QUEUED)
        .values(
            state=JobState.FAILED,
            error=error[:MAX_ERROR],
            idempotency_key=None,
            finished_at=_now(),
            updated_at=_now(),
        )
    )
    session.commit()


def _update(session: Session, job_id: str, attempt: int, **values: Any) -> bool:
    result = session.execute(
        update(Job)
        .where(Job.id == job_id, Job.attempts == attempt, Job.state == JobState.RUNNING)
        .values(**values)
    )
    session.commit()
    return result.rowcount == 1
