"""Shortlist latency through the HTTP API at scale, with a bounded load generator on 127.0.0.1.

    python -m benchmarks.bench_api --size 100000 --seconds 20 --concurrency 1 4

Starts the service four ways: the first start (rebuilt from rows, then it writes a snapshot),
a start from that snapshot (the figures below), `--workers 2` at the highest concurrency, and
two processes for the replica lag under reads.

Also times the coordinators' pages (the review queue and one shortlist page).

Builds a SQLite database of synthetic profiles whose vectors are already in the embedding cache
(as after a first `reindex`), starts `klimatmatch serve`, and measures GET shortlist latency for
challenges whose vectors are cached: the one-off encoding of a new challenge happens on POST
and is reported apart.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import time
from pathlib import Path

import httpx
import numpy as np
import pandas as pd
from sqlalchemy import insert
from sqlalchemy.orm import Session

from benchmarks.bench_replicas import measure_lag
from benchmarks.http_load import (
    memory_mib,
    pages,
    server_memory,
    shortlist_figures,
    start_service,
    stop_service,
    wait_for_snapshot,
    worker_memory,
    wrk_figures,
)
from benchmarks.synthetic import profiles, vectors
from klimatmatch.accounts.service import create_user
from klimatmatch.core.settings import Settings
from klimatmatch.index.embedding import build_embedder
from matcher.documents import text_hash
from models import (
    Challenge,
    CompanyProfile,
    EmbeddingCache,
    OrganisationKind,
    Role,
    create_db_engine,
    crud,
    session_factory,
)
from models.migrate import upgrade

CHALLENGES = [
    ("Fossilfria byggarbetsplatser", "Eldrivna arbetsmaskiner och laddning på byggarbetsplatsen."),
    ("Charging for heavy transport", "High-power charging for electric trucks at logistics hubs."),
    ("Mindre plast i storkök", "Återanvändbara matlådor i stället för engångsplast i skolkök."),
    ("Restvärme i fjärrvärmenätet", "Spillvärme från datacenter via värmepumpar till fjärrvärme."),
]


COORDINATOR = ("bench@klimatmatch.example", "bench-password-1")
"""The coordinator's sign-in for the pages."""


def build_database(path: Path, size: int) -> tuple[str, str, str]:
    url = f"sqlite:///{path}"
    path.unlink(missing_ok=True)
    db = create_db_engine(url)
    upgrade(db)
    settings = Settings()
    model = build_embedder(settings)
    frame = profiles(size)
    texts = [f"{n}. {d}" for n, d in zip(frame["name"], frame["description"], strict=True)]
    anchors = model.encode_documents(texts[:256])
    dense = vectors(anchors, size)
    with session_factory(db)() as session:
        firm = crud.get_or_create_organisation(
            session=session, name="Synthetic Oy", kind=OrganisationKind.COMPANY, country="FI"
        )
        city = crud.get_or_create_organisation(
            session=session, name="Benchstad", kind=OrganisationKind.CITY, country="SE"
        )
        session.execute(insert(CompanyProfile), profile_rows(frame, firm.id))
        session.execute(
            insert(EmbeddingCache),
            [
                {
                    "model": f"d:{model.fingerprint}",
                    "text_hash": text_hash(t),
                    "dimension": 384,
                    "vector": v.tobytes(),
                }
                for t, v in zip(texts, dense, strict=True)
            ],
        )
        for title, description in CHALLENGES:
            session.add(
                Challenge(
                    organisation_id=city.id,
                    title=title,
                    description=description,
                    language="",
                    cpv_codes=[],
                )
            )
        token, city_token, company_token = bench_users(session)
        session.commit()
    db.dispose()
    return token, city_token, company_token


def profile_rows(frame: pd.DataFrame, organisation_id: int, first_id: int | None = None) -> list:
    """The synthetic profiles as rows of `company_profiles` (ids from `first_id` when given)."""
    return [
        {
            **({} if first_id is None else {"id": first_id + offset}),
            "organisation_id": organisation_id,
            "name": row.name,
            "description": row.description,
            "country": row.country,
            "sector": row.sector,
            "language": "sv",
            "cpv_codes": [],
        }
        for offset, row in enumerate(frame.itertuples())
    ]


