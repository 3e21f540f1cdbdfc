from __future__ import annotations

from fastapi import APIRouter, Response
from fastapi.responses import RedirectResponse
from pydantic import BaseModel, Field
from sqlalchemy import text
from sqlalchemy.exc import OperationalError

from api.deps import CurrentUser, EngineDep, OptionalUser, SessionDep, StateDep
from api.errors import ERROR_RESPONSES
from klimatmatch import __version__
from klimatmatch.catalogue.schemas import UserPublic
from klimatmatch.core import access
from klimatmatch.index import replication
from models import crud

router = APIRouter(tags=["health"])


@router.get("/", include_in_schema=False)
def landing() -> RedirectResponse:
    """A browser pointed at the service lands on the pages (sign-in first)."""
    return RedirectResponse("/ui/", status_code=307)


class HealthPublic(BaseModel):
    """What anyone may know: whether the service is up, and which version answers."""

    status: str = Field(
        description="ok; degraded when the model could not be loaded (matching runs on the "
        "other channels); down when the database cannot be reached"
    )
    version: str = Field(description="The Klimatmatch release answering")


class Health(HealthPublic):
    """What staff see besides: the model, the counts (drafts and pending registrations
    included) and how far the index has come."""

    detail: str | None = None
    model: str
    channel: str
    challenges: int
    companies: int
    indexed_challenges: int
    indexed_companies: int
    data_version: int = Field(description="The newest write in the database")
    applied_version: int = Field(description="The newest write this process's index reflects")
    index_source: str | None = Field(
        default=None,
        description="How this process filled its index at start-up: 'snapshot <name>' (then "
        "the changes after it) or 'rebuild' (from every row)",
    )
    index_seconds: float | None = Field(default=None, description="How long that took")


@router.get(
    "/health",
    responses={401: ERROR_RESPONSES[401], 503: {"model": HealthPublic, "description": "down"}},
)
def health(
    session: SessionDep, engine: EngineDep, state: StateDep, user: OptionalUser, response: Response
) -> Health | HealthPublic:
    """Up or down, and the version, for anyone (no sign-in needed). With a coordinator's or
    an administrator's token: the model and what the database and the index hold."""
    status = "degraded" if engine.degraded else "ok"
    try:
        session.execute(text("SELECT 1"))
    except OperationalError:
        response.status_code = 503
        return HealthPublic(status="down", version=__version__)
    if user is None or not access.is_staff(user):
        return HealthPublic(status=status, version=__version__)
    counts = crud.counts(session=session)
    return Health(
        status=status,
        version=__version__,
        detail=engine.degraded,
        model=engine.embedder.fingerprint,
        channel=", ".join([*engine.channels, *(["cpv"] if engine.cpv else [])]),
        challenges=counts["challenges"],
        companies=counts["companies"],
        indexed_challenges=len(engine.challenges),
        indexed_companies=len(engine.companies),
        data_version=replication.current_version(session=session),
        applied_version=state.follower.applied,
        index_source=state.start.source if state.start else None,
        index_seconds=state.start.seconds if state.start else None,
    )


@router.get("/me", tags=["accounts"], responses=ERROR_RESPONSES)
def me(user: CurrentUser) -> UserPublic:
    """The account behind the token."""
    return UserPublic(
        id=user.id,
        name=user.name,
        role=user.role.value,
        organisation=user.organisation.name if user.organisation else None,
    )
