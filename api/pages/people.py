"""People: coordinators and administrators invite others, administrators deactivate them, and
an invited person accepts with a password. Cities and companies get 403 on every staff route."""

from __future__ import annotations

from functools import partial
from typing import Annotated

from fastapi import APIRouter, Form, Path, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from api.deps import SessionDep, SettingsDep
from api.pages import auth
from api.pages.auth import PageUser
from api.pages.i18n import negotiate
from api.pages.rendering import committed, fields_of, render
from api.pages.sign_in import LinkForm, LinkFormDep, Password
from klimatmatch.accounts import invitations, terms, views
from klimatmatch.accounts import service as accounts
from klimatmatch.catalogue.schemas import MAX_ID
from klimatmatch.core.errors import InvalidInput
from klimatmatch.core.safe_text import Line
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
    return committed(session, PEOPLE)


def invitation_page(link: LinkForm, status_code: int = 200, **context: object) -> HTMLResponse:
    invitation = invitations.open_invitation(session=link.session, token=link.token)
    return link.page("invitation.html", status_code, invitation=invitation, **context)


@router.get("/invitations/{token}")
def invitation(link: LinkFormDep) -> HTMLResponse:
    return invitation_page(link)


@router.post("/invitations/{token}", dependencies=[auth.PreSessionChecked])
def accept(
    link: LinkFormDep,
    password: Password = "",
    name: Name = "",
    terms_accepted: Annotated[bool, Form(alias="terms")] = False,
) -> Response:
    """Creates the account, records the terms accepted, and signs the person in; a used or
    expired link is refused (410), an unticked terms box is asked for again (422)."""
    try:
        version = terms.required(terms_accepted, link.settings.terms_version)
    except InvalidInput:
        return invitation_page(link, 422, typed_name=name, terms_error=True)
    return link.password_chosen(
        invitations.accept_invitation,
        partial(invitation_page, typed_name=name),
        password=password,
        name=name,
        terms_version=version,
    )
