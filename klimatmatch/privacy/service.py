"""A person asks for their data: answered at once when it is small, else produced by a job
whose file only that person can download."""

from __future__ import annotations

import uuid
from dataclasses import dataclass

from sqlalchemy.orm import Session

from klimatmatch.core.errors import InvalidInput, NotFound
from klimatmatch.core.settings import Settings
from klimatmatch.jobs.queue import JobQueue
from klimatmatch.privacy import export
from models import Job, JobState, User


@dataclass(frozen=True)
class Download:
    content: bytes
    media_type: str
    filename: str


def check_format(fmt: str) -> str:
    if fmt not in export.FORMATS:
        raise InvalidInput(f"format: {fmt!r} is not one of {', '.join(export.FORMATS)}")
    return fmt


def inline_export(*, session: Session, user: User, settings: Settings, fmt: str) -> Download | None:
    """The export as a file, or None when it holds more than `export_inline_rows` records
    (then `queue_export`)."""
    check_format(fmt)
    if export.count_records(session=session, user=user, settings=settings) > (
        settings.export_inline_rows
    ):
        return None
    data = export.gather(session=session, user=user, settings=settings)
    return Download(*export.render(data, fmt))


def queue_export(*, queue: JobQueue, session: Session, user: User, fmt: str) -> Job:
    """The job that writes the export to a file of a random name; the same person's export in
    the same format while one is under way returns that job."""
    job, _ = queue.submit(
        session=session,
        kind=export.EXPORT_KIND,
        arguments={"user_id": user.id, "format": check_format(fmt), "name": uuid.uuid4().hex},
        key=f"{user.id}:{fmt}",
        created_by_id=user.id,
    )
    return job


def own_export_job(*, session: Session, user: User, job_id: str) -> Job:
    """The person's own export job; anyone else's, or any other kind, is "not found"."""
    job = session.get(Job, job_id)
    if job is None or job.kind != export.EXPORT_KIND or job.created_by_id != user.id:
        raise NotFound(f"export {job_id} does not exist")
    return job


def finished_export(*, job: Job, settings: Settings) -> Download | None:
    """The file of a finished export job, None while it is still being produced."""
    if job.state is not JobState.DONE:
        return None
    path = export.export_path(settings, job.arguments)
    if path is None or not path.is_file():
        raise NotFound(f"export {job.id} has been removed; ask for a new one")
    fmt = job.arguments["format"]
    media = "application/zip" if fmt == "zip" else "application/json"
    stamp = job.created_at.strftime("%Y-%m-%d")
    return Download(path.read_bytes(), media, f"klimatmatch-export-{stamp}.{fmt}")
