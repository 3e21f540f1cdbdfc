"""Two real service processes over one database keep their indexes in step (SQLite and
PostgreSQL): a write on either is in the other's shortlists within a second, also after one
of them was down while the other wrote, and a commit no process indexed is not lost."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest

from models import CompanyProfile, create_db_engine, crud, session_factory
from tests.api.conftest import make_world
from tests.conftest import POSTGRES_URL, reset_postgres

VISIBLE_WITHIN = 1.0
DIGGERS = "Eldrivna grävmaskiner och hjullastare med laddning på byggarbetsplatsen, {n}."


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@dataclass
class Service:
    """`klimatmatch serve` in a process of its own, as an operator runs it."""

    url: str
    log: Path
    port: int = 0
    process: subprocess.Popen | None = None
    workers: int = 1

    def start(self) -> Service:
        self.port = self.port or free_port()
        env = {
            **os.environ,
            "KLIMATMATCH_DATABASE_URL": self.url,
            "KLIMATMATCH_EMBEDDER": "tfidf",
            "KLIMATMATCH_REPLICA_POLL_SECONDS": "0.1",
        }
        self.process = subprocess.Popen(
            [
                *(sys.executable, "-m", "klimatmatch.cli", "serve"),
                *("--port", str(self.port), "--workers", str(self.workers)),
            ],
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=self.log.open("a"),
        )
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline:
            try:
                if httpx.get(f"{self.base}/health", timeout=2).status_code == 200:
                    return self
            except httpx.HTTPError:
                time.sleep(0.2)
            assert self.process.poll() is None, "the service exited at start-up"
        pytest.fail("the service did not start")

    def stop(self) -> None:
        if self.process is not None:
            self.process.terminate()
            self.process.wait(timeout=30)
            self.process = None

    @property
    def base(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def call(self, method: str, path: str, token: str, **kwargs) -> httpx.Response:  # noqa: ANN003
        headers = {"Authorization": f"Bearer {token}", **kwargs.pop("headers", {})}
        return httpx.request(method, self.base + path, headers=headers, timeout=30, **kwargs)

    def shortlist(self, challenge_id: int, token: str) -> list[int]:
        response = self.call(
            "GET",
            f"/challenges/{challenge_id}/shortlist",
            token,
            params={"k": 200, "explain": "false"},
        )
        assert response.status_code == 200, response.text
        return [r["company_id"] for r in response.json()["results"]]


def register(service: Service, token: str, name: str, n: int) -> httpx.Response:
    """A company registers a profile that fits the construction-site challenge."""
    body = {"name": name, "country": "SE", "description": DIGGERS.format(n=n)}
    created = service.call("POST", "/companies", token, json=body)
    assert created.status_code == 201, created.text
    return created


def seen_within(service: Service, challenge_id: int, token: str, company_id: int) -> float:
    """Seconds until `company_id` is on the service's shortlist (fails past the limit)."""
    start = time.monotonic()
    while time.monotonic() - start < 10:
        if company_id in service.shortlist(challenge_id, token):
            return time.monotonic() - start
        time.sleep(0.05)
    pytest.fail(f"company {company_id} never reached {service.base}")


def wait_for_snapshot(folder: Path, seconds: float = 20) -> bool:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if folder.is_dir() and any((f / "manifest.json").exists() for f in folder.iterdir()):
            return True
        time.sleep(0.1)
    return False


