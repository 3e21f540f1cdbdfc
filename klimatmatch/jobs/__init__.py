"""Background jobs: long work (imports, re-encoding, training, snapshots) run by workers on a
Dramatiq queue, or on a thread of the asking process when no broker is configured.

Kinds register in `registry`; `tasks` imports every domain's tasks, and only process entry
points import it (pyproject.toml's import contracts check who)."""

from klimatmatch.jobs.progress import Progress
from klimatmatch.jobs.queue import JobQueue, QueueUnavailable
from klimatmatch.jobs.registry import KINDS, JobContext, register
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
