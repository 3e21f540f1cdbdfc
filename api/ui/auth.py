"""Signing in to the pages: the same tokens as the API, kept in an HttpOnly cookie.

The API reads tokens from the Authorization header only, so a cookie can never authorise an API
call; the pages' own forms carry a CSRF token derived from the session token (no server state)."""

from __future__ import annotations

import hashlib
import hmac
from typing import Annotated
from urllib.parse import quote

from fastapi import Depends, Request
from fastapi.responses import Response

from api.deps import SessionDep
from klimatmatch.errors import Forbidden
from klimatmatch.services.accounts import authenticate
from models import User

TOKEN_COOKIE = "klimatmatch_session"
LANGUAGE_COOKIE = "klimatmatch_lang"
CSRF_FIELD = "csrf"
CSRF_HEADER = "X-CSRF-Token"
PAGES = "/ui"


class SignInRequired(Exception):
    """Raised by a page dependency; answered with a redirect to the sign-in form."""

    def __init__(self, next_path: str) -> None:
        super().__init__(next_path)
        self.next_path = next_path


def csrf_token(session_token: str) -> str:
    return hmac.new(session_token.encode(), b"klimatmatch-csrf", hashlib.sha256).hexdigest()


def safe_next(path: str | None) -> str:
    """Only our own pages are a place to return to after signing in (no open redirect)."""
    if path and path.startswith(PAGES + "/") and "//" not in path and "\\" not in path:
        return path
    return PAGES + "/"


def sign_in_url(next_path: str) -> str:
    return f"{PAGES}/sign-in?next={quote(safe_next(next_path), safe='/')}"


def get_page_user(request: Request, session: SessionDep) -> User:
    token = request.cookies.get(TOKEN_COOKIE)
    user = authenticate(session=session, token=token) if token else None
    if user is None:
        query = f"?{request.url.query}" if request.url.query else ""
        raise SignInRequired(request.url.path + query)
    request.state.csrf = csrf_token(token or "")
    request.state.page_user = user  # for error pages drawn after the handler failed
    return user


PageUser = Annotated[User, Depends(get_page_user)]


async def check_csrf(request: Request) -> None:
    """A state-changing form must carry the token only our own pages put into it."""
    token = request.cookies.get(TOKEN_COOKIE, "")
    sent = request.headers.get(CSRF_HEADER)
    if sent is None:
        form = await request.form()
        sent = str(form.get(CSRF_FIELD, ""))
    if not token or not hmac.compare_digest(sent, csrf_token(token)):
        raise Forbidden("the form is stale or did not come from this site; reload the page")


CsrfChecked = Depends(check_csrf)


def remember(response: Response, token: str, *, secure: bool) -> None:
    response.set_cookie(
        TOKEN_COOKIE,
        token,
        httponly=True,
        samesite="strict",
        secure=secure,
        path="/",
        max_age=12 * 3600,
    )


def forget(response: Response) -> None:
    response.delete_cookie(TOKEN_COOKIE, path="/")
