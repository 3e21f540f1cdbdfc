"""Real brokers, real worker processes: a job submitted here is run by `klimatmatch worker`,
and a worker killed with SIGKILL in the middle of a job leaves it to another, which finishes
it exactly once. Redis on 127.0.0.1:6379 and RabbitMQ on 127.0.0.1:5672 (guest/guest)."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import func, select

from klimatmatch.core.settings import Settings
from klimatmatch.jobs import JobQueue, service
from models import Challenge, JobState, create_db_engine, session_factory
from models.migrate import upgrade
from tests.conftest import ROOT, SAMPLE
from tests.klimatmatch.jobs import slow_kinds  # noqa: F401 - registers held_import here too
from tests.klimatmatch.jobs.conftest import job_settings, wait_for

BROKERS = {
    "redis": "redis://127.0.0.1:6379/15",
    "rabbitmq": "amqp://guest:guest@127.0.0.1:5672/%2F",
}


@pytest.fixture(params=sorted(BROKERS))
def broker_settings(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Settings]:
    """A queue of its own per test, deleted afterwards, so no test sees another's messages."""
    queue = f"klimatmatch-test-{uuid.uuid4().hex[:10]}"
    settings = job_settings(
        tmp_path, broker_url=BROKERS[request.param], job_queue=queue, job_dead_after=2
    )
    yield settings
    _delete_queues(settings)


def _delete_queues(settings: Settings) -> None:
    names = [settings.job_queue, f"{settings.job_queue}.DQ", f"{settings.job_queue}.XQ"]
    if settings.broker_url.startswith("redis"):
        import redis

        client = redis.Redis.from_url(settings.broker_url)
        client.delete(*[f"dramatiq:{name}{suffix}" for name in names for suffix in ("", ".msgs")])
        return
    import pika

    connection = pika.BlockingConnection(pika.URLParameters(settings.broker_url))
    channel = connection.channel()
    for name in names:
        channel.queue_delete(name)
    connection.close()


def start_worker(settings: Settings, log: Path) -> subprocess.Popen:
    """`klimatmatch worker` in a session of its own, so the test can kill all its processes."""
    env = {
        **os.environ,
        "KLIMATMATCH_DATABASE_URL": settings.database_url,
        "KLIMATMATCH_EMBEDDER": "tfidf",
        "KLIMATMATCH_BROKER_URL": settings.broker_url,
        "KLIMATMATCH_JOB_QUEUE": settings.job_queue,
        "KLIMATMATCH_JOB_DEAD_AFTER": str(settings.job_dead_after),
        "KLIMATMATCH_UPLOAD_DIR": str(settings.upload_dir),
    }
    command = [
        str(Path(sys.executable).parent / "klimatmatch"),
        "worker",
        "--module",
        "tests.klimatmatch.jobs.slow_kinds",
    ]
    return subprocess.Popen(
        command,
        cwd=ROOT,
        env=env,
        stdout=log.open("ab"),
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )


def stop(worker: subprocess.Popen, sig: signal.Signals = signal.SIGTERM) -> None:
    """SIGTERM to the main process stops the worker gracefully (it tells its children);
    SIGKILL goes to every process of it, as when a machine dies."""
    if worker.poll() is None:
        if sig == signal.SIGKILL:
            os.killpg(worker.pid, sig)
        else:
            worker.send_signal(sig)
    worker.wait(timeout=60)


def upload(settings: Settings, source: Path) -> str:
    with source.open("rb") as handle:
        return service.save_upload(settings, source.name, handle)[0]


def lines(settings: Settings) -> list[str]:
    log = settings.upload_dir / "attempts.log"
    return [line.split()[0] for line in log.read_text().splitlines()] if log.exists() else []


def test_a_worker_process_runs_a_job_submitted_here(
    broker_settings: Settings, tmp_path: Path
) -> None:
    settings = broker_settings
    db = create_db_engine(settings.database_url)
    upgrade(db)
    sessions = session_factory(db)
    queue = JobQueue(settings, sessions)
    assert not queue.in_process
    with sessions() as session:
        job, _ = service.submit(
            queue=queue,
            session=session,
            kind="import",
            file=upload(settings, SAMPLE / "challenges.csv"),
        )
    worker = start_worker(settings, tmp_path / "worker.log")
    try:
        done = wait_for(sessions, job.id, timeout=90)
    finally:
        stop(worker)
        queue.close()
    assert done.state is JobState.DONE, (tmp_path / "worker.log").read_text()[-3000:]
    assert done.done == done.total == 45 and done.attempts == 1
    with sessions() as session:
        assert session.scalar(select(func.count()).select_from(Challenge)) == 45
    assert worker.returncode == 0  # SIGTERM: a graceful stop


def test_a_job_whose_worker_is_killed_is_finished_once_by_another(
    broker_settings: Settings, tmp_path: Path
) -> None:
    settings = broker_settings
    db = create_db_engine(settings.database_url)
    upgrade(db)
    sessions = session_factory(db)
    queue = JobQueue(settings, sessions)
    name = upload(settings, SAMPLE / "challenges.csv")
    (settings.upload_dir / "hold").touch()
    with sessions() as session:
        job, _ = service.submit(queue=queue, session=session, kind="held_import", file=name)
    log = tmp_path / "worker.log"
    first = start_worker(settings, log)
    second = None
    try:
        running = wait_for(sessions, job.id, states=(JobState.RUNNING,), timeout=90)
        deadline = time.monotonic() + 30
        while lines(settings) != ["start"]:
            assert time.monotonic() < deadline, log.read_text()[-3000:]
            time.sleep(0.1)
        stop(first, signal.SIGKILL)  # mid-job: nothing acknowledged, nothing committed
        assert running.attempts == 1
        (settings.upload_dir / "hold").unlink()
        second = start_worker(settings, log)
        done = wait_for(sessions, job.id, timeout=120)
    finally:
        stop(first, signal.SIGKILL)
        if second is not None:
            stop(second)
        queue.close()
    assert done.state is JobState.DONE, log.read_text()[-3000:]
    assert done.attempts == 2
    assert lines(settings) == ["start", "start", "commit"]
    with sessions() as session:
        assert session.scalar(select(func.count()).select_from(Challenge)) == 45
    time.sleep(1)  # a late duplicate delivery would show here
    assert lines(settings) == ["start", "start", "commit"]
