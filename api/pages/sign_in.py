"""Signing in and out, and a forgotten password: thin routes over the sign-in, session and
link services. Every answer to a failed sign-in is the same whether or not the e-mail exists;
the sign-in form carries a pre-session token (`auth.pre_session`), so only a form this site
gave the browser signs it in."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Annotated, TypeVar

from fastapi import APIRouter, Depends, Form, Path, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from sqlalchemy.orm import Session

from api.deps import SessionDep, SettingsDep
from api.pages import auth
from api.pages.rendering import committed, render
from klimatmatch.accounts import invitations, sessions
from klimatmatch.accounts.sign_in import TooManyAttempts, sign_in
from klimatmatch.core.errors import InvalidInput
from klimatmatch.core.settings import Settings
from klimatmatch.core.translations import N_
from models import User

router = APIRouter(prefix=auth.PAGES, include_in_schema=False)
Email = Annotated[str, Form(max_length=320)]
Password = Annotated[str, Form(max_length=1_000)]
Token = Annotated[str, Path(max_length=100)]
Opened = TypeVar("Opened")
NO_REFERRER = {"Referrer-Policy": "same-origin"}
"""No Referer to other sites: the link's token must not leak onwards. Not `no-referrer`: under
it browsers send the page's own form with `Origin: null`, which the origin check cannot tell
from a foreign one where there is no Sec-Fetch-Site (plain HTTP)."""


def signed_in(target: str, session_id: str, settings: Settings) -> RedirectResponse:
    """A redirect that carries the new session's cookie."""
    response = RedirectResponse(target, status_code=303)
    auth.remember(
        response, session_id, secure=settings.secure_cookies, hours=settings.session_hours
    )
    auth.forget_pre_session(response)
    return response


def pre_session_page(
    request: Request, settings: Settings, name: str, status_code: int = 200, **context: object
) -> HTMLResponse:
    """A form that signs a person in, with the pre-session token its POST must carry."""
    value = auth.pre_session(request)
    page = render(request, name, status_code=status_code, **context)
    auth.remember_pre_session(page, value, secure=settings.secure_cookies)
    return page


@dataclass(frozen=True)
class LinkForm:
    """The form an e-mailed link opens (reset, invitation, registration) and its POST: the
    link's token with what it takes to draw the form, open the account and sign the person in."""

    request: Request
    session: Session
    settings: Settings
    token: str

    def page(self, name: str, status_code: int = 200, **context: object) -> HTMLResponse:
        """The link's form: it signs a person in, so it carries the pre-session token, and its
        URL holds the link's token, so no Referer."""
        page = pre_session_page(
            self.request, self.settings, name, status_code, token=self.token, **context
        )
        page.headers.update(NO_REFERRER)
        return page

    def open(self, service: Callable[..., Opened], **fields: str) -> Opened:
        """`service` (accept, reset, confirm) for this link, from this browser."""
        return service(
            session=self.session,
            token=self.token,
            client=auth.client_of(self.request),
            settings=self.settings,
            **fields,
        )

    def signed_in(self, session_id: str, target: str = auth.PAGES + "/") -> RedirectResponse:
        return signed_in(target, session_id, self.settings)

    def password_chosen(
        self,
        service: Callable[..., tuple[object, str]],
        redraw: Callable[..., HTMLResponse],
        **fields: str,
    ) -> Response:
        """The person signed in with the password typed, or the form drawn again by `redraw`
        (422) with the rules the password broke."""
        try:
            _, session_id = self.open(service, **fields)
        except InvalidInput:
            self.session.rollback()
            return redraw(self, status_code=422, error=auth.PASSWORD_RULES)
        return self.signed_in(session_id)


def get_link_form(
    request: Request, session: SessionDep, settings: SettingsDep, token: Token
) -> LinkForm:
    return LinkForm(request, session, settings, token)


LinkFormDep = Annotated[LinkForm, Depends(get_link_form)]


def sign_in_page(
    request: Request, settings: Settings, status_code: int = 200, **context: object
) -> HTMLResponse:
    return pre_session_page(request, settings, "sign_in.html", status_code, **context)


@router.get("/sign-in")
def sign_in_form(
    request: Request,
    settings: SettingsDep,
    next: str | None = None,  # noqa: A002
) -> HTMLResponse:
    return sign_in_page(request, settings, next=auth.safe_next(next), email="")


@router.post("/sign-in")
def sign_in_post(
    request: Request,
    session: SessionDep,
    settings: SettingsDep,
    email: Email = "",
    password: Password = "",
    next: Annotated[str, Form(max_length=2_000)] = "",  # noqa: A002
    csrf: Annotated[str, Form(max_length=200)] = "",
) -> Response:
    def refuse(status: int, error: str, **values: object) -> HTMLResponse:
        page = sign_in_page(
            request,
            settings,
            status_code=status,
            next=auth.safe_next(next),
            email=email.strip(),
            error=error,
            error_values=values,
        )
        if status == 429:
            page.headers["Retry-After"] = str(values["seconds"])
        return page

    if not auth.pre_session_valid(request, csrf):  # before any counting: not a guess at all
        return refuse(
            403,
            N_("This sign-in form has expired or did not come from this site. Sign in again here."),
        )
    if not email.strip() or not password:
        return refuse(401, N_("Enter your e-mail and password."))
    try:
        signed = sign_in(
            session=session,
            email=email,
            password=password,
            client=auth.client_of(request),
            settings=settings,
        )
    except TooManyAttempts as error:
        return refuse(
            429,
            N_("Too many failed sign-ins. Wait %(seconds)s s and try again."),
            seconds=error.retry_after,
        )
    if signed is None:
        return refuse(401, N_("The e-mail or the password is wrong."))
    return signed_in(auth.safe_next(next), signed[1], settings)


@router.post("/sign-out", dependencies=[auth.CsrfChecked])
def sign_out(request: Request, session: SessionDep) -> RedirectResponse:
    """Revokes the session itself, so the old cookie is useless even if it was copied."""
    sessions.revoke_session(
        session=session, session_id=request.cookies.get(auth.SESSION_COOKIE, "")
    )
    response = committed(session, auth.PAGES + "/sign-in")
    auth.forget(response)
    return response


@router.get("/forgot-password")
def forgot_form(request: Request) -> HTMLResponse:
    return render(request, "forgot_password.html", sent=False)


@router.post("/forgot-password")
def forgot(
    request: Request, session: SessionDep, settings: SettingsDep, email: Email = ""
) -> HTMLResponse:
    """The same answer for every address: whether an account exists is not told."""
    invitations.request_reset(session=session, email=email, settings=settings)
    return render(request, "forgot_password.html", sent=True)


def reset_page(link: LinkForm, **context: object) -> HTMLResponse:
    reset = invitations.open_reset(session=link.session, token=link.token)
    user = link.session.get(User, reset.user_id)
    email = user.email if user is not None else ""
    return link.page("reset_password.html", email=email, **context)


@router.get("/reset/{token}")
def reset_form(link: LinkFormDep) -> HTMLResponse:
    return reset_page(link)


@router.post("/reset/{token}", dependencies=[auth.PreSessionChecked])
def reset(link: LinkFormDep, password: Password = "") -> Response:
    return link.password_chosen(invitations.reset_password, reset_page, password=password)
