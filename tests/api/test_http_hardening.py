"""HTTP hardening (issue 24): forwarding headers (#6), opaque ETags (#8), what /health tells whom
(#12), chunked bodies over the limit (#13) and the security headers on every answer (#14).

Forwarding headers are tested through a real uvicorn server configured as `klimatmatch serve`
configures it, since that is where X-Forwarded-For used to be believed."""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest
import uvicorn
from fastapi.routing import APIRoute
from fastapi.testclient import TestClient
from sqlalchemy import delete, select

from api.app import PROXY_HEADERS, create_app
from api.pages import PAGE_ROUTERS
from api.pages.auth import UNKNOWN_ADDRESS
from api.security_headers import DOCS_POLICY, PAGES_POLICY
from klimatmatch.core.settings import Settings
from models import SignInFailure, SignInSession, create_db_engine
from tests.api.conftest import World, credentials, make_world
from tests.api.forms import with_pre_session
from tests.api.pages.conftest import free_port
from tests.servers import running

HOSTILE = "<svg onload=1>"


@dataclass
class Served:
    base: str
    database_url: str

    def forget_failures(self) -> None:
        """A new window for the sign-in limits (as if 15 minutes had passed)."""
        db = create_db_engine(self.database_url)
        with db.begin() as connection:
            connection.execute(delete(SignInFailure))
        db.dispose()


@pytest.fixture(scope="module")
def served(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Served]:
    """The app behind uvicorn with the options `klimatmatch serve` uses, default settings.
    Clients connect from 127.0.0.1, the address uvicorn's own proxy handling trusts."""
    path: Path = tmp_path_factory.mktemp("served") / "served.db"
    settings = Settings(database_url=f"sqlite:///{path}", embedder="tfidf", snapshots=False)
    make_world(settings.database_url)
    port = free_port()
    config = uvicorn.Config(
        create_app(settings),
        host="127.0.0.1",
        port=port,
        log_level="warning",
        proxy_headers=PROXY_HEADERS,
    )
    with running(config):
        yield Served(f"http://127.0.0.1:{port}", settings.database_url)


def browser_from(base: str, address: str) -> httpx.Client:
    """A client of the served app connecting from `address` (any of 127.0.0.0/8)."""
    transport = httpx.HTTPTransport(local_address=address)
    return httpx.Client(base_url=base, transport=transport, timeout=30)


def test_rotating_x_forwarded_for_does_not_escape_the_address_limit(served: Served) -> None:
    """Fifteen failures per address slow the next try; a new X-Forwarded-For each time used to
    make every try a new address (20 tries, no 429)."""
    served.forget_failures()
    with browser_from(served.base, "127.0.0.1") as client:
        statuses = []
        for i in range(20):
            wrong = {"email": f"guess{i}@example.org", "password": "not the password"}
            forwarded = {"X-Forwarded-For": f"198.51.100.{i + 1}"}
            answer = client.post(
                "/ui/sign-in", data=with_pre_session(client, wrong), headers=forwarded
            )
            statuses.append(answer.status_code)
    assert statuses[:15] == [401] * 15 and 429 in statuses[15:], statuses
    with browser_from(served.base, "127.0.0.1") as client:  # the right password waits too
        fields = with_pre_session(client, credentials("admin"))
        assert client.post("/ui/sign-in", data=fields).status_code == 429


def test_the_session_shows_the_real_address(served: Served) -> None:
    served.forget_failures()
    with browser_from(served.base, "127.0.0.1") as client:
        forwarded = {"X-Forwarded-For": "203.0.113.9", "X-Forwarded-Proto": "https"}
        signed = client.post(
            "/ui/sign-in", data=with_pre_session(client, credentials("admin")), headers=forwarded
        )
        assert signed.status_code == 303
        account = client.get("/ui/account", headers={"X-Forwarded-For": HOSTILE}).text
    assert "127.0.0.1" in account
    assert "203.0.113.9" not in account and "svg onload" not in account


@pytest.fixture(scope="module")
def proxied(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[object, str]]:
    """The app behind a trusted proxy at 10.9.8.7 (KLIMATMATCH_TRUSTED_PROXIES)."""
    path: Path = tmp_path_factory.mktemp("proxied") / "proxied.db"
    settings = Settings(
        database_url=f"sqlite:///{path}",
        embedder="tfidf",
        snapshots=False,
        trusted_proxies="10.9.8.0/24",
    )
    make_world(settings.database_url)
    app = create_app(settings)
    with TestClient(app):
        yield app, settings.database_url


