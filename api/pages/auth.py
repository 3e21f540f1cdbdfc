"""Signing in to the pages: a server-side session whose random id is kept in a cookie.

The cookie is HttpOnly and SameSite=Lax (a link from an e-mail arrives signed in; a form posted
from another site does not, and every form carries a CSRF token as well). The API never reads
it: programs use API keys in the Authorization header, so a page session cannot call the API
(except the read-only export of the person's own data, `api.deps.get_person`).
The CSRF token is an HMAC of the session id, so it needs no state of its own and dies with the
session. Before there is a session, the sign-in form is protected the same way by a pre-session
cookie (double submit: a random value in a short-lived SameSite=Strict cookie, its HMAC in the
form), so a foreign page cannot sign a visitor in to the attacker's account. As a second line,
every state-changing request to the pages must come from this origin (`check_origin`)."""

from __future__ import annotations

import hashlib
import hmac
import ipaddress
import secrets
from typing import Annotated
from urllib.parse import quote, urlsplit

from fastapi import Depends, Request
from fastapi.responses import Response

from api.deps import SessionDep, SettingsDep
from klimatmatch.accounts.sessions import COOKIE, Client, resolve_session
from klimatmatch.core.errors import Forbidden
from klimatmatch.core.translations import N_
from models import SignInSession, User

SESSION_COOKIE = COOKIE
LANGUAGE_COOKIE = "klimatmatch_lang"
CSRF_FIELD = "csrf"
CSRF_HEADER = "X-CSRF-Token"
PAGES = "/ui"
PRE_SESSION_COOKIE = "klimatmatch_pre_session"
PRE_SESSION_MINUTES = 60
UNKNOWN_ADDRESS = "unknown"
"""Stored and counted instead of a client address that is not an IP address."""
WRITES = frozenset({"POST", "PUT", "PATCH", "DELETE"})
PASSWORD_RULES = N_("10 to 200 characters, not your e-mail address. A few words work well.")
"""Shown beside a new password's field, and as the error when one breaks them."""


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
    """The address and browser a session is shown with on the account page (and the limits
    count per address): an IP address, or `UNKNOWN_ADDRESS`, never the raw text (a trusted
    proxy may still pass on whatever a client put in X-Forwarded-For)."""
    return Client(address=valid_address(request), user_agent=request.headers.get("user-agent", ""))


def valid_address(request: Request) -> str:
    host = request.client.host if request.client else ""
    try:
        return str(ipaddress.ip_address(host))
    except ValueError:
        return UNKNOWN_ADDRESS


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


def get_optional_page_user(request: Request, session: SessionDep) -> User | None:
    """The signed-in person on a page anyone may read (the frame shows their menu), else None."""
    try:
        return get_sign_in_session(request, session).user
    except SignInRequired:
        return None


OptionalPageUser = Annotated[User | None, Depends(get_optional_page_user)]


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


def pre_session(request: Request) -> str:
    """The visitor's pre-session value, kept (another open tab keeps working) or made; the
    page drawn next puts its token into its forms."""
    value = request.cookies.get(PRE_SESSION_COOKIE, "")
    if len(value) != 43:  # secrets.token_urlsafe(32); anything else is not one of ours
        value = secrets.token_urlsafe(32)
    request.state.csrf = csrf_token(value)
    return value


def remember_pre_session(response: Response, value: str, *, secure: bool) -> None:
    """Strict: a foreign site's form never carries it, not even a top-level POST."""
    response.set_cookie(
        PRE_SESSION_COOKIE,
        value,
        httponly=True,
        samesite="strict",
        secure=secure,
        path=PAGES,
        max_age=PRE_SESSION_MINUTES * 60,
    )


def pre_session_valid(request: Request, sent: str) -> bool:
    """The form's token matches the visitor's own pre-session cookie (constant time)."""
    value = request.cookies.get(PRE_SESSION_COOKIE, "")
    return bool(value) and hmac.compare_digest(sent, csrf_token(value))


async def check_pre_session(request: Request) -> None:
    """A form that signs a person in (a reset, an invitation, a registration's confirmation)
    must carry the token of this browser's own pre-session: a foreign page cannot post its
    own link's form and so sign the visitor in to an account the attacker controls."""
    form = await request.form()
    if not pre_session_valid(request, str(form.get(CSRF_FIELD, ""))):
        raise Forbidden("the form is stale or did not come from this site; open the link again")


PreSessionChecked = Depends(check_pre_session)


def forget_pre_session(response: Response) -> None:
    response.delete_cookie(PRE_SESSION_COOKIE, path=PAGES)


def origin_of(url: str) -> str:
    """scheme://host[:port] as a browser writes an Origin (no default port, lower case)."""
    parts = urlsplit(url)
    scheme, host = parts.scheme.lower(), (parts.hostname or "").lower()
    if ":" in host:
        host = f"[{host}]"
    try:
        port = parts.port
    except ValueError:
        return ""
    default = {"http": 80, "https": 443}.get(scheme)
    return f"{scheme}://{host}" + (f":{port}" if port and port != default else "")


def same_origin(request: Request, public_url: str) -> bool:
    """Whether a request may change something: its Origin is this site (as the request reached
    it, or as `public_url` names it); without an Origin, a browser's Sec-Fetch-Site says so. A
    request with neither (a program, not a browser) passes: the CSRF token still guards it."""
    origin = request.headers.get("origin")
    if origin is not None and origin != "null":
        return origin_of(origin) in {origin_of(str(request.url)), origin_of(public_url)} - {""}
    fetch_site = request.headers.get("sec-fetch-site")
    if fetch_site is None:
        return origin is None  # `Origin: null` from a browser too old to say more: refused
    return fetch_site in ("same-origin", "none")


def check_origin(request: Request, settings: SettingsDep) -> None:
    """The second line against cross-site forms, for every page route that changes state."""
    if request.method in WRITES and not same_origin(request, settings.public_url):
        raise Forbidden(
            f"{request.method} {request.url.path}: the form came from another site; "
            "open this site's own page and send it from there"
        )


SameOrigin = Depends(check_origin)
