"""A file that cannot be read (not a zip, a DTD, JSON nested without end) fails its import job
on the first attempt, with the same plain message through the queue, the API's upload route
and the command line (issue 24, #11)."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from sqlalchemy.orm import Session, sessionmaker
from typer.testing import CliRunner

from api.app import create_app
from klimatmatch.cli import app as cli
from klimatmatch.core.settings import Settings, get_settings
from klimatmatch.jobs import JobQueue, service
from models import JobState
from tests.api.conftest import World, make_world
from tests.klimatmatch.catalogue.test_importing import UNREADABLE
from tests.klimatmatch.jobs.conftest import job_settings, wait_for

Maker = Callable[[Path], Path]


def plain(text: str) -> str:
    """The words, whatever the line breaks (the terminal wraps the command's output)."""
    return " ".join(text.split())


@pytest.mark.parametrize(("make", "message"), UNREADABLE)
def test_the_job_fails_after_one_attempt_with_the_plain_message(
    queue: JobQueue,
    sessions: sessionmaker[Session],
    settings: Settings,
    tmp_path: Path,
    make: Maker,
    message: str,
) -> None:
    source = make(tmp_path)
    with source.open("rb") as handle:
        stored, _ = service.save_upload(settings, source.name, handle)
    with sessions() as session:
        job, _ = service.submit(queue=queue, session=session, kind="import", file=stored)
    failed = wait_for(sessions, job.id)
    assert settings.job_retries == 2  # a passing fault would have had three attempts
    assert (failed.state, failed.attempts) == (JobState.FAILED, 1)
    assert failed.error == f"nothing imported, 1 problem(s):\n  - {message}"


@pytest.mark.parametrize(("make", "message"), UNREADABLE)
def test_the_command_line_says_the_same(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, make: Maker, message: str
) -> None:
    monkeypatch.setenv("KLIMATMATCH_DATABASE_URL", f"sqlite:///{tmp_path / 'cli.db'}")
    monkeypatch.setenv("KLIMATMATCH_EMBEDDER", "tfidf")
    get_settings.cache_clear()
    try:
        result = CliRunner().invoke(cli, ["import", str(make(tmp_path))])
    finally:
        get_settings.cache_clear()
    assert result.exit_code == 2 and result.exception is not None
    assert isinstance(result.exception, SystemExit), result.exception
    assert plain(message) in plain(result.output)


@pytest.fixture(scope="module")
def uploads_world(tmp_path_factory: pytest.TempPathFactory) -> Iterator[World]:
    settings = job_settings(tmp_path_factory.mktemp("uploads"))
    tokens, ids = make_world(settings.database_url)
    with TestClient(create_app(settings)) as client:
        yield World(client, tokens, ids)


@pytest.mark.parametrize(("make", "message"), UNREADABLE)
def test_the_upload_route_says_the_same(
    uploads_world: World, tmp_path: Path, make: Maker, message: str
) -> None:
    source = make(tmp_path)
    upload = {"file": (source.name, source.read_bytes(), "application/octet-stream")}
    queued = uploads_world.post("/jobs/import", "coordinator", files=upload)
    assert queued.status_code == 202, queued.text
    sessions = uploads_world.client.app.state.klimatmatch.sessions
    wait_for(sessions, queued.json()["id"])
    job = uploads_world.get(f"/jobs/{queued.json()['id']}", "coordinator")
    assert job.status_code == 200
    assert (job.json()["state"], job.json()["attempts"]) == ("failed", 1)
    assert job.json()["error"] == f"nothing imported, 1 problem(s):\n  - {message}"
