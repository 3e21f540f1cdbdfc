"""Login CSRF (issue 24, #5): the sign-in form needs its pre-session token, and no page route
changes anything for a request from another site: over HTTP, and in Chromium from a page served
by another origin."""

from __future__ import annotations

import re
import threading
from collections.abc import Iterator
from datetime import timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from fastapi.routing import APIRoute
from fastapi.testclient import TestClient
from playwright.sync_api import Page
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from api.pages import PAGE_ROUTERS
from api.pages.auth import PRE_SESSION_COOKIE, SESSION_COOKIE
from klimatmatch.accounts import service as accounts
from models import Organisation, PasswordReset, Role, create_db_engine
from models.tables import utcnow
from tests.api.conftest import World, credentials
from tests.api.forms import pre_session_token, with_pre_session
from tests.api.pages.conftest import Live
from tests.api.test_access import form_token, pages_as

EVIL = {"Origin": "http://evil.example"}
WRITES = {"POST", "PUT", "PATCH", "DELETE"}


def fresh(world: World) -> TestClient:
    return TestClient(world.client.app)


def test_sign_in_without_the_pre_session_token_is_refused(world: World) -> None:
    client = fresh(world)
    bare = client.post("/ui/sign-in", data=credentials("admin"), follow_redirects=False)
    assert bare.status_code == 403 and "has expired or did not come from this site" in bare.text
    assert SESSION_COOKIE not in client.cookies
    forged = client.post(
        "/ui/sign-in", data={**credentials("admin"), "csrf": "0" * 64}, follow_redirects=False
    )
    assert forged.status_code == 403 and SESSION_COOKIE not in client.cookies


def test_a_token_is_good_only_with_its_own_cookie(world: World) -> None:
    """Double submit: an attacker's own token (from the attacker's own visit) is no use in a
    browser that has another pre-session cookie, or none."""
    attacker, victim = fresh(world), fresh(world)
    stolen = pre_session_token(attacker)
    pre_session_token(victim)  # the victim has a cookie of its own
    refused = victim.post(
        "/ui/sign-in", data={**credentials("admin"), "csrf": stolen}, follow_redirects=False
    )
    assert refused.status_code == 403 and SESSION_COOKIE not in victim.cookies


def test_the_refused_form_comes_back_ready_to_send(world: World) -> None:
    client = fresh(world)
    refused = client.post("/ui/sign-in", data=credentials("admin"))
    token = re.search(r'name="csrf" value="([0-9a-f]{64})"', refused.text)
    assert refused.status_code == 403 and token is not None
    cookie = next(c for c in client.cookies.jar if c.name == PRE_SESSION_COOKIE)
    assert cookie.path == "/ui" and cookie.has_nonstandard_attr("HttpOnly")
    again = client.post(
        "/ui/sign-in", data={**credentials("admin"), "csrf": token[1]}, follow_redirects=False
    )
    assert again.status_code == 303 and SESSION_COOKIE in client.cookies
    assert PRE_SESSION_COOKIE not in client.cookies  # done with once signed in


def test_the_pre_session_cookie_is_strict_and_short_lived(world: World) -> None:
    header = fresh(world).get("/ui/sign-in").headers["set-cookie"]
    assert f"{PRE_SESSION_COOKIE}=" in header
    assert "SameSite=strict" in header and "HttpOnly" in header and "Max-Age=3600" in header


def test_a_foreign_origin_cannot_sign_in_even_with_a_token(world: World) -> None:
    client = fresh(world)
    fields = with_pre_session(client, credentials("admin"))
    refused = client.post("/ui/sign-in", data=fields, headers=EVIL, follow_redirects=False)
    assert refused.status_code == 403 and SESSION_COOKIE not in client.cookies
    assert "came from another site" in refused.text
    own = client.post(
        "/ui/sign-in",
        data=fields,
        headers={"Origin": "http://testserver", "Sec-Fetch-Site": "same-origin"},
        follow_redirects=False,
    )
    assert own.status_code == 303


@pytest.mark.parametrize(
    ("headers", "status"),
    [
        ({"Sec-Fetch-Site": "cross-site"}, 403),  # a browser that sent no Origin
        ({"Sec-Fetch-Site": "same-site"}, 403),  # a sibling host is another origin
        ({"Origin": "null", "Sec-Fetch-Site": "cross-site"}, 403),  # a sandboxed frame
        ({"Origin": "null"}, 403),  # a browser that says nothing more
        ({"Origin": "http://testserver.evil.example"}, 403),
        ({"Origin": "https://testserver"}, 403),  # another scheme is another origin
        ({"Origin": "null", "Sec-Fetch-Site": "same-origin"}, 303),  # a privacy-minded page
        ({"Sec-Fetch-Site": "same-origin"}, 303),
        ({"Origin": "http://127.0.0.1:8000"}, 303),  # the public URL (behind a proxy)
        ({}, 303),  # not a browser: the token decides
    ],
)
def test_origin_and_fetch_metadata_decide(
    world: World, headers: dict[str, str], status: int
) -> None:
    client = fresh(world)
    fields = with_pre_session(client, credentials("coordinator"))
    answer = client.post("/ui/sign-in", data=fields, headers=headers, follow_redirects=False)
    assert answer.status_code == status
    assert (SESSION_COOKIE in client.cookies) == (status == 303)