def bench_users(session: Session, suffix: str = "") -> tuple[str, str, str]:
    """A coordinator (who signs in on the pages, without `suffix`), a city and a company;
    their API keys. A `suffix` makes new people in a database that has the first ones."""
    _, token = create_user(
        session=session,
        name=f"bench{suffix}",
        role=Role.COORDINATOR,
        organisation="Bench network",
        email=COORDINATOR[0].replace("@", f"{suffix}@"),
        password=COORDINATOR[1],
    )
    _, city_token = create_user(
        session=session, name=f"city{suffix}", role=Role.CITY, organisation="Benchstad"
    )
    _, company_token = create_user(
        session=session, name=f"firm{suffix}", role=Role.COMPANY, organisation="Synthetic Oy"
    )
    return token, city_token, company_token


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--size", type=int, default=100_000)
    parser.add_argument("--seconds", type=float, default=20)
    parser.add_argument("--concurrency", type=int, nargs="+", default=[1, 4])
    parser.add_argument("--writes", type=int, default=40, help="for the replica lag")
    parser.add_argument("--port", type=int, default=8123)
    args = parser.parse_args()
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    path = Path("var") / f"bench-api-{args.size}.db"
    path.parent.mkdir(exist_ok=True)
    start = time.perf_counter()
    token, city_token, company_token = build_database(path, args.size)
    print(
        f"database with {args.size:,} profiles and cached vectors: "
        f"{time.perf_counter() - start:.1f} s"
    )
    snapshots = Path("var") / f"bench-api-{args.size}-snapshots"
    shutil.rmtree(snapshots, ignore_errors=True)
    env = {
        **os.environ,
        "KLIMATMATCH_DATABASE_URL": f"sqlite:///{path}",
        "KLIMATMATCH_SNAPSHOT_DIR": str(snapshots),
        "OPENBLAS_NUM_THREADS": os.environ.get("OPENBLAS_NUM_THREADS", "1"),
    }
    base = f"http://127.0.0.1:{args.port}"
    figures: dict[str, object] = {"size": args.size}

    server, seconds, health = start_service(env, args.port, token=token)
    figures["startup_rebuild_s"] = round(seconds, 1)
    print(f"first start-up, rebuilt from rows ({health['indexed_companies']:,}): {seconds:.1f} s")
    wait_for_snapshot(snapshots)
    stop_service(server)

    server, seconds, health = start_service(env, args.port, token=token)
    try:
        figures["startup_s"] = round(seconds, 1)
        figures["index_source"] = health["index_source"]
        print(f"start-up from the snapshot ({health['index_source']}): {seconds:.1f} s")
        print(f"service memory after start-up: {server_memory(server.pid)}")
        figures["rss_after_startup_mib"] = memory_mib(server.pid).get("VmRSS")
        figures["post_challenge_p50_ms"] = post_challenges(base, city_token)
        for concurrency in args.concurrency:
            figures[f"shortlist_c{concurrency}"] = shortlist_figures(
                base, token, args.seconds, concurrency, "1 worker"
            )
        if shutil.which("wrk"):
            figures["shortlist_wrk_1_worker"] = wrk_figures(
                base, token, args.seconds, max(args.concurrency), "1 worker", len(CHALLENGES)
            )
        figures.update(pages(base, token, COORDINATOR))
        print(f"service memory after the load: {server_memory(server.pid)}")
        figures["rss_after_load_mib"] = memory_mib(server.pid).get("VmRSS")
    finally:
        stop_service(server)

    concurrency = max(args.concurrency)
    server, seconds, _ = start_service(env, args.port, workers=2)
    try:
        figures["startup_2_workers_s"] = round(seconds, 1)
        time.sleep(max(3.0, seconds))  # uvicorn answers once one worker is up: let the other
        figures["shortlist_2_workers"] = shortlist_figures(
            base, token, args.seconds, concurrency, "2 workers"
        )
        if shutil.which("wrk"):
            figures["shortlist_wrk_2_workers"] = wrk_figures(
                base, token, args.seconds, concurrency, "2 workers", len(CHALLENGES)
            )
        figures["rss_per_worker_mib"] = worker_memory(server.pid)
        print(f"2 workers, memory per worker: {figures['rss_per_worker_mib']} MiB")
    finally:
        stop_service(server)
    one = figures[f"shortlist_c{concurrency}"]["req_per_s"]  # type: ignore[index]
    two = figures["shortlist_2_workers"]["req_per_s"]  # type: ignore[index]
    figures["workers_2_vs_1"] = round(two / one, 2)
    print(f"2 workers vs 1 at {concurrency} connections: {figures['workers_2_vs_1']}x")
    if shutil.which("wrk"):
        one = figures["shortlist_wrk_1_worker"]["req_per_s"]  # type: ignore[index]
        two = figures["shortlist_wrk_2_workers"]["req_per_s"]  # type: ignore[index]
        figures["workers_2_vs_1_wrk"] = round(two / one, 2)
        print(f"the same with wrk as the client: {figures['workers_2_vs_1_wrk']}x")

    (a, _, _), (b, _, _) = (start_service(env, port) for port in (args.port, args.port + 1))
    try:
        lags, reads = measure_lag(
            base, f"http://127.0.0.1:{args.port + 1}", company_token, token, args.writes, 4
        )
    finally:
        stop_service(a)
        stop_service(b)
    lag_ms = np.array(lags) * 1000
    figures["replica_lag_p50_ms"] = round(float(np.percentile(lag_ms, 50)), 1)
    figures["replica_lag_p99_ms"] = round(float(np.percentile(lag_ms, 99)), 1)
    print(
        f"replica lag, {len(lags)} writes on one process while the other serves "
        f"{len(reads)} shortlists: p50 {figures['replica_lag_p50_ms']} ms, "
        f"p99 {figures['replica_lag_p99_ms']} ms"
    )
    print(json.dumps(figures))


def post_challenges(base: str, city_token: str) -> float:
    city = {"Authorization": f"Bearer {city_token}"}
    timings = []
    for i in range(10):
        start = time.perf_counter()
        created = httpx.post(
            f"{base}/challenges",
            headers=city,
            timeout=60,
            json={"title": f"Ny utmaning {i}", "description": "Vätgas för tunga fordon i hamnen."},
        )
        timings.append(time.perf_counter() - start)
        assert created.status_code == 201, created.text
    p50 = round(float(np.percentile(timings, 50)) * 1000, 1)
    print(f"POST a new challenge (one-off encoding + index + commit): p50 {p50} ms")
    return p50


if __name__ == "__main__":
    main()
