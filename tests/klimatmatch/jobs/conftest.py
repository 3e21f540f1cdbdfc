"""A job queue over a fresh SQLite file, and helpers to wait for a job."""

from __future__ import annotations

import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy.orm import Session, sessionmaker

from klimatmatch.core.settings import Settings
from klimatmatch.jobs import JobQueue
from models import Job, JobState, create_db_engine, session_factory
from models.migrate import upgrade

ENDED = (JobState.DONE, JobState.FAILED)


def job_settings(tmp_path: Path, **overrides: object) -> Settings:
    values = {
        "database_url": f"sqlite:///{tmp_path / 'jobs.db'}",
        "embedder": "tfidf",
        "upload_dir": tmp_path / "uploads",
        "job_retries": 2,
        **overrides,
    }
    return Settings(_env_file=None, **values)


@pytest.fixture
def settings(tmp_path: Path) -> Settings:
    return job_settings(tmp_path)


@pytest.fixture
def sessions(settings: Settings) -> Iterator[sessionmaker[Session]]:
    db = create_db_engine(settings.database_url)
    upgrade(db)
    yield session_factory(db)
    db.dispose()


@pytest.fixture
def queue(settings: Settings, sessions: sessionmaker[Session]) -> Iterator[JobQueue]:
    """In-process (no broker): a worker thread of this process runs the jobs."""
    jobs = JobQueue(settings, sessions, backoff_ms=20)
    yield jobs
    jobs.close()


def wait_for(
    sessions: sessionmaker[Session], job_id: str, states=ENDED, timeout: float = 60
) -> Job:
    deadline = time.monotonic() + timeout
    while True:
        with sessions() as session:
            job = session.get(Job, job_id)
            assert job is not None
        if job.state in states:
            return job
        assert time.monotonic() < deadline, f"job still {job.state} after {timeout} s"
        time.sleep(0.1)
