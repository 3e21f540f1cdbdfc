"""The jobs API over a real app (SQLite file, in-process queue): upload and import, progress,
clear refusals, the queue depth in /metrics and the line on the coordinators' pages."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from api.app import create_app
from klimatmatch.core.settings import Settings
from klimatmatch.jobs import KINDS, JobContext
from klimatmatch.jobs.registry import Kind
from tests.api.conftest import World, credentials, make_world
from tests.api.forms import with_pre_session
from tests.conftest import SAMPLE


@pytest.fixture(scope="module")
def jobs_world(tmp_path_factory: pytest.TempPathFactory) -> Iterator[World]:
    folder = tmp_path_factory.mktemp("jobs")
    settings = Settings(
        _env_file=None,
        database_url=f"sqlite:///{folder / 'api.db'}",
        embedder="tfidf",
        upload_dir=folder / "uploads",
    )
    tokens, ids = make_world(settings.database_url)
    with TestClient(create_app(settings)) as client:
        yield World(client, tokens, ids)


def follow(world: World, job_id: str, timeout: float = 60) -> dict:
    deadline = time.monotonic() + timeout
    while True:
        job = world.get(f"/jobs/{job_id}", "coordinator").json()
        if job["state"] in ("done", "failed"):
            return job
        assert time.monotonic() < deadline, job
        time.sleep(0.1)


def test_an_uploaded_file_is_imported_in_the_background(jobs_world: World, tmp_path: Path) -> None:
    source = tmp_path / "new-companies.csv"
    rows = (SAMPLE / "companies.csv").read_text(encoding="utf-8").splitlines()
    header, first = rows[0], rows[1]
    source.write_text(f"{header}\n{first.replace('CO-001', 'CO-9001', 1)}\n", encoding="utf-8")
    before = jobs_world.get("/companies", "coordinator", params={"limit": 1}).json()["count"]
    with source.open("rb") as handle:
        response = jobs_world.post(
            "/jobs/import", "coordinator", files={"file": (source.name, handle, "text/csv")}
        )
    assert response.status_code == 202, response.text
    job = response.json()
    assert response.headers["location"] == f"/jobs/{job['id']}"
    assert job["kind"] == "import" and job["unit"] == "rows"
    assert job["arguments"]["file"].endswith("-new-companies.csv")
    done = follow(jobs_world, job["id"])
    assert (done["state"], done["done"], done["total"], done["attempts"]) == ("done", 1, 1, 1)
    assert "1 companies created" in done["message"]
    after = jobs_world.get("/companies", "coordinator", params={"limit": 1}).json()["count"]
    assert after == before + 1
    listed = jobs_world.get("/jobs", "admin").json()
    assert listed["count"] >= 1 and listed["data"][0]["id"] == job["id"]


def test_a_reindex_job_from_json(jobs_world: World) -> None:
    response = jobs_world.post("/jobs", "admin", json={"kind": "reindex"})
    assert response.status_code == 202, response.text
    done = follow(jobs_world, response.json()["id"])
    assert done["state"] == "done" and done["unit"] == "texts"
    assert done["done"] == done["total"] > 150


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"kind": "bogus"}, "kind"),
        ({"kind": "import", "file": 3}, "file"),
        ({"kind": "reindex", "extra": 1}, "extra"),
        ({}, "kind"),
    ],
)
def test_invalid_requests_name_the_field(jobs_world: World, body: dict, field: str) -> None:
    response = jobs_world.post("/jobs", "coordinator", json=body)
    assert response.status_code == 422
    assert [e["field"] for e in response.json()["errors"]] == [field]


@pytest.mark.parametrize(
    ("body", "detail"),
    [
        ({"kind": "import"}, "file: import jobs need a file"),
        ({"kind": "import", "file": "../api.db"}, "file: '../api.db' is not a file in the upload"),
        ({"kind": "import", "file": "missing.csv"}, "file: 'missing.csv' is not a file"),
        ({"kind": "train", "file": "x.csv"}, "file: train jobs take no file"),
    ],
)
def test_a_missing_or_foreign_file_is_refused(jobs_world: World, body: dict, detail: str) -> None:
    response = jobs_world.post("/jobs", "coordinator", json=body)
    assert response.status_code == 422 and response.json()["detail"].startswith(detail)


def test_uploads_need_a_file_of_a_known_type(jobs_world: World) -> None:
    missing = jobs_world.post("/jobs/import", "coordinator", data={"x": "1"})
    assert missing.status_code == 422 and missing.json()["errors"][0]["field"] == "file"
    text = jobs_world.post(
        "/jobs/import", "coordinator", files={"file": ("notes.txt", b"hello", "text/plain")}
    )
    assert text.status_code == 422 and text.json()["detail"].startswith("file: 'notes.txt'")


def test_an_unknown_job_is_not_found(jobs_world: World) -> None:
    response = jobs_world.get("/jobs/00000000-0000-0000-0000-000000000000", "coordinator")
    assert response.status_code == 404 and "does not exist" in response.json()["detail"]


def test_running_jobs_show_in_metrics_and_on_the_coordinators_page(
    jobs_world: World, monkeypatch: pytest.MonkeyPatch
) -> None:
    release, reported = threading.Event(), threading.Event()

    def held(context: JobContext) -> str:
        context.progress(4200, 100_000)
        reported.set()
        assert release.wait(30)
        return "released"

    monkeypatch.setitem(KINDS, "held", Kind("held", held, "texts"))
    job = jobs_world.post("/jobs", "coordinator", json={"kind": "held"}).json()
    again = jobs_world.post("/jobs", "coordinator", json={"kind": "held"})
    assert again.status_code == 200 and again.json()["id"] == job["id"]
    try:
        assert reported.wait(30)
        metrics = jobs_world.get("/metrics", "admin").text
        assert 'klimatmatch_jobs{state="running"} 1.0' in metrics
        assert 'klimatmatch_jobs{state="queued"} 0.0' in metrics
        pages = TestClient(jobs_world.client.app)
        coordinator = with_pre_session(pages, credentials("coordinator"))
        assert pages.post("/ui/sign-in", data=coordinator).status_code == 200
        page = pages.get("/ui/challenges").text
        assert "held: 4,200 / 100,000 texts (running)" in page
        swedish = pages.get("/ui/challenges", headers={"Accept-Language": "sv"}).text
        assert "held: 4\u00a0200 / 100\u00a0000 texter (pågår)" in swedish
        city = TestClient(jobs_world.client.app)
        city.post("/ui/sign-in", data=with_pre_session(city, credentials("stockholm")))
        assert 'data-testid="jobs"' not in city.get("/ui/challenges").text
    finally:
        release.set()
    assert follow(jobs_world, job["id"])["state"] == "done"
    assert 'data-testid="jobs"' not in pages.get("/ui/challenges").text
    metrics = jobs_world.get("/metrics", "admin").text
    assert 'klimatmatch_jobs{state="running"} 0.0' in metrics


def test_an_upload_may_be_larger_than_other_bodies_up_to_its_own_limit(
    tmp_path: Path,
) -> None:
    settings = Settings(
        _env_file=None,
        database_url=f"sqlite:///{tmp_path / 'api.db'}",
        embedder="tfidf",
        upload_dir=tmp_path / "uploads",
        max_body_bytes=2_000,
        max_upload_bytes=40_000,
    )
    tokens, ids = make_world(settings.database_url)
    header = (SAMPLE / "companies.csv").read_text(encoding="utf-8").splitlines()[0]
    filler = "x" * 20_000  # one long description: over max_body_bytes, under the upload limit
    body = f'{header}\nCO-9100,Stor AB,SE,energy,sv,5,,"Solceller {filler}",\n'
    with TestClient(create_app(settings)) as client:
        world = World(client, tokens, ids)
        accepted = world.post(
            "/jobs/import", "coordinator", files={"file": ("big.csv", body.encode(), "text/csv")}
        )
        assert accepted.status_code == 202, accepted.text
        refused = world.post(
            "/jobs/import",
            "coordinator",
            files={"file": ("huge.csv", (body + filler * 2).encode(), "text/csv")},
        )
        assert refused.status_code == 413
        detail = refused.json()["detail"]
        assert detail == "the request body is over the limit of 40000 bytes for /jobs/import"
        other = world.post("/challenges", "stockholm", json={"title": "t", "description": filler})
        assert other.status_code == 413


def test_jobs_a_stopped_process_left_unfinished_run_at_the_next_start(tmp_path: Path) -> None:
    """No broker: the work of a process that stopped mid-job is run by the next one."""
    from klimatmatch.jobs import store
    from models import Job, JobState, create_db_engine, session_factory

    settings = Settings(
        _env_file=None,
        database_url=f"sqlite:///{tmp_path / 'api.db'}",
        embedder="tfidf",
        upload_dir=tmp_path / "uploads",
    )
    tokens, ids = make_world(settings.database_url)
    with session_factory(create_db_engine(settings.database_url))() as session:
        job, _ = store.create_job(session=session, kind="reindex", arguments={}, key="left")
        job.state, job.attempts = JobState.RUNNING, 1  # the process died while running it
        session.commit()
        job_id = job.id
    with TestClient(create_app(settings)) as client:
        done = follow(World(client, tokens, ids), job_id)
    assert (done["state"], done["attempts"]) == ("done", 2), done
    with session_factory(create_db_engine(settings.database_url))() as session:
        assert session.get(Job, job_id).state is JobState.DONE
