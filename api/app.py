"""The FastAPI application: built by `create_app`, models and index loaded once in the lifespan."""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import FastAPI
from uvicorn.middleware.proxy_headers import ProxyHeadersMiddleware

from api.errors import install_error_handlers, unexpected_problem
from api.limits import BodySizeLimit
from api.observability import Metrics, RequestContext
from api.pages import install_pages
from api.routes import (
    alerts,
    challenges,
    companies,
    engagement,
    funnel,
    health,
    jobs,
    metrics,
    ocds,
    organisations,
    privacy,
    reviews,
    shortlists,
    workshop,
)
from api.security_headers import SecurityHeaders, docs_policies
from api.state import AppState
from klimatmatch import __version__, runtime
from klimatmatch.core.settings import Settings, get_settings
from matcher import Embedder
from models import create_db_engine

log = logging.getLogger("klimatmatch.api")

PROXY_HEADERS = False
"""`klimatmatch serve` turns uvicorn's own reading of X-Forwarded-For off (by default it believes
127.0.0.1, so anything on the machine could choose its address); the app reads the header,
from `trusted_proxies` only (see `create_app`)."""


def build_state(settings: Settings, embedder: Embedder | None = None) -> AppState:
    """Migrate the database, load the model, start the index backend, attach the re-ranker."""
    db = create_db_engine(settings.database_url)
    started = runtime.start(settings, db, embedder)
    return AppState(
        settings=settings,
        db=db,
        sessions=started.sessions,
        engine=started.engine,
        follower=started.follower,
        start=started.report,
    )


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
        privacy.router,
        funnel.router,
        engagement.router,
        workshop.router,
        alerts.router,
        ocds.router,
    ):
        app.include_router(router)
    install_pages(app)
    return app
