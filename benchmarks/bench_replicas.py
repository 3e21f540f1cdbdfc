"""Replica lag: how long a write on one service process takes to reach another's index.

    python -m benchmarks.bench_replicas [--database postgresql://...] [--writes 40]

Starts two `klimatmatch serve` processes over one database holding the sample (SQLite file by
default), registers profiles through the first while a reader keeps asking the second for
shortlists, and times each write from the first's answer until the second's `/health` says
its index has applied that data version. Prints p50/p99 and a JSON object on the last line.
"""

from __future__ import annotations

import argparse
import json
import os
import socket
import subprocess
import sys
import threading
import time
from pathlib import Path

import httpx
import numpy as np

from klimatmatch.accounts.service import create_user
from klimatmatch.catalogue.importing import import_file
from models import Role, create_db_engine, session_factory
from models.migrate import upgrade

SAMPLE = Path(__file__).resolve().parents[1] / "data" / "sample"


def seed(url: str) -> tuple[str, str]:
    db = create_db_engine(url)
    upgrade(db)
    with session_factory(db)() as session:
        for name in ("challenges.csv", "companies.csv"):
            import_file(session=session, path=SAMPLE / name)
        _, company = create_user(
            session=session, name="bench", role=Role.COMPANY, organisation="Voltgräv AB"
        )
        _, coordinator = create_user(
            session=session, name="reader", role=Role.COORDINATOR, organisation="Bench"
        )
        session.commit()
    db.dispose()
    return company, coordinator


def serve(url: str, embedder: str, poll: float) -> tuple[subprocess.Popen, str]:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    env = {
        **os.environ,
        "KLIMATMATCH_DATABASE_URL": url,
        "KLIMATMATCH_EMBEDDER": embedder,
        "KLIMATMATCH_REPLICA_POLL_SECONDS": str(poll),
    }
    process = subprocess.Popen(
        [sys.executable, "-m", "klimatmatch.cli", "serve", "--port", str(port)],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    base = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 600
    while time.monotonic() < deadline:
        try:
            httpx.get(f"{base}/health", timeout=2).raise_for_status()
            return process, base
        except httpx.HTTPError:
            if process.poll() is not None:
                raise SystemExit("a service did not start") from None
            time.sleep(0.5)
    raise SystemExit("a service did not start in time")


def read_load(
    base: str, token: str, stop: threading.Event, latencies: list[float], challenges: int = 40
) -> None:
    """A coordinator reading shortlists on the follower while the writes arrive."""
    with httpx.Client(base_url=base, headers={"Authorization": f"Bearer {token}"}) as client:
        i = 0
        while not stop.is_set():
            start = time.perf_counter()
            client.get(f"/challenges/{1 + i % challenges}/shortlist", params={"explain": "false"})
            latencies.append(time.perf_counter() - start)
            i += 1


def measure_lag(
    first: str, second: str, company: str, coordinator: str, writes: int, challenges: int = 40
) -> tuple[list[float], list[float]]:
    """Profiles registered on `first` while `second` serves shortlists: per write, seconds
    from the first's answer until the second's index has applied it; and the reads' latencies."""
    stop, reads = threading.Event(), []
    reader = threading.Thread(target=read_load, args=(second, coordinator, stop, reads, challenges))
    reader.start()
    lags = []
    try:
        for i in range(writes):
            created = httpx.post(
                f"{first}/companies",
                headers={"Authorization": f"Bearer {company}"},
                json={
                    "name": f"Replica {i} AB",
                    "country": "SE",
                    "description": f"Eldrivna grävmaskiner och laddning, variant {i}.",
                },
                timeout=60,
            )
            created.raise_for_status()
            answered = time.perf_counter()
            staff = {"Authorization": f"Bearer {coordinator}"}  # health's details are for staff
            wanted = httpx.get(f"{first}/health", headers=staff, timeout=10).json()["data_version"]
            while (
                httpx.get(f"{second}/health", headers=staff, timeout=10).json()["applied_version"]
                < wanted
            ):
                time.sleep(0.005)
            lags.append(time.perf_counter() - answered)
    finally:
        stop.set()
        reader.join()
    return lags, reads


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--database", help="a PostgreSQL URL; default a new SQLite file")
    parser.add_argument("--writes", type=int, default=40)
    parser.add_argument("--embedder", default="tfidf", help="tfidf (fast) or auto (the model)")
    parser.add_argument("--poll", type=float, default=0.2)
    args = parser.parse_args()
    url = args.database
    if url is None:
        path = Path("var") / "bench-replicas.db"
        path.parent.mkdir(exist_ok=True)
        path.unlink(missing_ok=True)
        url = f"sqlite:///{path}"
    company, coordinator = seed(url)
    (writer, first), (follower, second) = (serve(url, args.embedder, args.poll) for _ in "ab")
    try:
        lags, reads = measure_lag(first, second, company, coordinator, args.writes)
    finally:
        for process in (writer, follower):
            process.terminate()
            process.wait(timeout=30)
    lag_ms, read_ms = np.array(lags) * 1000, np.array(reads) * 1000
    figures = {
        "database": url.split(":", 1)[0],
        "embedder": args.embedder,
        "poll_s": args.poll,
        "writes": len(lags),
        "replica_lag_p50_ms": round(float(np.percentile(lag_ms, 50)), 1),
        "replica_lag_p99_ms": round(float(np.percentile(lag_ms, 99)), 1),
        "reads_during": len(reads),
        "read_p50_ms": round(float(np.percentile(read_ms, 50)), 1),
    }
    print(
        f"{figures['database']}, {args.embedder}: a write on one process is in the other's "
        f"index after p50 {figures['replica_lag_p50_ms']} ms, p99 {figures['replica_lag_p99_ms']} "
        f"ms ({len(lags)} writes, {len(reads)} shortlist reads on the follower meanwhile)"
    )
    print(json.dumps(figures))


if __name__ == "__main__":
    main()
