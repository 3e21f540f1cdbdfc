from __future__ import annotations

from fastapi import APIRouter
from fastapi.responses import RedirectResponse
from pydantic import BaseModel, Field

from api.deps import CurrentUser, EngineDep, SessionDep, StateDep
from api.errors import ERROR_RESPONSES
from klimatmatch.schemas import UserPublic
from klimatmatch.services import replication
from models import crud

router = APIRouter(tags=["health"])


@router.get("/", include_in_schema=False)
def landing() -> RedirectResponse:
    """A browser pointed at the service lands on the pages (sign-in first)."""
    return RedirectResponse("/ui/", status_code=307)


class Health(BaseModel):
    status: str = Field(description="ok, or degraded when the model could not be loaded")
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


@router.get("/health")
def health(session: SessionDep, engine: EngineDep, state: StateDep) -> Health:
    """The model in use and what the database and the index hold. No sign-in needed."""
    counts = crud.counts(session=session)
    return Health(
        status="degraded" if engine.degraded else "ok",
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
