"""Background jobs: coordinators and administrators start imports, re-encoding, training and
snapshots, and follow their progress. The work runs on a worker (or a thread here when no
broker is configured); these routes only queue it and read its row."""

from __future__ import annotations

import threading
from dataclasses import dataclass
from typing import Annotated

from fastapi import APIRouter, Depends, FastAPI, File, Path, Request, Response, UploadFile, status
from sqlalchemy.orm import Session

import klimatmatch.tasks  # noqa: F401 - every kind of job, for the queue built here
from api.deps import CurrentUser, Limit, Offset, SessionDep, StateDep
from api.errors import ERROR_RESPONSES, responses
from api.state import AppState
from klimatmatch.core import access
from klimatmatch.core.errors import Forbidden
from klimatmatch.jobs import JobCreate, JobPublic, JobQueue, JobsPublic, service, store
from models import User

router = APIRouter(prefix="/jobs", tags=["jobs"], responses=ERROR_RESPONSES)
JobId = Annotated[str, Path(max_length=36, description="A job's id")]
_starting = threading.Lock()


def job_queue(request: Request, state: StateDep) -> JobQueue:
    """One queue per app, made on first use: an app that never runs a job starts no thread."""
    with _starting:
        queue = getattr(request.app.state, "jobs", None)
        if queue is None:
            queue = request.app.state.jobs = JobQueue(state.settings, state.sessions)
    return queue


def resume_in_process(app: FastAPI, state: AppState) -> int:
    """At start-up with no broker: run again what a stopped process left queued or running."""
    if state.settings.broker_url is not None or not JobQueue.unfinished(state.sessions):
        return 0
    with _starting:
        queue = app.state.jobs = JobQueue(state.settings, state.sessions)
    return queue.resume_unfinished()


def _staff_only(user: User) -> None:
    if not access.can_run_jobs(user):
        raise Forbidden("jobs are for coordinators and administrators")


@dataclass(frozen=True)
class Submission:
    """What queuing a job takes, as one dependency. The queue is made on the first `submit`,
    after the route has checked the caller: a refused one starts no thread."""

    request: Request
    state: AppState
    session: Session
    user: User
    response: Response

    def submit(self, kind: str, file: str | None = None) -> tuple[JobPublic, bool]:
        """The job (and whether it is new): 202 with its Location, or 200 for the same work
        already queued or running."""
        job, created = service.submit(
            queue=job_queue(self.request, self.state),
            session=self.session,
            kind=kind,
            file=file,
            user=self.user,
        )
        self.response.status_code = status.HTTP_202_ACCEPTED if created else status.HTTP_200_OK
        self.response.headers["Location"] = f"/jobs/{job.id}"
        return service.public(job), created


def get_submission(
    request: Request, state: StateDep, session: SessionDep, user: CurrentUser, response: Response
) -> Submission:
    return Submission(request, state, session, user, response)


SubmissionDep = Annotated[Submission, Depends(get_submission)]


@router.post(
    "",
    status_code=status.HTTP_202_ACCEPTED,
    responses={200: {"model": JobPublic, "description": "The same job, already under way"}}
    | responses(503),
)
def create_job(data: JobCreate, jobs: SubmissionDep) -> JobPublic:
    """Queue a job (202); the same work already queued or running is returned instead (200)."""
    _staff_only(jobs.user)
    return jobs.submit(data.kind, data.file)[0]


@router.post(
    "/import",
    status_code=status.HTTP_202_ACCEPTED,
    responses={200: {"model": JobPublic, "description": "The same file, already importing"}}
    | responses(503),
)
def upload_import(
    file: Annotated[
        UploadFile, File(description="Challenges or company profiles: CSV, XLSX, JSON")
    ],
    jobs: SubmissionDep,
) -> JobPublic:
    """Upload a file and import it in the background; follow it at the returned Location."""
    _staff_only(jobs.user)
    settings = jobs.state.settings
    stored, _ = service.save_upload(settings, file.filename or "upload", file.file)
    job, created = jobs.submit("import", stored)
    if not created:  # the same content is importing already: this copy is not needed
        (settings.upload_dir / stored).unlink(missing_ok=True)
    return job


@router.get("")
def list_jobs(
    session: SessionDep, user: CurrentUser, limit: Limit = 50, offset: Offset = 0
) -> JobsPublic:
    """The newest jobs first, with their state and progress."""
    _staff_only(user)
    rows, count = store.list_jobs(session=session, limit=limit, offset=offset)
    return JobsPublic(data=[service.public(job) for job in rows], count=count)


@router.get("/{job_id}")
def get_job(job_id: JobId, session: SessionDep, user: CurrentUser) -> JobPublic:
    """One job: progress (done of total, in its unit), attempts, and the error if it failed."""
    _staff_only(user)
    return service.get_public(session=session, job_id=job_id)
