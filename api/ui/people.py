"""People: coordinators and administrators invite others, administrators deactivate them, and
an invited person accepts with a password. Cities and companies get 403 on every staff route."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Form, Path, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from api.deps import SessionDep, SettingsDep
from api.ui import auth
from api.ui.auth import PageUser
from api.ui.i18n import negotiate
from api.ui.rendering import render
from api.ui.sign_in import NO_REFERRER, Password, Token, signed_in
from klimatmatch import access
from klimatmatch.errors import Forbidden, InvalidInput
from klimatmatch.schemas import MAX_ID
from klimatmatch.services import accounts, invitations
from models import Role, User

router = APIRouter(prefix=auth.PAGES, include_in_schema=False)
PEOPLE = auth.PAGES + "/people"


def require_staff(user: User) -> None:
    if not access.is_staff(user):
        raise Forbidden("only coordinators and administrators manage people")


def people_page(
    request: Request, session: SessionDep, user: User, status_code: int = 200, **context: object
) -> HTMLResponse:
    language = negotiate(
        request.cookies.get(auth.LANGUAGE_COOKIE), request.headers.get("accept-language")
    )
    return render(
        request,
        "people.html",
        user,
        status_code=status_code,
        people=accounts.people(session=session),
        pending=invitations.pending_invitations(session=session),
        roles=invitations.INVITABLE[user.role],
        mail_language=language,
        **context,
    )


@router.get("/people")
def people(request: Request, session: SessionDep, user: PageUser) -> HTMLResponse:
    require_staff(user)
    return people_page(request, session, user, invited=request.query_params.get("invited", ""))


@router.post("/people/invitations", dependencies=[auth.CsrfChecked])
def invite(
    request: Request,
    session: SessionDep,
    settings: SettingsDep,
    user: PageUser,
    email: Annotated[str, Form(max_length=320)],
    role: Annotated[Role, Form()],
    organisation: Annotated[str, Form(max_length=200)] = "",
    name: Annotated[str, Form(max_length=200)] = "",
    language: Annotated[str, Form(max_length=2)] = "en",
) -> Response:
    require_staff(user)
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
    return RedirectResponse(f"{PEOPLE}?invited={invitation.email}", status_code=303)


@router.post("/people/{user_id}/deactivate", dependencies=[auth.CsrfChecked])
def deactivate(
    session: SessionDep, user: PageUser, user_id: Annotated[int, Path(ge=1, le=MAX_ID)]
) -> RedirectResponse:
    accounts.deactivate(session=session, actor=user, user_id=user_id)
    session.commit()
    return RedirectResponse(PEOPLE, status_code=303)


def invitation_page(
    request: Request, session: SessionDep, token: str, status_code: int = 200, **context: object
) -> HTMLResponse:
    invitation = invitations.open_invitation(session=session, token=token)
    page = render(
        request,
        "invitation.html",
        status_code=status_code,
        invitation=invitation,
        token=token,
        **context,
    )
    page.headers.update(NO_REFERRER)
    return page


@router.get("/invitations/{token}")
def invitation(request: Request, session: SessionDep, token: Token) -> HTMLResponse:
    return invitation_page(request, session, token)


@router.post("/invitations/{token}")
def accept(
    request: Request,
    session: SessionDep,
    settings: SettingsDep,
    token: Token,
    password: Password = "",
    name: Annotated[str, Form(max_length=200)] = "",
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
            request, session, token, 422, error="password.rules", typed_name=name
        )
    return signed_in(auth.PAGES + "/", session_id, settings)