@pytest.fixture(params=["sqlite", "postgresql"])
def database(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[tuple[str, dict, dict]]:
    if request.param == "postgresql":
        reset_postgres().dispose()
        url = POSTGRES_URL
    else:
        url = f"sqlite:///{tmp_path / 'shared.db'}"
    tokens, ids = make_world(url)
    yield url, tokens, ids
    if request.param == "postgresql":
        reset_postgres().dispose()


def test_two_processes_see_each_others_writes(
    database: tuple[str, dict, dict], tmp_path: Path
) -> None:
    url, tokens, ids = database
    first = Service(url, tmp_path / "first.log").start()
    second = Service(url, tmp_path / "second.log").start()
    try:
        challenge, coordinator = ids["sth_published"], tokens["coordinator"]
        created = register(first, tokens["voltgrav"], "Replica Grävtjänst AB", 1)
        company = created.json()["id"]
        assert seen_within(second, challenge, coordinator, company) < VISIBLE_WITHIN

        # an edit made on the second is seen by the first
        edited = second.call(
            "PATCH",
            f"/companies/{company}",
            tokens["voltgrav"],
            headers={"If-Match": created.headers["etag"]},
            json={"description": "Återanvändbara matlådor och diskbara behållare för storkök."},
        )
        assert edited.status_code == 200, edited.text
        start = time.monotonic()
        while company in first.shortlist(challenge, coordinator)[:10]:
            assert time.monotonic() - start < VISIBLE_WITHIN, "the edit never reached the first"
            time.sleep(0.05)

        # the second is down while the first writes; it comes back from the snapshot that
        # a process wrote after its rebuild, and replays what was written since
        second.stop()
        later = register(first, tokens["voltgrav"], "Replica Hjullast AB", 2).json()["id"]
        assert wait_for_snapshot(Path(os.environ["KLIMATMATCH_SNAPSHOT_DIR"]))
        second.start()
        assert later in second.shortlist(challenge, coordinator)
        source = second.call("GET", "/health", coordinator).json()["index_source"]
        assert source.startswith("snapshot v"), source

        # a commit that no process indexed (a crash right after it): both pick it up
        db = create_db_engine(url)
        with session_factory(db)() as session:
            profile = crud.get_company(session=session, company_id=later)
            assert isinstance(profile, CompanyProfile)
            session.delete(profile)
            session.commit()
        db.dispose()
        for service in (first, second):
            start = time.monotonic()
            while later in service.shortlist(challenge, coordinator):
                assert time.monotonic() - start < VISIBLE_WITHIN, service.base
                time.sleep(0.05)
        health = [s.call("GET", "/health", coordinator).json() for s in (first, second)]
        assert (
            health[0]["indexed_companies"]
            == health[1]["indexed_companies"]
            == health[0]["companies"]
        )
        assert (
            health[0]["applied_version"]
            == health[1]["applied_version"]
            == health[0]["data_version"]
        )
    finally:
        first.stop()
        second.stop()


def worker_pids(process: subprocess.Popen) -> list[int]:
    """The supervisor's worker children; one killed a moment ago may vanish while we look."""
    children = Path(f"/proc/{process.pid}/task/{process.pid}/children").read_text().split()
    found = []
    for child in children:
        try:
            if Path(f"/proc/{child}/cmdline").read_bytes().count(b"spawn"):
                found.append(int(child))
        except FileNotFoundError:  # reaped between the listing and the read
            continue
    return found


def test_serve_with_two_workers_keeps_both_replicas_in_step(
    database: tuple[str, dict, dict], tmp_path: Path
) -> None:
    url, tokens, ids = database
    service = Service(url, tmp_path / "workers.log", workers=2).start()
    try:
        assert service.process is not None
        deadline = time.monotonic() + 60
        while len(worker_pids(service.process)) < 2:
            assert time.monotonic() < deadline, "two worker processes never came up"
            time.sleep(0.2)
        time.sleep(2)  # both listening: requests now land on either
        challenge, coordinator = ids["sth_published"], tokens["coordinator"]
        company = register(service, tokens["voltgrav"], "Tvåprocess AB", 3).json()["id"]
        start = time.monotonic()
        streak = 0
        while streak < 10:  # ten answers in a row, from whichever worker takes each
            streak = streak + 1 if company in service.shortlist(challenge, coordinator) else 0
            assert time.monotonic() - start < 5, "a worker's replica did not follow"
        # one worker dies: uvicorn starts another, which catches up from the database
        victim = worker_pids(service.process)[0]
        os.kill(victim, 9)
        deadline = time.monotonic() + 60
        while victim in worker_pids(service.process) or len(worker_pids(service.process)) < 2:
            assert time.monotonic() < deadline, "the dead worker was not replaced"
            time.sleep(0.2)
    finally:
        service.stop()
