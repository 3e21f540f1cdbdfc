"""The pgvector backend through the HTTP API: `klimatmatch serve` over the database whose
index `bench_backends` loaded, with the service's own tables and profile rows behind it (each
profile's row version is the one its vectors were written with, so the service adopts the
index at start instead of rebuilding it)."""

from __future__ import annotations

import os
import time
import uuid

import httpx
import pandas as pd
from sqlalchemy import insert, text

from benchmarks.bench_api import CHALLENGES, bench_users, post_challenges, profile_rows
from benchmarks.http_load import memory_mib, shortlist_figures, start_service, stop_service
from klimatmatch.core.settings import Settings
from klimatmatch.index import vector_backend, vector_state
from klimatmatch.index.embedding import build_engine
from models import CompanyProfile, OrganisationKind, create_db_engine, crud, session_factory
from models.migrate import upgrade

BLOCK = 50_000


def add_service_rows(url: str, frame: pd.DataFrame) -> tuple[str, str]:
    """The service's tables, one approved company holding every profile (ids and version
    1 as indexed), a coordinator and a city; their API keys."""
    db = create_db_engine(url)
    upgrade(db, vector_tables=vector_backend.tables(Settings()))  # the index tables are kept
    started = time.perf_counter()
    with session_factory(db)() as session:
        firm = crud.get_or_create_organisation(
            session=session, name="Synthetic Oy", kind=OrganisationKind.COMPANY, country="FI"
        )
        present = session.scalar(text("SELECT count(*) FROM company_profiles"))
        for start in range(0, len(frame) if not present else 0, BLOCK):  # kept (--keep)
            session.execute(
                insert(CompanyProfile),
                profile_rows(frame.iloc[start : start + BLOCK], firm.id, first_id=start),
            )
        session.execute(
            text("SELECT setval('company_profiles_id_seq', (SELECT max(id) FROM company_profiles))")
        )
        token, city_token, _ = bench_users(session, suffix=f"-{uuid.uuid4().hex[:8]}")
        session.commit()
        stale = session.scalar(
            text(
                "SELECT count(*) FROM company_profiles c LEFT JOIN vector_companies v USING (id) "
                "WHERE v.row_version IS DISTINCT FROM c.version"
            )
        )
        state = vector_state.load(session.connection())
    signature = vector_state.signature(build_engine(Settings()))
    if stale or state is None or state["signature"] != signature:
        raise SystemExit(  # the service would re-index every profile at start (hours at 1M)
            f"the index does not match the rows: {stale} stale, signature "
            f"{None if state is None else state['signature']!r} vs the service's {signature!r}"
        )
    db.dispose()
    print(f"the service's rows for {len(frame):,} profiles: {time.perf_counter() - started:.0f} s")
    return token, city_token


def through_api(url: str, frame: pd.DataFrame, seconds: float, port: int) -> dict:
    """Start-up, shortlists at 1 and 4 connections, a new challenge, RSS of the process."""
    token, city_token = add_service_rows(url, frame)
    env = {
        **os.environ,
        "KLIMATMATCH_DATABASE_URL": url,
        "KLIMATMATCH_INDEX_BACKEND": "pgvector",
        "OPENBLAS_NUM_THREADS": os.environ.get("OPENBLAS_NUM_THREADS", "1"),
    }
    server, started, health = start_service(env, port, token=token)
    base = f"http://127.0.0.1:{port}"
    try:
        figures: dict = {"startup_s": round(started, 1), "index_source": health["index_source"]}
        figures["rss_after_startup_mib"] = memory_mib(server.pid).get("VmRSS")
        city = {"Authorization": f"Bearer {city_token}"}
        for title, description in CHALLENGES:  # ids 1-4, which the load asks for
            created = httpx.post(
                f"{base}/challenges",
                headers=city,
                json={"title": title, "description": description},
                timeout=60,
            )
            assert created.status_code == 201, created.text
        for concurrency in (1, 4):
            figures[f"shortlist_c{concurrency}"] = shortlist_figures(
                base, token, seconds, concurrency, "pgvector"
            )
        figures["post_challenge_p50_ms"] = post_challenges(base, city_token)
        figures["rss_after_load_mib"] = memory_mib(server.pid).get("VmRSS")
    finally:
        stop_service(server)
    print(f"through the API: {figures}", flush=True)
    return figures
