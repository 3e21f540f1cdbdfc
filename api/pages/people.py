"""People: coordinators and administrators invite others, administrators deactivate them, and
an invited person accepts with a password. Cities and companies get 403 on every staff route."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Form, Path, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from api.deps import SessionDep, SettingsDep
from api.pages import auth
from api.pages.auth import PageUser
from api.pages.i18n import negotiate
from api.pages.rendering import fields_of, render
from api.pages.sign_in import Password, Token, link_page, signed_in
from klimatmatch.accounts import invitations, views
from klimatmatch.accounts import service as accounts
from klimatmatch.catalogue.schemas import MAX_ID
from klimatmatch.core.errors import InvalidInput
from klimatmatch.core.safe_text import Line
from klimatmatch.core.settings import Settings
from models import Role

router = APIRouter(prefix=auth.PAGES, include_in_schema=False)
PEOPLE = auth.PAGES + "/people"
Name = Annotated[Line, Form(max_length=200)]
"""A person's or an organisation's name: one line, no control characters."""


@router.get("/people")
def people(request: Request, session: SessionDep, user: PageUser) -> HTMLResponse:
    view = views.people_view(
        session=session, user=user, invited_id=request.query_params.get("invited", "")
    )
    language = negotiate(
        request.cookies.get(auth.LANGUAGE_COOKIE), request.headers.get("accept-language")
    )
    return render(request, "people.html", user, **fields_of(view), mail_language=language)


@router.post("/people/invitations", dependencies=[auth.CsrfChecked])
def invite(
    request: Request,
    session: SessionDep,
    settings: SettingsDep,
    user: PageUser,
    email: Annotated[str, Form(max_length=320)],
    role: Annotated[Role, Form()],
    organisation: Name = "",
    name: Name = "",
    language: Annotated[str, Form(max_length=2)] = "en",
) -> Response:
    views.require_staff(user)
    invitation = invitations.invite(
        session=session,
        actor=user,
        email=email,
        role=role,
        organisation=organisation.strip() or None,
        name=name,
        language=language,
        settings=settings,
    )
    # the id, not the address: a URL ends up in access logs and browser history
    return RedirectResponse(f"{PEOPLE}?invited={invitation.id}", status_code=303)


@router.post("/people/{user_id}/deactivate", dependencies=[auth.CsrfChecked])
def deactivate(
    session: SessionDep, user: PageUser, user_id: Annotated[int, Path(ge=1, le=MAX_ID)]
) -> RedirectResponse:
    accounts.deactivate(session=session, actor=user, user_id=user_id)
    session.commit()
    return RedirectResponse(PEOPLE, status_code=303)


def invitation_page(
    request: Request,
    session: SessionDep,
    settings: Settings,
    token: str,
    status_code: int = 200,
    **context: object,
) -> HTMLResponse:
    invitation = invitations.open_invitation(session=session, token=token)
    return link_page(
        request,
        settings,
        "invitation.html",
        status_code,
        invitation=invitation,
        token=token,
        **context,
    )


@router.get("/invitations/{token}")
def invitation(
    request: Request, session: SessionDep, settings: SettingsDep, token: Token
) -> HTMLResponse:
    return invitation_page(request, session, settings, token)


@router.post("/invitations/{token}", dependencies=[auth.PreSessionChecked])
def accept(
    request: Request,
    session: SessionDep,
    settings: SettingsDep,
    token: Token,
    password: Password = "",
    name: Name = "",
) -> Response:
    """Creates the account and signs the person in; a used or expired link is refused (410)."""
    try:
        _, session_id = invitations.accept_invitation(
            session=session,
            token=token,
            name=name,
            password=password,
            client=auth.client_of(request),
            settings=settings,
        )
    except InvalidInput:
        session.rollback()
        return invitation_page(
            request,
            session,
            settings,
            token,
            422,
            error=auth.PASSWORD_RULES,
            typed_name=name,
        )
    return signed_in(auth.PAGES + "/", session_id, settings)