def test_a_foreign_origin_is_refused_on_a_form_with_a_session_token(world: World) -> None:
    client = pages_as(world, "admin")
    token = form_token(client)
    refused = client.post(
        "/ui/sign-out", data={"csrf": token}, headers=EVIL, follow_redirects=False
    )
    assert refused.status_code == 403
    assert client.get("/ui/account", follow_redirects=False).status_code == 200  # still in
    left = client.post("/ui/sign-out", data={"csrf": token}, follow_redirects=False)
    assert left.status_code == 303


def test_register_and_forgot_password_store_nothing_for_a_foreign_origin(world: World) -> None:
    db = create_db_engine(str(world.client.app.state.klimatmatch.settings.database_url))
    with db.connect() as connection:
        before = connection.scalars(select(func.count()).select_from(Organisation)).one()
        resets = connection.scalars(select(func.count()).select_from(PasswordReset)).one()
    client = fresh(world)
    registration = {
        "name": "Foreign Form AB",
        "person": "Eve",
        "email": "eve@example.org",
        "password": "a long enough password",
        "description": "Made by a page on another site, never by the visitor.",
        "country": "SE",
    }
    assert client.post("/ui/register", data=registration, headers=EVIL).status_code == 403
    forgot = {"email": "admin@example.org"}
    assert client.post("/ui/forgot-password", data=forgot, headers=EVIL).status_code == 403
    with db.connect() as connection:
        assert connection.scalars(select(func.count()).select_from(Organisation)).one() == before
        assert connection.scalars(select(func.count()).select_from(PasswordReset)).one() == resets
    db.dispose()


def test_a_link_that_signs_in_needs_the_pre_session_too(world: World) -> None:
    """A foreign page could post the form of its own reset link (an account the attacker
    controls) and so sign the visitor in to it: the link's form is guarded like sign-in."""
    db = create_db_engine(str(world.client.app.state.klimatmatch.settings.database_url))
    with Session(db) as session:
        user, _ = accounts.create_user(
            session=session,
            name="Link",
            role=Role.COMPANY,
            organisation="Voltgräv AB",
            email="link-owner@example.org",
            password="the owner's long password",
        )
        reset = PasswordReset(
            token_hash=accounts.sealed_token_hash(),
            user_id=user.id,
            created_at=utcnow(),
            expires_at=utcnow() + timedelta(hours=1),
        )
        session.add(reset)
        session.flush()
        link = f"/ui/reset/{accounts.mint_token(reset)}"
        session.commit()
    db.dispose()
    client = fresh(world)
    chosen = {"password": "the attacker's long password"}
    bare = client.post(link, data=chosen, follow_redirects=False)
    assert bare.status_code == 403 and SESSION_COOKIE not in client.cookies
    assert client.get(link).status_code == 200  # the link was not used up
    done = client.post(link, data=with_pre_session(client, chosen, page=link))
    assert done.status_code == 200 and SESSION_COOKIE in client.cookies


def test_every_state_changing_page_route_checks_the_origin(world: World) -> None:
    """Whatever the route (and whether or not its own checks would pass), a foreign Origin is
    refused before the handler runs: one check for every page route."""
    client = pages_as(world, "admin")
    token = form_token(client)
    routes = [
        (method, route.path)
        for router in PAGE_ROUTERS
        for route in router.routes
        if isinstance(route, APIRoute)
        for method in sorted(route.methods & WRITES)
    ]
    assert len(routes) > 20
    for method, path in routes:
        concrete = re.sub(r"\{[^}]+\}", "1", path)
        answer = client.request(
            method, concrete, data={"csrf": token}, headers=EVIL, follow_redirects=False
        )
        assert answer.status_code == 403, (method, path, answer.status_code)
    assert client.get("/ui/account", follow_redirects=False).status_code == 200


class ForeignSite:
    """A page on another origin with a form that signs the visitor in, sent by a script."""

    def __init__(self, target: str) -> None:
        page = f"""<!doctype html><title>Win a prize</title>
<form method="post" action="{target}/ui/sign-in">
  <input name="email" value="{credentials("voltgrav")["email"]}">
  <input name="password" value="{credentials("voltgrav")["password"]}">
  <input name="next" value="/ui/">
</form>
<script>document.forms[0].submit()</script>""".encode()

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:  # noqa: N802
                self.send_response(200)
                self.send_header("Content-Type", "text/html")
                self.send_header("Content-Length", str(len(page)))
                self.end_headers()
                self.wfile.write(page)

            def log_message(self, *args: object) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.port = self.server.server_address[1]
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture(scope="module")
def foreign(live: Live) -> Iterator[ForeignSite]:
    site = ForeignSite(live.url)
    yield site
    site.close()


@pytest.mark.parametrize("host", ["localhost", "127.0.0.1"])  # another site; another origin
def test_a_foreign_page_does_not_sign_the_browser_in(
    page: Page, live: Live, foreign: ForeignSite, host: str
) -> None:
    answers = []
    page.on("response", lambda r: answers.append((r.url, r.status)))
    page.goto(f"http://{host}:{foreign.port}/")
    page.wait_for_url(f"{live.url}/ui/sign-in")
    assert (f"{live.url}/ui/sign-in", 403) in answers
    cookies = {cookie["name"] for cookie in page.context.cookies()}
    assert SESSION_COOKIE not in cookies
    page.goto("/ui/opportunities")
    assert page.url.startswith(f"{live.url}/ui/sign-in?next=")
