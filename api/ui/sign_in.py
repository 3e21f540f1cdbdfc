"""Signing in and out, and a forgotten password: thin routes over the sign-in, session and
link services. Every answer to a failed sign-in is the same whether or not the e-mail exists."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Form, Path, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from api.deps import SessionDep, SettingsDep
from api.ui import auth
from api.ui.rendering import render
from klimatmatch.errors import InvalidInput
from klimatmatch.services import invitations, sessions
from klimatmatch.services.sign_in import TooManyAttempts, sign_in
from klimatmatch.settings import Settings
from models import User

router = APIRouter(prefix=auth.PAGES, include_in_schema=False)
Email = Annotated[str, Form(max_length=320)]
Password = Annotated[str, Form(max_length=1_000)]
Token = Annotated[str, Path(max_length=100)]
NO_REFERRER = {"Referrer-Policy": "no-referrer"}  # the link's token must not leak onwards


def signed_in(target: str, session_id: str, settings: Settings) -> RedirectResponse:
    """A redirect that carries the new session's cookie."""
    response = RedirectResponse(target, status_code=303)
    auth.remember(
        response, session_id, secure=settings.secure_cookies, hours=settings.session_hours
    )
    return response


@router.get("/sign-in")
def sign_in_form(request: Request, next: str | None = None) -> HTMLResponse:  # noqa: A002
    return render(request, "sign_in.html", next=auth.safe_next(next), email="")


@router.post("/sign-in")
def sign_in_post(
    request: Request,
    session: SessionDep,
    settings: SettingsDep,
    email: Email = "",
    password: Password = "",
    next: Annotated[str, Form(max_length=2_000)] = "",  # noqa: A002
) -> Response:
    def refuse(status: int, error: str, **values: object) -> HTMLResponse:
        page = render(
            request,
            "sign_in.html",
            status_code=status,
            next=auth.safe_next(next),
            email=email.strip(),
            error=error,
            error_values=values,
        )
        if status == 429:
            page.headers["Retry-After"] = str(values["seconds"])
        return page

    if not email.strip() or not password:
        return refuse(401, "sign_in.empty")
    try:
        signed = sign_in(
            session=session,
            email=email,
            password=password,
            client=auth.client_of(request),
            settings=settings,
        )
    except TooManyAttempts as error:
        return refuse(429, "sign_in.wait", seconds=error.retry_after)
    if signed is None:
        return refuse(401, "sign_in.wrong")
    return signed_in(auth.safe_next(next), signed[1], settings)


@router.post("/sign-out", dependencies=[auth.CsrfChecked])
def sign_out(request: Request, session: SessionDep) -> RedirectResponse:
    """Revokes the session itself, so the old cookie is useless even if it was copied."""
    sessions.revoke_session(
        session=session, session_id=request.cookies.get(auth.SESSION_COOKIE, "")
    )
    session.commit()
    response = RedirectResponse(auth.PAGES + "/sign-in", status_code=303)
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


def reset_page(
    request: Request, session: SessionDep, token: str, **context: object
) -> HTMLResponse:
    reset = invitations.open_reset(session=session, token=token)
    user = session.get(User, reset.user_id)
    email = user.email if user is not None else ""
    page = render(request, "reset_password.html", token=token, email=email, **context)
    page.headers.update(NO_REFERRER)
    return page


@router.get("/reset/{token}")
def reset_form(request: Request, session: SessionDep, token: Token) -> HTMLResponse:
    return reset_page(request, session, token)


@router.post("/reset/{token}")
def reset(
    request: Request,
    session: SessionDep,
    settings: SettingsDep,
    token: Token,
    password: Password = "",
) -> Response:
    try:
        _, session_id = invitations.reset_password(
            session=session,
            token=token,
            password=password,
            client=auth.client_of(request),
            settings=settings,
        )
    except InvalidInput:
        session.rollback()
        return reset_page(request, session, token, error="password.rules", status_code=422)
    return signed_in(auth.PAGES + "/", session_id, settings)
