"""The funnel page: coordinators see every published challenge from match to outcome, a city its
own, with the totals and downloads of the same table (signed in by the page's session, as the
table is: the API's `/funnel/export` takes API keys)."""

from __future__ import annotations

from fastapi import APIRouter, Request, Response
from fastapi.responses import HTMLResponse

from api.deps import SessionDep, StateDep
from api.pages import auth
from api.pages.auth import PageUser
from api.pages.rendering import render
from api.routes.funnel import current_funnel, funnel_file
from klimatmatch.engagement import funnel
from klimatmatch.matching import export

router = APIRouter(prefix=auth.PAGES, include_in_schema=False)


@router.get("/funnel")
def funnel_page(
    request: Request, session: SessionDep, user: PageUser, state: StateDep
) -> HTMLResponse:
    result = current_funnel(session, user, state)
    return render(request, "funnel.html", user, funnel=result, steps=funnel.STEPS)


@router.get("/funnel/export")
def funnel_download(
    session: SessionDep,
    user: PageUser,
    state: StateDep,
    format: export.ExportFormat = export.ExportFormat.CSV,  # noqa: A002
) -> Response:
    return funnel_file(current_funnel(session, user, state), format)
