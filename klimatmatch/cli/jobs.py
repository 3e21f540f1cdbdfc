"""`klimatmatch worker` and `klimatmatch jobs submit | list | show`.

With a broker configured, `submit` queues the job for the workers and returns (`--wait`
follows it); without one it runs the job here, in the foreground, through the same actor."""

from __future__ import annotations

import time
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.table import Table
from sqlalchemy.orm import Session, sessionmaker

import klimatmatch.tasks  # noqa: F401 - every kind of job, for submit
from klimatmatch.cli.worker import run_worker
from klimatmatch.core.errors import KlimatmatchError
from klimatmatch.core.settings import Settings, get_settings
from klimatmatch.jobs import service, store
from klimatmatch.jobs.queue import JobQueue
from klimatmatch.jobs.registry import KINDS
from klimatmatch.jobs.schemas import JobPublic
from models import JobState, create_db_engine, session_factory
from models.migrate import upgrade

console = Console()
jobs_app = typer.Typer(help="Background jobs: submit, list, show.", no_args_is_help=True)
ENDED = (JobState.DONE, JobState.FAILED)


def _sessions(settings: Settings) -> sessionmaker[Session]:
    db = create_db_engine(settings.database_url)
    upgrade(db)
    return session_factory(db)


def _fail(error: KlimatmatchError) -> typer.Exit:
    console.print(f"[red]error:[/red] {error.message}", highlight=False)
    return typer.Exit(code=2)


def worker(
    processes: Annotated[int, typer.Option(min=1, max=64, help="Worker processes")] = 1,
    threads: Annotated[int, typer.Option(min=1, max=64, help="Jobs at once per process")] = 1,
    module: Annotated[
        list[str] | None, typer.Option(help="A module that registers more kinds of job")
    ] = None,
) -> None:
    """Run jobs from the configured broker until stopped (SIGTERM lets running jobs finish)."""
    try:
        code = run_worker(get_settings(), processes=processes, threads=threads, modules=module)
    except KlimatmatchError as error:
        raise _fail(error) from error
    raise typer.Exit(code=code)


@jobs_app.command("submit")
def submit(
    kind: Annotated[str, typer.Argument(help=f"One of {', '.join(sorted(KINDS))}")],
    file: Annotated[Path | None, typer.Option(help="The file to import (CSV, XLSX, JSON)")] = None,
    wait: Annotated[bool, typer.Option(help="Follow the job until it ends")] = False,
) -> None:
    """Queue a job (or, with no broker configured, run it here and now)."""
    settings = get_settings()
    sessions = _sessions(settings)
    queue = JobQueue(settings, sessions)
    try:
        with sessions() as session:
            name = service.save_local_file(settings, file)[0] if file is not None else None
            job, created = service.submit(queue=queue, session=session, kind=kind, file=name)
        console.print(f"{'queued' if created else 'already under way'}: job {job.id}")
        if queue.in_process or wait:
            job_public = _follow(sessions, job.id)
            if job_public.state is JobState.FAILED:
                raise typer.Exit(code=1)
    except KlimatmatchError as error:
        raise _fail(error) from error
    finally:
        queue.close()


def _follow(sessions: sessionmaker[Session], job_id: str) -> JobPublic:
    """Print the progress as it changes until the job ends; returns how it ended."""
    last = None
    while True:
        with sessions() as session:
            job = service.get_public(session=session, job_id=job_id)
        line = _progress(job)
        if line != last:
            console.print(line, highlight=False)
            last = line
        if job.state in ENDED:
            if job.error:
                console.print(f"[red]error:[/red] {job.error}", highlight=False)
            return job
        time.sleep(0.5)


def _progress(job: JobPublic) -> str:
    total = "?" if job.total is None else f"{job.total:,}"
    counts = f"{job.done:,} / {total} {job.unit}"
    return f"{job.kind} {job.state.value}: {counts}" + (f" ({job.message})" if job.message else "")


@jobs_app.command("list")
def list_(limit: Annotated[int, typer.Option(min=1, max=1000)] = 20) -> None:
    """The newest jobs, with their state and progress."""
    with _sessions(get_settings())() as session:
        rows, count = store.list_jobs(session=session, limit=limit)
        table = Table(title=f"jobs ({count} in all)", title_justify="left")
        for column in ("id", "kind", "state", "progress", "attempts", "created"):
            table.add_column(column)
        for row in rows:
            job = service.public(row)
            total = "?" if job.total is None else f"{job.total:,}"
            table.add_row(
                job.id,
                job.kind,
                job.state.value,
                f"{job.done:,} / {total} {job.unit}",
                str(job.attempts),
                f"{job.created_at:%Y-%m-%d %H:%M:%S}",
            )
    console.print(table)


@jobs_app.command("show")
def show(job_id: Annotated[str, typer.Argument(help="A job's id")]) -> None:
    """One job: its arguments, progress, attempts and error."""
    with _sessions(get_settings())() as session:
        try:
            job = service.get_public(session=session, job_id=job_id)
        except KlimatmatchError as error:
            raise _fail(error) from error
    for name, value in job.model_dump().items():
        console.print(f"{name:>13}: {value}", highlight=False)
