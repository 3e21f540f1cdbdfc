"""Background jobs: long work (imports, re-encoding, training, snapshots) run by workers on a
Dramatiq queue, or on a thread of the asking process when no broker is configured."""

from klimatmatch.jobs.handlers import KINDS, JobContext, Progress, register
from klimatmatch.jobs.queue import JobQueue, QueueUnavailable
from klimatmatch.jobs.schemas import JobCreate, JobPublic, JobsPublic

__all__ = [
    "KINDS",
    "JobContext",
    "JobCreate",
    "JobPublic",
    "JobQueue",
    "JobsPublic",
    "Progress",
    "QueueUnavailable",
    "register",
]
