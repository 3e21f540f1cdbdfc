"""The privacy page (what is kept, why, for how long, how to export and erase it, who is
responsible), a person erasing their own account, and staff erasing a person on request."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Form, Path, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from api.deps import SessionDep, SettingsDep
from api.pages import auth
from api.pages.account import account_page, password_refused
from api.pages.auth import OptionalPageUser, PageSession, PageUser
from api.pages.rendering import committed, render
from klimatmatch.accounts import views
from klimatmatch.catalogue.schemas import MAX_ID
from klimatmatch.core.translations import N_
from klimatmatch.privacy import erasure

router = APIRouter(prefix=auth.PAGES, include_in_schema=False)
Confirmed = Annotated[bool, Form()]


@router.get("/privacy")
def privacy(request: Request, settings: SettingsDep, user: OptionalPageUser) -> HTMLResponse:
    """Public: read before registering as well as after signing in."""
    return render(
        request,
        "privacy.html",
        user,
        settings=settings,
        erased=request.query_params.get("erased") == "1",
    )


@router.post("/account/erase", dependencies=[auth.CsrfChecked])
def erase_account(
    request: Request,
    session: SessionDep,
    settings: SettingsDep,
    current: PageSession,
    password: Annotated[str, Form(max_length=1_000)] = "",
    confirm: Confirmed = False,
) -> Response:
    """The person's own erasure, behind their password (wrong ones count as failed sign-ins)
    and a ticked box; then they are signed out and sent to the privacy page."""
    refused = password_refused(
        request,
        session,
        settings,
        current,
        password,
        field="erase",
        wait=N_("Password: too many wrong tries. Wait %(seconds)s s and try again."),
        wrong=N_("The password is wrong."),
    )
    if refused is not None:
        return refused
    if not confirm:
        return account_page(
            request, session, current, 422, erase_error=N_("Tick the box to confirm.")
        )
    erasure.erase_person(session=session, user=current.user, settings=settings)
    response = committed(session, auth.PAGES + "/privacy?erased=1")
    auth.forget(response)
    return response


@router.post("/people/{user_id}/erase", dependencies=[auth.CsrfChecked])
def erase_person(
    session: SessionDep,
    settings: SettingsDep,
    user: PageUser,
    user_id: Annotated[int, Path(ge=1, le=MAX_ID)],
    confirm: Confirmed = False,
) -> RedirectResponse:
    """Staff erase a person who asked them to (the box says they did)."""
    views.require_staff(user)
    if not confirm:
        return RedirectResponse(auth.PAGES + "/people?erase=unconfirmed", status_code=303)
    erasure.erase_on_request(session=session, actor=user, user_id=user_id, settings=settings)
    return committed(session, auth.PAGES + "/people?erased=1")
