"""The funnel from match to outcome: coordinators see every challenge, a city its own; as JSON or
as a spreadsheet."""

from __future__ import annotations

from dataclasses import asdict
from typing import Any

from fastapi import APIRouter, Response
from sqlalchemy.orm import Session

from api.deps import CurrentUser, SessionDep, StateDep
from api.errors import ERROR_RESPONSES
from api.state import AppState
from klimatmatch.engagement import funnel
from klimatmatch.matching import export
from models import User

router = APIRouter(prefix="/funnel", tags=["funnel"], responses=ERROR_RESPONSES)


@router.get("")
def read_funnel(session: SessionDep, user: CurrentUser, state: StateDep) -> dict[str, Any]:
    """Per published challenge: matched, reviewed, invited, accepted, declined, interested,
    teams proposed and formed, stage, outcome and hours to the first answer; and the totals.
    Matched: on the challenge's current shortlist (the top `default_k`)."""
    return asdict(current_funnel(session, user, state))


@router.get(
    "/export",
    response_class=Response,
    responses={
        200: {
            "content": {media: {} for media in export.MEDIA_TYPES.values()},
            "description": "One row per challenge",
        }
    },
)
def export_funnel(
    session: SessionDep,
    user: CurrentUser,
    state: StateDep,
    format: export.ExportFormat = export.ExportFormat.CSV,  # noqa: A002
) -> Response:
    return funnel_file(current_funnel(session, user, state), format)


def funnel_file(result: funnel.Funnel, fmt: export.ExportFormat) -> Response:
    """One row per challenge as a download (formulas neutralised by `export.render`)."""
    return Response(
        export.render(funnel.frame(result), fmt, sheet="funnel"),
        media_type=export.MEDIA_TYPES[fmt],
        headers={"Content-Disposition": f'attachment; filename="funnel.{fmt.value}"'},
    )


def current_funnel(session: Session, user: User, state: AppState) -> funnel.Funnel:
    """The funnel over the shortlists as they stand (the pages' table and downloads too)."""
    return funnel.funnel(
        session=session,
        user=user,
        engine=state.engine,
        k=state.settings.default_k,
        cache=state.top_k,
    )
