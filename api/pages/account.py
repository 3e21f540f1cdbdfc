"""A person's own account page: who they are, where they are signed in (and ending any of
those sessions), their API keys for programs (create, name, revoke), and a new password."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Form, Path, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from sqlalchemy.orm import Session

from api.deps import SessionDep, SettingsDep
from api.pages import auth
from api.pages.auth import PageSession, PageUser
from api.pages.rendering import committed, fields_of, render
from klimatmatch.accounts import passwords, sessions, sign_in, views
from klimatmatch.accounts import service as accounts
from klimatmatch.catalogue.schemas import MAX_ID
from klimatmatch.core.errors import InvalidInput
from klimatmatch.core.safe_text import Line
from klimatmatch.core.settings import Settings
from klimatmatch.core.translations import N_
from models import SignInSession

router = APIRouter(prefix=auth.PAGES, include_in_schema=False)
RowId = Annotated[int, Path(ge=1, le=MAX_ID)]
ACCOUNT = auth.PAGES + "/account"


def account_page(
    request: Request,
    session: SessionDep,
    current: PageSession,
    status_code: int = 200,
    **context: object,
) -> HTMLResponse:
    user = current.user
    page = render(
        request,
        "account.html",
        user,
        status_code=status_code,
        current_session=current.id,
        **fields_of(views.account_view(session=session, user=user)),
        **context,
    )
    page.headers["Cache-Control"] = "no-store"  # a new key is on this page once
    return page


@router.get("/account")
def account(request: Request, session: SessionDep, current: PageSession) -> HTMLResponse:
    return account_page(request, session, current)


@router.post("/account/sessions/{row_id}/end", dependencies=[auth.CsrfChecked])
def end_session(session: SessionDep, user: PageUser, row_id: RowId) -> RedirectResponse:
    sessions.end_session(session=session, user=user, row_id=row_id)
    return committed(session, ACCOUNT)


@router.post("/account/keys", dependencies=[auth.CsrfChecked])
def create_key(
    request: Request,
    session: SessionDep,
    current: PageSession,
    name: Annotated[Line, Form(max_length=100)] = "",
) -> HTMLResponse:
    """The new key is shown on the answer to this post, once; only its hash is kept."""
    key, secret = accounts.create_api_key(session=session, user=current.user, name=name)
    session.commit()
    return account_page(
        request, session, current, status_code=201, new_key=secret, new_key_name=key.name
    )


@router.post("/account/keys/{key_id}/revoke", dependencies=[auth.CsrfChecked])
def revoke_key(session: SessionDep, user: PageUser, key_id: RowId) -> RedirectResponse:
    accounts.revoke_api_key(session=session, user=user, key_id=key_id)
    return committed(session, ACCOUNT)


@router.post("/account/password", dependencies=[auth.CsrfChecked])
def change_password(
    request: Request,
    session: SessionDep,
    settings: SettingsDep,
    current: PageSession,
    current_password: Annotated[str, Form(max_length=1_000)] = "",
    new_password: Annotated[str, Form(max_length=1_000)] = "",
) -> Response:
    """A new password ends every other session of the person (this browser stays signed in).
    Wrong current passwords count with failed sign-ins: the same pauses, then 429."""
    user = current.user
    refused = password_refused(
        request,
        session,
        settings,
        current,
        current_password,
        field="password",
        wait=N_("Current password: too many wrong tries. Wait %(seconds)s s and try again."),
        wrong=N_("The current password is wrong."),
    )
    if refused is not None:
        return refused
    try:
        passwords.set_password(user, new_password)
    except InvalidInput:
        return account_page(
            request,
            session,
            current,
            422,
            password_error=auth.PASSWORD_RULES,
        )
    sessions.end_other_sessions(
        session=session, user=user, keep=request.cookies.get(auth.SESSION_COOKIE, "")
    )
    return committed(session, ACCOUNT + "?changed=1")


@router.post("/language", dependencies=[auth.CsrfChecked])
def set_language(
    session: SessionDep,
    user: PageUser,
    code: Annotated[str, Form(max_length=8)],
    next: Annotated[str, Form(max_length=2_000)] = "",  # noqa: A002
) -> Response:
    """A signed-in person's language: a setting of the account, read by the pages and by every
    e-mail sent to them (kept in the cookie too, for after signing out)."""
    accounts.set_language(session=session, user=user, language=code)
    response = committed(session, auth.safe_next(next))
    response.set_cookie(auth.LANGUAGE_COOKIE, code, max_age=365 * 86400, samesite="lax")
    return response


def password_refused(
    request: Request,
    session: Session,
    settings: Settings,
    current: SignInSession,
    password: str,
    *,
    field: str,
    wait: str,
    wrong: str,
) -> HTMLResponse | None:
    """None when the person's own password is right; else the account page saying why under
    `field`'s form. Wrong ones count with failed sign-ins: the same pauses, then 429."""
    try:
        right = sign_in.confirm_password(
            session=session,
            user=current.user,
            password=password,
            client=auth.client_of(request),
            settings=settings,
        )
    except sign_in.TooManyAttempts as error:
        values = {f"{field}_error_values": {"seconds": error.retry_after}}
        page = account_page(request, session, current, 429, **{f"{field}_error": wait}, **values)
        page.headers["Retry-After"] = str(error.retry_after)
        return page
    if right:
        return None
    return account_page(request, session, current, 422, **{f"{field}_error": wrong})
