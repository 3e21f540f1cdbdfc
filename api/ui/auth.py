"""Signing in to the pages: a server-side session whose random id is kept in a cookie.

The cookie is HttpOnly and SameSite=Lax (a link from an e-mail arrives signed in; a form posted
from another site does not, and every form carries a CSRF token as well). The API never reads
it: programs use API keys in the Authorization header, so a page session cannot call the API.
The CSRF token is an HMAC of the session id, so it needs no state of its own and dies with the
session."""

from __future__ import annotations

import hashlib
import hmac
from typing import Annotated
from urllib.parse import quote

from fastapi import Depends, Request
from fastapi.responses import Response

from api.deps import SessionDep
from klimatmatch.errors import Forbidden
from klimatmatch.services.sessions import Client, resolve_session
from models import SignInSession, User

SESSION_COOKIE = "klimatmatch_session"
LANGUAGE_COOKIE = "klimatmatch_lang"
CSRF_FIELD = "csrf"
CSRF_HEADER = "X-CSRF-Token"
PAGES = "/ui"


class SignInRequired(Exception):
    """Raised by a page dependency; answered with a redirect to the sign-in form."""

    def __init__(self, next_path: str) -> None:
        super().__init__(next_path)
        self.next_path = next_path


def csrf_token(session_id: str) -> str:
    return hmac.new(session_id.encode(), b"klimatmatch-csrf", hashlib.sha256).hexdigest()


def safe_next(path: str | None) -> str:
    """Only our own pages are a place to return to after signing in (no open redirect)."""
    if path and path.startswith(PAGES + "/") and "//" not in path and "\\" not in path:
        return path
    return PAGES + "/"


def sign_in_url(next_path: str) -> str:
    return f"{PAGES}/sign-in?next={quote(safe_next(next_path), safe='/')}"


def client_of(request: Request) -> Client:
    """The address and browser a session is shown with on the account page."""
    address = request.client.host if request.client else ""
    return Client(address=address, user_agent=request.headers.get("user-agent", ""))


def get_sign_in_session(request: Request, session: SessionDep) -> SignInSession:
    session_id = request.cookies.get(SESSION_COOKIE, "")
    row = resolve_session(session=session, session_id=session_id) if session_id else None
    if row is None:
        query = f"?{request.url.query}" if request.url.query else ""
        raise SignInRequired(request.url.path + query)
    request.state.csrf = csrf_token(session_id)
    request.state.page_user = row.user  # for error pages drawn after the handler failed
    return row


PageSession = Annotated[SignInSession, Depends(get_sign_in_session)]


def get_page_user(row: PageSession) -> User:
    return row.user


PageUser = Annotated[User, Depends(get_page_user)]


async def check_csrf(request: Request) -> None:
    """A state-changing form must carry the token only our own pages put into it."""
    session_id = request.cookies.get(SESSION_COOKIE, "")
    sent = request.headers.get(CSRF_HEADER)
    if sent is None:
        form = await request.form()
        sent = str(form.get(CSRF_FIELD, ""))
    if not session_id or not hmac.compare_digest(sent, csrf_token(session_id)):
        raise Forbidden("the form is stale or did not come from this site; reload the page")


CsrfChecked = Depends(check_csrf)


def remember(response: Response, session_id: str, *, secure: bool, hours: float) -> None:
    response.set_cookie(
        SESSION_COOKIE,
        session_id,
        httponly=True,
        samesite="lax",
        secure=secure,
        path="/",
        max_age=int(hours * 3600),
    )


def forget(response: Response) -> None:
    response.delete_cookie(SESSION_COOKIE, path="/")