def through_proxy(app: object, address: str = "10.9.8.7") -> TestClient:
    return TestClient(app, client=(address, 40000))  # type: ignore[arg-type]


def test_a_trusted_proxy_is_believed(proxied: tuple[object, str]) -> None:
    app, _ = proxied
    client = through_proxy(app)
    forwarded = {"X-Forwarded-For": "198.51.100.77"}
    fields = with_pre_session(client, credentials("coordinator"))
    assert client.post("/ui/sign-in", data=fields, headers=forwarded).status_code == 200
    assert "198.51.100.77" in client.get("/ui/account").text
    stranger = through_proxy(app, "192.0.2.5")  # not a proxy: its header is not believed
    fields = with_pre_session(stranger, credentials("stockholm"))
    assert stranger.post("/ui/sign-in", data=fields, headers=forwarded).status_code == 200
    page = stranger.get("/ui/account").text
    assert "192.0.2.5" in page and "198.51.100.77" not in page


def test_a_forwarded_address_that_is_not_an_address_is_never_stored(
    proxied: tuple[object, str],
) -> None:
    app, url = proxied
    client = through_proxy(app)
    hostile = {"X-Forwarded-For": HOSTILE}
    wrong = {"email": "nobody@example.org", "password": "not the password"}
    assert (
        client.post(
            "/ui/sign-in", data=with_pre_session(client, wrong), headers=hostile
        ).status_code
        == 401
    )
    fields = with_pre_session(client, credentials("malmo"))
    assert client.post("/ui/sign-in", data=fields, headers=hostile).status_code == 200
    page = client.get("/ui/account").text
    assert "svg onload" not in page and UNKNOWN_ADDRESS in page
    db = create_db_engine(url)
    with db.connect() as connection:
        addresses = set(connection.scalars(select(SignInSession.address)))
        keys = set(connection.scalars(select(SignInFailure.key)))
    db.dispose()
    assert UNKNOWN_ADDRESS in addresses and not any("svg" in a for a in addresses)
    assert f"address:{UNKNOWN_ADDRESS}" in keys and not any("svg" in k for k in keys)


def test_trusted_proxies_must_be_addresses() -> None:
    with pytest.raises(ValueError, match="trusted_proxies: 'proxy.internal' is not an IP"):
        Settings(trusted_proxies="10.0.0.1, proxy.internal")
    assert Settings().trusted_proxies == []


# --- If-Match (#8) ---


def edit(world: World, challenge: int, if_match: str, theme: str = "Mobilitet") -> httpx.Response:
    return world.patch(
        f"/challenges/{challenge}",
        "stockholm",
        headers={"If-Match": if_match},
        json={"theme": theme},
    )


@pytest.mark.parametrize(
    ("if_match", "status", "says"),
    [
        ('"' + "9" * 5000 + '"', 422, "If-Match: an ETag is at most 64 characters"),
        ("9" * 5000, 422, "If-Match: an ETag is at most 64 characters"),
        ('"' + "9" * 40 + '"', 412, "is not the record's current ETag"),
        ('"abc"', 412, "is not the record's current ETag"),
        ('W/"0"', 412, "is not the record's current ETag"),
        ('"3", "4"', 422, "If-Match must be an ETag"),
        ("garbage", 422, "If-Match must be an ETag"),
        ('"unclosed', 422, "If-Match must be an ETag"),
        ('W/"x y"', 422, "If-Match must be an ETag"),
    ],
)
def test_a_malformed_or_foreign_etag_is_a_clear_refusal(
    world: World, if_match: str, status: int, says: str
) -> None:
    answer = edit(world, world.ids["sth_draft"], if_match)
    assert answer.status_code == status, answer.text
    assert says in answer.json()["detail"] and len(answer.text) < 1_000


def test_strong_weak_and_any_etags_of_the_current_version_pass(world: World) -> None:
    challenge = world.ids["sth_draft"]
    for tag in ("{etag}", "W/{etag}", "*"):
        etag = world.get(f"/challenges/{challenge}", "stockholm").headers["etag"]
        answer = edit(world, challenge, tag.format(etag=etag), theme=f"Theme {tag}")
        assert answer.status_code == 200, (tag, answer.text)
    assert edit(world, challenge, etag, theme="Late").status_code == 412  # already passed


# --- /health (#12) ---


