"""The funnel page: coordinators see every published challenge from match to outcome, a city its
own, with the totals and downloads of the same table (the API's export)."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse

from api.deps import SessionDep
from api.pages import auth
from api.pages.auth import PageUser
from api.pages.rendering import render
from klimatmatch.engagement import funnel

router = APIRouter(prefix=auth.PAGES, include_in_schema=False)


@router.get("/funnel")
def funnel_page(request: Request, session: SessionDep, user: PageUser) -> HTMLResponse:
    result = funnel.funnel(session=session, user=user)
    return render(request, "funnel.html", user, funnel=result, steps=funnel.STEPS)
