"""The job queue in-process (no broker): the same actor, claiming, progress, retries and
failures that a worker on another machine runs."""

from __future__ import annotations

import threading
from pathlib import Path

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session, sessionmaker

from klimatmatch.core.errors import InvalidInput
from klimatmatch.core.settings import Settings
from klimatmatch.jobs import KINDS, JobContext, JobQueue, service, store
from klimatmatch.jobs.progress import ThrottledProgress
from klimatmatch.jobs.queue import Runner
from klimatmatch.jobs.registry import Kind
from models import Challenge, Job, JobState
from tests.conftest import SAMPLE
from tests.klimatmatch.jobs.conftest import wait_for


def upload(settings: Settings, source: Path) -> str:
    with source.open("rb") as handle:
        return service.save_upload(settings, source.name, handle)[0]


def add_kind(monkeypatch: pytest.MonkeyPatch, name: str, handler, unit: str = "items") -> None:
    monkeypatch.setitem(KINDS, name, Kind(name, handler, unit))


def test_an_import_job_runs_to_done_with_progress(
    queue: JobQueue, sessions: sessionmaker[Session], settings: Settings
) -> None:
    name = upload(settings, SAMPLE / "challenges.csv")
    with sessions() as session:
        job, created = service.submit(queue=queue, session=session, kind="import", file=name)
    assert created and job.state is JobState.QUEUED
    done = wait_for(sessions, job.id)
    assert (done.state, done.attempts, done.error) == (JobState.DONE, 1, "")
    assert done.done == done.total == 45
    assert "45 challenges created" in done.message
    assert done.idempotency_key is None and done.finished_at is not None
    with sessions() as session:
        assert session.scalar(select(func.count()).select_from(Challenge)) == 45


def test_a_reindex_job_counts_texts(queue: JobQueue, sessions, settings: Settings) -> None:
    name = upload(settings, SAMPLE / "companies.csv")
    with sessions() as session:
        imported, _ = service.submit(queue=queue, session=session, kind="import", file=name)
        wait_for(sessions, imported.id)
        job, _ = service.submit(queue=queue, session=session, kind="reindex")
    done = wait_for(sessions, job.id)
    assert done.state is JobState.DONE, done.error
    assert done.done == done.total == 155
    assert service.public(done).unit == "texts"


def test_a_snapshot_job_writes_one_that_the_next_start_uses(
    queue: JobQueue, sessions, settings: Settings
) -> None:
    from klimatmatch.index import snapshots
    from klimatmatch.index.embedding import build_engine
    from matcher.snapshot import available

    name = upload(settings, SAMPLE / "companies.csv")
    with sessions() as session:
        imported, _ = service.submit(queue=queue, session=session, kind="import", file=name)
        wait_for(sessions, imported.id)
        job, _ = service.submit(queue=queue, session=session, kind="snapshot")
    done = wait_for(sessions, job.id)
    assert done.state is JobState.DONE, done.error
    assert done.done == done.total == 2 and "0 challenges, 155 companies" in done.message
    [written] = available(settings.snapshot_dir)
    with sessions() as session:
        report = snapshots.start(settings=settings, session=session, engine=build_engine(settings))
    assert report.source == f"snapshot {written.folder.name}" and report.companies == 155


def test_the_same_work_while_under_way_is_one_job(
    queue: JobQueue, sessions, monkeypatch: pytest.MonkeyPatch
) -> None:
    release = threading.Event()

    def held(context: JobContext) -> str:
        context.progress(1, 2, "held")
        assert release.wait(30)
        return "released"

    add_kind(monkeypatch, "held", held)
    with sessions() as session:
        first, created = service.submit(queue=queue, session=session, kind="held")
        again, created_again = service.submit(queue=queue, session=session, kind="held")
        assert (created, created_again, again.id) == (True, False, first.id)
        release.set()
        assert wait_for(sessions, first.id).message == "released"
        later, created_later = service.submit(queue=queue, session=session, kind="held")
    assert created_later and later.id != first.id  # the key was released when it ended
    wait_for(sessions, later.id)