def test_anonymous_health_says_up_and_the_version_only(world: World) -> None:
    for who in ("anonymous", "stockholm", "voltgrav"):
        body = world.get("/health", who).json()
        assert set(body) == {"status", "version"} and body["status"] == "ok", who
    forged = world.client.get("/health", headers={"Authorization": "Bearer km_forged"})
    assert forged.status_code == 401


def test_staff_see_the_details_of_health(world: World) -> None:
    for who in ("coordinator", "admin"):
        body = world.get("/health", who).json()
        assert body["challenges"] >= 45 and body["companies"] >= 155, who
        assert {"model", "data_version", "applied_version", "index_source"} <= set(body)


# --- chunked bodies (#13) ---


def chunks(total: int, size: int = 64_000) -> Iterator[bytes]:
    """A JSON body sent in chunks (Transfer-Encoding: chunked, no Content-Length)."""
    yield b'{"title": "Chunked", "description": "'
    for _ in range(total // size):
        yield b"x" * size
    yield b'"}'


def test_a_chunked_body_over_the_limit_is_413_naming_it(world: World) -> None:
    headers = {**world.auth("stockholm"), "Content-Type": "application/json"}
    answer = world.client.post("/challenges", headers=headers, content=chunks(1_300_000))
    assert answer.status_code == 413, answer.text
    assert answer.headers["content-type"] == "application/problem+json"
    assert answer.json()["detail"] == (
        "the request body is over the limit of 1000000 bytes for /challenges"
    )
    assert answer.headers["content-security-policy"] == PAGES_POLICY


def test_a_chunked_body_under_the_limit_works(world: World) -> None:
    body = b'{"title": "Chunked but small", "description": "Charging infrastructure for buses."}'
    headers = {**world.auth("stockholm"), "Content-Type": "application/json"}
    answer = world.client.post("/challenges", headers=headers, content=iter([body[:20], body[20:]]))
    assert answer.status_code == 201, answer.text


def test_a_chunked_body_over_the_limit_through_uvicorn(served: Served) -> None:
    """Chunks arriving one by one over a real connection: refused at the one that crosses."""
    with browser_from(served.base, "127.0.0.4") as client:
        answer = client.post(
            "/ui/sign-in",
            content=chunks(3_000_000),
            headers={"content-type": "application/x-www-form-urlencoded"},
        )
    assert answer.status_code == 413
    assert "over the limit of 1000000 bytes" in answer.json()["detail"]


# --- security headers (#14) ---


def page_paths(world: World) -> list[str]:
    """Every GET page of the pages' routers, path parameters filled with real ids."""
    values = {"challenge_id": world.ids["sth_published"], "company_id": world.ids["voltgrav"]}
    paths = []
    for router in PAGE_ROUTERS:
        for route in router.routes:
            if isinstance(route, APIRoute) and "GET" in route.methods:
                paths.append(re.sub(r"\{(\w+)\}", lambda m: str(values.get(m[1], 1)), route.path))
    return paths


def assert_hardened(answer: httpx.Response, policy: str = PAGES_POLICY) -> None:
    headers = answer.headers
    assert headers["content-security-policy"] == policy, answer.url
    assert headers["x-content-type-options"] == "nosniff", answer.url
    assert headers["x-frame-options"] == "DENY", answer.url
    assert headers["referrer-policy"] == "same-origin", answer.url


def test_every_page_carries_the_security_headers(world: World) -> None:
    client = TestClient(world.client.app)
    client.post("/ui/sign-in", data=with_pre_session(client, credentials("admin")))
    paths = page_paths(world)
    assert len(paths) > 20
    for path in paths:
        assert_hardened(client.get(path, follow_redirects=False))
    for path in ("/ui/static/app.css", "/ui/no-such-page", "/health", "/openapi.json"):
        assert_hardened(client.get(path))
    assert_hardened(world.get("/challenges", "stockholm"))
    assert "frame-ancestors 'none'" in PAGES_POLICY and "script-src 'self';" in PAGES_POLICY


def test_the_api_docs_get_their_own_policy(world: World) -> None:
    for path in ("/docs", "/redoc", "/docs/oauth2-redirect"):
        answer = world.client.get(path)
        assert answer.status_code == 200
        assert_hardened(answer, DOCS_POLICY)
    assert "https://cdn.jsdelivr.net" in DOCS_POLICY and "frame-ancestors 'none'" in DOCS_POLICY
