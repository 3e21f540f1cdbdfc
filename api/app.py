"""The FastAPI application: built by `create_app`, models and index loaded once in the lifespan."""

from __future__ import annotations

import contextlib
import ctypes
import gc
import logging
import threading
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import FastAPI
from sqlalchemy import Engine
from uvicorn.middleware.proxy_headers import ProxyHeadersMiddleware

from api.errors import install_error_handlers, unexpected_problem
from api.limits import BodySizeLimit
from api.observability import Metrics, RequestContext
from api.routes import (
    alerts,
    challenges,
    companies,
    engagement,
    funnel,
    health,
    jobs,
    metrics,
    organisations,
    reviews,
    shortlists,
    workshop,
)
from api.security_headers import SecurityHeaders, docs_policies
from api.state import AppState
from api.ui import install_pages
from klimatmatch import __version__
from klimatmatch.embedding import build_engine
from klimatmatch.services import learning, replication, snapshots, vector_backend, vector_sync
from klimatmatch.settings import Settings, get_settings
from matcher import Embedder, snapshot
from models import create_db_engine, session_factory
from models.migrate import upgrade

log = logging.getLogger("klimatmatch.api")

PROXY_HEADERS = False
"""`klimatmatch serve` turns uvicorn's own reading of X-Forwarded-For off (by default it believes
127.0.0.1, so anything on the machine could choose its address); the app reads the header,
from `trusted_proxies` only (see `create_app`)."""


def release_free_memory() -> None:
    """Hand the memory freed after indexing (rows, intermediate matrices) back to the OS;
    glibc keeps it otherwise, and a 100k-profile start-up would look 2x its working size."""
    with contextlib.suppress(OSError, AttributeError):  # not glibc: nothing to do
        ctypes.CDLL("libc.so.6").malloc_trim(0)


def build_state(settings: Settings, embedder: Embedder | None = None) -> AppState:
    """Migrate the database, load the model and fill the index: from the newest usable
    snapshot plus the changes after it, or rebuilt from rows (cached vectors first)."""
    db = create_db_engine(settings.database_url)
    upgrade(db)
    if settings.index_backend == "pgvector":
        return _pgvector_state(settings, db, embedder)
    sessions = session_factory(db)
    engine = build_engine(settings, embedder)
    with sessions() as session:
        report = snapshots.start(settings=settings, session=session, engine=engine)
        session.commit()
        reranker = learning.load_latest(session=session, engine=engine)
    gc.collect()
    release_free_memory()
    log.info("re-ranker: %s", reranker or "none yet (fused scores rank)")
    log.info(
        "indexed %s challenges, %s companies in %.1f s (%s)",
        report.challenges,
        report.companies,
        report.seconds,
        report.source,
    )
    follower = replication.Follower(
        db, sessions, lambda: engine, report.version, poll_seconds=settings.replica_poll_seconds
    )
    log.info("index at data version %s; following the change log", report.version)
    state = AppState(
        settings=settings,
        db=db,
        sessions=sessions,
        engine=engine,
        follower=follower.start(),
        start=report,
    )
    if (
        report.source == "rebuild"
        and settings.snapshots
        and not engine.degraded
        and snapshot.unsavable(engine) is None
    ):
        threading.Thread(target=_snapshot_after_start, args=(state,), daemon=True).start()
    return state


def _pgvector_state(settings: Settings, db: Engine, embedder: Embedder | None) -> AppState:
    """The index in PostgreSQL: nothing held here but the model and BM25's vocabulary, rows
    and vectors written in one transaction (no follower, no snapshots)."""
    vector_backend.prepare(db, settings)
    sessions = session_factory(db)
    engine = build_engine(settings, embedder, indexes=vector_backend.indexes(db, settings))
    with sessions() as session:
        report = vector_sync.start(session=session, engine=engine)
        session.commit()
        learning.load_latest(session=session, engine=engine)
    vector_sync.install(sessions, engine)
    log.info("index in PostgreSQL (pgvector): %s", report)
    current = vector_sync.Current(sessions)
    return AppState(settings, db, sessions, engine, current, start=report)


def _snapshot_after_start(state: AppState) -> None:
    """The next process on this machine starts from this rebuild (written while serving)."""
    try:
        with state.sessions() as session:
            identity = snapshots.database_identity(session=session)
        version = state.follower.applied  # read before copying: the copy holds at least this
        snapshots.write(
            settings=state.settings, engine=state.engine, version=version, database_id=identity
        )
    except Exception:  # a read-only or full disk costs the next start its speed, nothing else
        log.exception("could not write a snapshot of the index")


def create_app(settings: Settings | None = None, embedder: Embedder | None = None) -> FastAPI:
    settings = settings or get_settings()

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        state = build_state(settings, embedder)
        app.state.klimatmatch = state
        jobs.resume_in_process(app, state)
        alerts.install(app, state)
        yield
        queue = getattr(app.state, "jobs", None)
        if queue is not None:
            queue.close()
        state.follower.stop()
        state.db.dispose()

    app = FastAPI(
        title="Klimatmatch",
        version=__version__,
        description="Matches cities' climate challenges with companies that can answer them.",
        lifespan=lifespan,
    )
    install_error_handlers(app)
    app.add_middleware(
        BodySizeLimit,
        max_bytes=settings.max_body_bytes,
        larger={"/jobs/import": settings.max_upload_bytes},
    )
    app.state.metrics = Metrics(lambda: getattr(app.state, "klimatmatch", None))
    # added last, so it runs first: even a refused oversized body has an id and is counted
    app.add_middleware(RequestContext, metrics=app.state.metrics, on_error=unexpected_problem)
    if settings.trusted_proxies:  # before the request is logged or counted: the real client
        app.add_middleware(ProxyHeadersMiddleware, trusted_hosts=settings.trusted_proxies)
    policies = docs_policies(app.docs_url, app.redoc_url, app.swagger_ui_oauth2_redirect_url)
    app.add_middleware(SecurityHeaders, policies=policies)  # outermost: on every answer
    for router in (
        health.router,
        metrics.router,
        challenges.router,
        companies.router,
        shortlists.router,
        reviews.router,
        jobs.router,
        organisations.router,
        funnel.router,
        engagement.router,
        workshop.router,
        alerts.router,
    ):
        app.include_router(router)
    install_pages(app)
    return app
