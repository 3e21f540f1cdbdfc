"""The funnel from match to outcome: coordinators see every challenge, a city its own; as JSON or
as a spreadsheet."""

from __future__ import annotations

from dataclasses import asdict
from typing import Any

from fastapi import APIRouter, Response

from api.deps import CurrentUser, SessionDep
from api.errors import ERROR_RESPONSES
from klimatmatch.engagement import funnel
from klimatmatch.matching import export

router = APIRouter(prefix="/funnel", tags=["funnel"], responses=ERROR_RESPONSES)


@router.get("")
def read_funnel(session: SessionDep, user: CurrentUser) -> dict[str, Any]:
    """Per published challenge: matched, reviewed, invited, accepted, declined, interested,
    teams proposed and formed, stage, outcome and hours to the first answer; and the totals."""
    return asdict(funnel.funnel(session=session, user=user))


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
    format: export.ExportFormat = export.ExportFormat.CSV,  # noqa: A002
) -> Response:
    frame = funnel.frame(funnel.funnel(session=session, user=user))
    return Response(
        export.render(frame, format, sheet="funnel"),
        media_type=export.MEDIA_TYPES[format],
        headers={"Content-Disposition": f'attachment; filename="funnel.{format.value}"'},
    )