def test_same_upload_twice_while_queued_returns_the_first(
    queue: JobQueue, sessions, settings: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The key of an import is the file's content, not its stored name."""
    release = threading.Event()
    add_kind(monkeypatch, "held", lambda context: str(release.wait(30)))
    with sessions() as session:
        blocker, _ = service.submit(queue=queue, session=session, kind="held")  # one thread
        names = [upload(settings, SAMPLE / "challenges.csv") for _ in range(2)]
        first, _ = service.submit(queue=queue, session=session, kind="import", file=names[0])
        second, created = service.submit(queue=queue, session=session, kind="import", file=names[1])
    assert names[0] != names[1] and not created and second.id == first.id
    release.set()
    assert wait_for(sessions, first.id).state is JobState.DONE
    wait_for(sessions, blocker.id)


def test_a_failing_handler_is_retried_then_failed_with_its_error(
    queue: JobQueue, sessions, monkeypatch: pytest.MonkeyPatch
) -> None:
    calls: list[int] = []

    def broken(context: JobContext) -> str:
        calls.append(1)
        raise RuntimeError("disk on fire")

    add_kind(monkeypatch, "broken", broken)
    with sessions() as session:
        job, _ = service.submit(queue=queue, session=session, kind="broken")
    failed = wait_for(sessions, job.id)
    assert failed.state is JobState.FAILED
    assert failed.attempts == len(calls) == 3  # the first try and job_retries=2 more
    assert "disk on fire" in failed.error and failed.idempotency_key is None


def test_a_transient_error_is_retried_to_done(
    queue: JobQueue, sessions, monkeypatch: pytest.MonkeyPatch
) -> None:
    calls: list[int] = []

    def flaky(context: JobContext) -> str:
        calls.append(1)
        if len(calls) == 1:
            raise ConnectionError("database went away")
        return "second time lucky"

    add_kind(monkeypatch, "flaky", flaky)
    with sessions() as session:
        job, _ = service.submit(queue=queue, session=session, kind="flaky")
    done = wait_for(sessions, job.id)
    assert (done.state, done.attempts, done.message) == (JobState.DONE, 2, "second time lucky")
    assert done.error == ""


def test_an_invalid_file_fails_at_once_naming_the_row(
    queue: JobQueue, sessions, settings: Settings, tmp_path: Path
) -> None:
    bad = tmp_path / "challenges.csv"
    bad.write_text("external_id,city,title,description\nX-1,Stockholm,,Too short\n")
    name = upload(settings, bad)
    with sessions() as session:
        job, _ = service.submit(queue=queue, session=session, kind="import", file=name)
    failed = wait_for(sessions, job.id)
    assert failed.state is JobState.FAILED and failed.attempts == 1
    assert "row 2" in failed.error and "nothing imported" in failed.error


def test_a_message_delivered_again_after_the_end_does_nothing(
    queue: JobQueue, sessions, settings: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    calls: list[int] = []
    add_kind(monkeypatch, "counted", lambda context: str(calls.append(1)))
    with sessions() as session:
        job, _ = service.submit(queue=queue, session=session, kind="counted")
    wait_for(sessions, job.id)
    Runner(settings, sessions)(job.id)  # the broker's redelivery
    Runner(settings, sessions)("no-such-job")
    with sessions() as session:
        assert session.get(Job, job.id).attempts == 1
    assert len(calls) == 1


def test_a_replaced_attempt_can_no_longer_write(sessions) -> None:
    """A worker presumed dead (its message went to another) cannot end the job."""
    with sessions() as session:
        job, _ = store.create_job(session=session, kind="reindex", arguments={}, key="k")
        first = store.claim(session=session, job_id=job.id)
        second = store.claim(session=session, job_id=job.id)
        assert (first, second) == (1, 2)
        assert not store.report(
            session=session, job_id=job.id, attempt=1, done=5, total=9, message=""
        )
        assert not store.finish(session=session, job_id=job.id, attempt=1, message="stale")
        assert store.finish(session=session, job_id=job.id, attempt=2, message="fresh")
        assert not store.finish(session=session, job_id=job.id, attempt=2, message="again")
        assert store.claim(session=session, job_id=job.id) is None
        session.refresh(job)
        assert (job.state, job.message, job.done) == (JobState.DONE, "fresh", 0)


def test_submitting_checks_kind_and_file(queue: JobQueue, sessions, settings: Settings) -> None:
    with sessions() as session:
        with pytest.raises(InvalidInput, match="^kind: 'bogus'"):
            service.submit(queue=queue, session=session, kind="bogus")
        with pytest.raises(InvalidInput, match="^file: import jobs need a file"):
            service.submit(queue=queue, session=session, kind="import")
        with pytest.raises(InvalidInput, match="^file: '../jobs.db' is not a file"):
            service.submit(queue=queue, session=session, kind="import", file="../jobs.db")
        with pytest.raises(InvalidInput, match="^file: reindex jobs take no file"):
            service.submit(queue=queue, session=session, kind="reindex", file="x.csv")
        assert session.scalar(select(func.count()).select_from(Job)) == 0
    with pytest.raises(InvalidInput, match="^file: 'notes.txt' is not one of"):
        service.save_upload(settings, "notes.txt", (SAMPLE / "challenges.csv").open("rb"))


def test_progress_is_written_at_most_once_a_second_and_the_last_call_kept() -> None:
    writes: list[tuple[int, int | None, str]] = []
    progress = ThrottledProgress(lambda *args: writes.append(args) or True, "test")
    for done in range(1, 10_001):
        progress(done, 10_000)
    assert writes == [(1, 10_000, "")]
    progress.flush()
    assert writes[-1] == (10_000, 10_000, "") and len(writes) == 2


def test_idempotency_key_on_both_databases(session: Session) -> None:
    """The unique key holds on SQLite and PostgreSQL alike."""
    job, created = store.create_job(session=session, kind="train", arguments={}, key="train:")
    again, created_again = store.create_job(
        session=session, kind="train", arguments={}, key="train:"
    )
    assert created and not created_again and again.id == job.id
    counts = store.count_by_state(session=session)
    assert counts[JobState.QUEUED] == 1 and counts[JobState.RUNNING] == 0
