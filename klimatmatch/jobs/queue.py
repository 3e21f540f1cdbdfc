"""The job queue on Dramatiq: one actor that receives only a job id, over Redis, RabbitMQ, or
(with no broker configured) Dramatiq's in-memory broker and a worker thread in this process.

Why Dramatiq: a message is acknowledged only after the actor returns, so a job whose worker
died is delivered again (RabbitMQ at once when the connection drops, Redis once the worker's
heartbeat is older than `job_dead_after`); retries with exponential back-off are a middleware;
Redis and RabbitMQ are drop-in brokers; and it needs no configuration beyond a URL.

The same actor runs in every mode, so what the tests check in-process (claiming, progress,
retries, failure) is what a worker on another machine does.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import Any

import dramatiq
from dramatiq.brokers.stub import StubBroker
from dramatiq.middleware import Middleware, Retries, ShutdownNotifications, TimeLimit
from sqlalchemy import func, select
from sqlalchemy.orm import Session, sessionmaker

from klimatmatch.core.errors import KlimatmatchError
from klimatmatch.core.settings import Settings
from klimatmatch.jobs import store
from klimatmatch.jobs.progress import ThrottledProgress
from klimatmatch.jobs.registry import KINDS, JobContext
from models import Job

log = logging.getLogger("klimatmatch.jobs")
ACTOR = "klimatmatch_job"
TIME_LIMIT_MS = 12 * 3600 * 1000
"""A job still running after 12 hours is stopped (and retried): long enough for a re-encoding
of millions of texts, short enough that a hung job does not hold a worker for good."""
BACKOFF_MS = 15_000
"""The first retry waits ~15 s, then 30 s, 60 s... (Dramatiq's exponential back-off)."""
MAINTENANCE_CHANCE = 100_000
"""Per million Redis commands: how often a worker looks for dead workers' messages. Dramatiq's
1,000 would leave a crashed job waiting minutes after `job_dead_after`; 10% costs one cheap
sorted-set read per ten commands."""


class QueueUnavailable(KlimatmatchError):
    status_code = 503
    title = "Service unavailable"


class OnePerThread(Middleware):
    """Each worker thread holds one message, not Dramatiq's two: jobs are long, and a message
    waiting behind a running job in one process would not go to an idle worker elsewhere."""

    def before_worker_boot(self, broker: dramatiq.Broker, worker: dramatiq.Worker) -> None:
        worker.queue_prefetch = worker.worker_threads


def build_broker(settings: Settings, *, backoff_ms: int = BACKOFF_MS) -> dramatiq.Broker:
    """The broker named by `broker_url`, or an in-memory one when there is none."""
    middleware = [
        TimeLimit(time_limit=TIME_LIMIT_MS),
        ShutdownNotifications(),
        Retries(max_retries=settings.job_retries, min_backoff=backoff_ms),
        OnePerThread(),
    ]
    url = settings.broker_url
    if url is None:
        return StubBroker(middleware=middleware)
    if url.startswith(("redis://", "rediss://")):
        from dramatiq.brokers.redis import RedisBroker

        return RedisBroker(
            url=url,
            middleware=middleware,
            heartbeat_timeout=int(settings.job_dead_after * 1000),
            maintenance_chance=MAINTENANCE_CHANCE,
        )
    from dramatiq.brokers.rabbitmq import RabbitmqBroker

    return RabbitmqBroker(url=url, middleware=middleware, confirm_delivery=True)


@dataclass
class Runner:
    """Runs one attempt of a job by id: what the actor does, in whatever process receives it."""

    settings: Settings
    sessions: sessionmaker[Session]

    def __call__(self, job_id: str) -> None:
        with self.sessions() as session:
            job = store.get_job(session=session, job_id=job_id)
            attempt = store.claim(session=session, job_id=job_id) if job is not None else None
        if job is None or attempt is None:
            log.info("job %s: unknown or already ended, nothing to do", job_id)
            return
        kind = KINDS.get(job.kind)
        label = f"job {job_id} {job.kind} (attempt {attempt})"
        progress = ThrottledProgress(self._writer(job_id, attempt), label)
        log.info("%s: started", label)
        try:
            if kind is None:
                raise KlimatmatchError(f"no handler for jobs of kind {job.kind!r} in this worker")
            context = JobContext(self.settings, self.sessions, dict(job.arguments), progress)
            summary = kind.handler(context)
        except Exception as error:
            progress.flush()
            self._failed(job_id, attempt, label, error)
            return
        progress.flush()
        with self.sessions() as session:
            ended = store.finish(session=session, job_id=job_id, attempt=attempt, message=summary)
        log.info("%s: %s", label, "done: " + summary if ended else "taken over, result dropped")

    def _failed(self, job_id: str, attempt: int, label: str, error: Exception) -> None:
        """A user's error (an invalid file) fails at once; anything else is retried by the
        broker with back-off until the attempts run out."""
        final = isinstance(error, KlimatmatchError) or attempt > self.settings.job_retries
        text = error.message if isinstance(error, KlimatmatchError) else f"{error!r}"
        with self.sessions() as session:
            store.fail(session=session, job_id=job_id, attempt=attempt, error=text, final=final)
        if final:
            log.error("%s: failed: %s", label, text)
            return
        log.warning("%s: %s; will retry", label, text)
        raise error

    def _writer(self, job_id: str, attempt: int) -> Any:
        def write(done: int, total: int | None, message: str) -> bool:
            with self.sessions() as session:
                return store.report(
                    session=session,
                    job_id=job_id,
                    attempt=attempt,
                    done=done,
                    total=total,
                    message=message,
                )

        return write


def declare_actor(
    broker: dramatiq.Broker, settings: Settings, sessions: sessionmaker[Session]
) -> dramatiq.Actor:
    return dramatiq.Actor(
        Runner(settings, sessions),
        broker=broker,
        actor_name=ACTOR,
        queue_name=settings.job_queue,
        priority=0,
        options={"max_retries": settings.job_retries, "time_limit": TIME_LIMIT_MS},
    )


class JobQueue:
    """Submits jobs; with no broker configured it also runs them, on a worker thread here.

    Built once per process (the API's first job request, a CLI command, a worker)."""

    def __init__(
        self,
        settings: Settings,
        sessions: sessionmaker[Session],
        *,
        backoff_ms: int = BACKOFF_MS,
        threads: int = 1,
    ) -> None:
        self.settings = settings
        self.sessions = sessions
        self.broker = build_broker(settings, backoff_ms=backoff_ms)
        self.actor = declare_actor(self.broker, settings, sessions)
        self.worker: dramatiq.Worker | None = None
        if settings.broker_url is None:
            self.worker = dramatiq.Worker(self.broker, worker_threads=threads)
            self.worker.start()

    @property
    def in_process(self) -> bool:
        return self.worker is not None

    def submit(
        self,
        *,
        session: Session,
        kind: str,
        arguments: dict[str, Any],
        key: str = "",
        created_by_id: int | None = None,
    ) -> tuple[Job, bool]:
        """(job, created). The same kind and key while a job is queued or running returns it."""
        job, created = store.create_job(
            session=session,
            kind=kind,
            arguments=arguments,
            key=f"{kind}:{key}",
            created_by_id=created_by_id,
        )
        if not created:
            return job, False
        try:
            self.actor.send(job.id)
        except Exception as error:
            store.fail_unsent(session=session, job_id=job.id, error=f"not queued: {error!r}")
            log.exception("job %s: the broker refused it", job.id)
            raise QueueUnavailable("the job queue is unreachable; try again shortly") from error
        return job, True

    @staticmethod
    def unfinished(sessions: sessionmaker[Session]) -> int:
        with sessions() as session:
            count = session.scalar(
                select(func.count()).select_from(Job).where(Job.state.in_(store.ACTIVE))
            )
            session.commit()
        return int(count or 0)

    def resume_unfinished(self) -> int:
        """Send again every queued or running job (in-process mode, at start-up): without a
        broker nothing else would redeliver the work of a process that stopped. Runs are
        claimed by attempt, so a job another live process still holds ends once."""
        with self.sessions() as session:
            ids = list(session.scalars(select(Job.id).where(Job.state.in_(store.ACTIVE))))
            session.commit()
        for job_id in ids:
            self.actor.send(job_id)
        if ids:
            log.info("resumed %s unfinished job(s) in this process", len(ids))
        return len(ids)

    def join(self, timeout_ms: int | None = None) -> None:
        """Wait until this process's in-memory queue is empty and its worker idle."""
        if self.worker is not None:
            assert isinstance(self.broker, StubBroker)
            self.broker.join(self.settings.job_queue, timeout=timeout_ms)
            self.worker.join()

    def close(self) -> None:
        if self.worker is not None:
            self.worker.stop(timeout=5_000)
        self.broker.close()
