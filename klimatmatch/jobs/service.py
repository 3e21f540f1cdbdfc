"""Asking for a job: checks the request, places an import's file where workers read it, and
derives the idempotency key, for the API, the pages and the command line alike."""

from __future__ import annotations

import hashlib
import re
import uuid
from pathlib import Path
from typing import BinaryIO

from sqlalchemy.orm import Session

from klimatmatch.core.errors import InvalidInput, NotFound
from klimatmatch.core.settings import Settings
from klimatmatch.jobs import store
from klimatmatch.jobs.queue import JobQueue
from klimatmatch.jobs.registry import KINDS
from klimatmatch.jobs.schemas import JobPublic
from models import Job, User

CHUNK = 1 << 20
_SAFE = re.compile(r"[^A-Za-z0-9._-]+")


def accepted_suffixes() -> tuple[str, ...]:
    """What the kinds that read a file accept (the catalogue's import: .csv, .xlsx, .json);
    declared at their `register`, so this module knows no domain."""
    return tuple(dict.fromkeys(s for kind in KINDS.values() for s in kind.suffixes))


def save_upload(settings: Settings, name: str, stream: BinaryIO) -> tuple[str, str]:
    """Copy an uploaded file into the upload folder under a unique name that keeps the
    original's (the importer guesses challenges or companies from it); returns (stored name,
    sha256 of the content). The content's hash is the import's idempotency key."""
    suffix = Path(name).suffix.lower()
    suffixes = accepted_suffixes()
    if suffix not in suffixes:
        raise InvalidInput(f"file: {name!r} is not one of {', '.join(suffixes)}")
    stem = _SAFE.sub("-", Path(name).stem)[:80].strip("-") or "upload"
    stored = f"{uuid.uuid4().hex[:12]}-{stem}{suffix}"
    settings.upload_dir.mkdir(parents=True, exist_ok=True)
    digest = hashlib.sha256()
    with (settings.upload_dir / stored).open("wb") as target:
        while chunk := stream.read(CHUNK):
            digest.update(chunk)
            target.write(chunk)
    return stored, digest.hexdigest()


def save_local_file(settings: Settings, path: Path) -> tuple[str, str]:
    """The command line's `--file`: copied into the upload folder, so a worker on another
    machine reads the same bytes."""
    if not path.is_file():
        raise InvalidInput(f"file: {str(path)!r} does not exist")
    with path.open("rb") as source:
        return save_upload(settings, path.name, source)


def uploaded(settings: Settings, name: str) -> Path:
    """The file behind a stored name; refuses anything outside the upload folder."""
    path = settings.upload_dir / name
    if Path(name).name != name or name.startswith(".") or not path.is_file():
        raise InvalidInput(f"file: {name!r} is not a file in the upload folder")
    return path


def submit(
    *,
    queue: JobQueue,
    session: Session,
    kind: str,
    file: str | None = None,
    user: User | None = None,
) -> tuple[Job, bool]:
    """(job, created). An import names a stored file; the same content while its import is
    under way returns that job, and any other kind runs one at a time."""
    if kind not in KINDS:
        raise InvalidInput(f"kind: {kind!r} is not one of {', '.join(sorted(KINDS))}")
    arguments: dict[str, str] = {}
    key = ""
    if KINDS[kind].needs_file:
        if not file:
            raise InvalidInput(f"file: {kind} jobs need a file")
        path = uploaded(queue.settings, file)
        arguments["file"] = file
        key = _sha256(path)
    elif file:
        raise InvalidInput(f"file: {kind} jobs take no file")
    return queue.submit(
        session=session,
        kind=kind,
        arguments=arguments,
        key=key,
        created_by_id=user.id if user is not None else None,
    )


def get_public(*, session: Session, job_id: str) -> JobPublic:
    job = store.get_job(session=session, job_id=job_id)
    if job is None:
        raise NotFound(f"job {job_id} does not exist")
    return public(job)


def active_jobs(*, session: Session) -> list[JobPublic]:
    """Running, then queued jobs: the line on the coordinators' pages."""
    return [public(job) for job in store.active_jobs(session=session)]


def public(job: Job) -> JobPublic:
    kind = KINDS.get(job.kind)
    return JobPublic.model_validate(job).model_copy(update={"unit": kind.unit if kind else "items"})


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        while chunk := handle.read(CHUNK):
            digest.update(chunk)
    return digest.hexdigest()
