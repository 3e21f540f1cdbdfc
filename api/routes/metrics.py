"""`GET /metrics`: the Prometheus text format, for a scraper holding an administrator's token."""

from __future__ import annotations

from fastapi import APIRouter, Request, Response
from prometheus_client import CONTENT_TYPE_LATEST, generate_latest

from api.deps import CurrentUser, SessionDep
from api.errors import responses
from klimatmatch.core import access
from klimatmatch.core.errors import Forbidden

router = APIRouter(tags=["operations"])


@router.get(
    "/metrics",
    responses={200: {"content": {CONTENT_TYPE_LATEST: {}}}, **responses(401, 403, 422)},
)
def metrics(request: Request, user: CurrentUser, session: SessionDep) -> Response:
    """Requests and latency by route, index size and the model in use, in this process.

    Prometheus scrapes it with `authorization: {credentials: <an admin's API token>}`."""
    if not access.can_read_metrics(user):
        raise Forbidden("metrics are for administrators")
    session.commit()  # end the sign-in's read: the job gauge reads in a session of its own,
    # and SQLite (every transaction BEGIN IMMEDIATE) has one at a time
    return Response(
        generate_latest(request.app.state.metrics.registry), media_type=CONTENT_TYPE_LATEST
    )
