"""`klimatmatch worker`: Dramatiq's own worker (processes, threads, signals, graceful stop)
running our one actor against the configured broker.

Dramatiq's command line imports a broker module in every worker process; `setup` is that
hook: it builds the database engine, the broker and the actor from the settings, in the
process that will use them (never shared across a fork).
"""

from __future__ import annotations

import dramatiq
from dramatiq import cli as dramatiq_cli

import klimatmatch.tasks  # noqa: F401 - every kind of job, in each worker process
from klimatmatch.core.errors import KlimatmatchError
from klimatmatch.core.settings import Settings, get_settings
from klimatmatch.jobs.queue import build_broker, declare_actor
from models import create_db_engine, session_factory
from models.migrate import upgrade


class NoBroker(KlimatmatchError):
    pass


def setup() -> None:
    """Called by Dramatiq in each worker process, before it consumes anything."""
    settings = get_settings()
    db = create_db_engine(settings.database_url)
    broker = build_broker(settings)
    declare_actor(broker, settings, session_factory(db))
    dramatiq.set_broker(broker)


def run_worker(
    settings: Settings, *, processes: int, threads: int, modules: list[str] | None = None
) -> int:
    """Block serving jobs until SIGTERM or SIGINT (the running jobs finish first); returns
    Dramatiq's exit code. `modules` register extra kinds of job in every worker process."""
    if settings.broker_url is None:
        raise NoBroker(
            "no broker configured: set KLIMATMATCH_BROKER_URL to redis://host:6379/0 or "
            "amqp://user:password@host:5672/ (without one, jobs run in the process that asks)"
        )
    db = create_db_engine(settings.database_url)
    upgrade(db)  # the jobs table exists before the first job comes
    db.dispose()  # no connection crosses the fork into the worker processes
    arguments = [
        f"{__name__}:setup",
        *(modules or []),
        "--processes",
        str(processes),
        "--threads",
        str(threads),
        "--worker-shutdown-timeout",
        str(30 * 60 * 1000),
    ]
    return dramatiq_cli.main(dramatiq_cli.make_argument_parser().parse_args(arguments)) or 0
