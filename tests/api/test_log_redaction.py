"""Single-use secrets and e-mail addresses stay out of the logs `klimatmatch serve` writes: a
real uvicorn server configured with its LOG_CONFIG, a real SMTP server, and every route whose
path carries a token, requested with a real token."""

from __future__ import annotations

import io
import logging
import re
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import pytest
import uvicorn
from sqlalchemy import select
from sqlalchemy.orm import Session

from api.app import create_app
from api.log_redaction import REDACTED, SECRET_PATHS, SECRET_QUERY, redact
from api.observability import LOG_CONFIG
from klimatmatch.alerts import service as alerts
from klimatmatch.core.settings import Settings
from models import User, create_db_engine
from tests import mailbox
from tests.api.conftest import credentials, make_world
from tests.api.forms import with_pre_session
from tests.mailbox import Mailbox, free_port
from tests.servers import running

smtp = mailbox.smtp  # the fixture: a real SMTP server in this process
CONFIGURED = tuple(LOG_CONFIG["loggers"])


@dataclass
class Served:
    url: str
    log: io.StringIO
    mailbox: Mailbox
    database_url: str

    def client(self) -> httpx.Client:
        return httpx.Client(base_url=self.url, timeout=30, follow_redirects=True)


def token_of(link: str) -> str:
    return link.rstrip("/").rsplit("/", 1)[1]


@pytest.fixture(scope="module")
def served(tmp_path_factory: pytest.TempPathFactory, smtp: Mailbox) -> Iterator[Served]:
    """The app as `klimatmatch serve` runs it (LOG_CONFIG), its log lines kept in memory. The
    loggers it configures are put back afterwards, so other tests' caplog still works."""
    saved = {
        name: (logger.level, logger.propagate, logger.handlers[:], logger.filters[:])
        for name in CONFIGURED
        for logger in [logging.getLogger(name)]
    }
    folder: Path = tmp_path_factory.mktemp("logs")
    port = free_port()
    settings = Settings(
        database_url=f"sqlite:///{folder / 'logs.db'}",
        snapshot_dir=folder / "snapshots",
        embedder="tfidf",
        smtp_host="127.0.0.1",
        smtp_port=smtp.port,
        smtp_tls="none",
        public_url=f"http://127.0.0.1:{port}",
    )
    make_world(settings.database_url)
    config = uvicorn.Config(
        create_app(settings), host="127.0.0.1", port=port, log_config=LOG_CONFIG
    )
    log = io.StringIO()
    [handler] = {h for name in CONFIGURED for h in logging.getLogger(name).handlers}
    assert isinstance(handler, logging.StreamHandler)
    handler.setStream(log)  # what would go to stderr
    with running(config):
        yield Served(f"http://127.0.0.1:{port}", log, smtp, settings.database_url)
    for name, (level, propagate, handlers, filters) in saved.items():
        logger = logging.getLogger(name)
        logger.setLevel(level)
        logger.propagate, logger.handlers, logger.filters = propagate, handlers, filters


def mail_after(served: Served, seen: int, address: str) -> str:
    """The link in the first message to `address` past the first `seen` (sent by the mail
    job a moment after the page answered)."""
    deadline = time.monotonic() + 15
    while time.monotonic() < deadline:
        for message in served.mailbox.messages[seen:]:
            if message["To"] == address:
                found = mailbox.LINK.search(message.get_content())
                assert found, message.get_content()
                return found.group(0)
        time.sleep(0.02)
    raise AssertionError(f"no new message to {address}")


def signed_in(served: Served, who: str) -> tuple[httpx.Client, str]:
    client = served.client()
    answer = client.post("/ui/sign-in", data=with_pre_session(client, credentials(who)))
    assert answer.status_code == 200, answer.text[:300]  # followed to the first page
    page = client.get("/ui/people").text
    csrf = re.search(r'name="csrf-token" content="([0-9a-f]{64})"', page)
    assert csrf, page[:300]
    return client, csrf.group(1)


def visit(served: Served, link: str, form: dict[str, str]) -> None:
    """Opens a link's page and posts its form, as the person the e-mail went to would."""
    with served.client() as browser:
        filled = with_pre_session(browser, form, page=link)  # opens the link's page
        assert browser.post(link, data=filled, follow_redirects=False).status_code == 303


def test_link_tokens_and_addresses_never_reach_the_log(served: Served) -> None:
    tokens, addresses = [], ["voltgrav@example.org", "coordinator@example.org"]

    seen = len(served.mailbox.messages)  # a reset: the token is the account
    served.client().post("/ui/forgot-password", data={"email": "voltgrav@example.org"})
    link = mail_after(served, seen, "voltgrav@example.org")
    visit(served, link, {"password": "voltgrav's new password"})
    tokens.append(token_of(link))

    seen = len(served.mailbox.messages)  # a registration's confirmation
    form = {
        "name": "Loggfritt AB",
        "person": "Eva",
        "email": "eva@loggfritt.example",
        "password": "a long enough password",
        "description": "Snabbladdning för tunga ellastbilar vid hamnar och terminaler.",
        "country": "SE",
        "terms": "true",
    }
    assert served.client().post("/ui/register", data=form).status_code == 200
    link = mail_after(served, seen, "eva@loggfritt.example")
    visit(served, link, {})
    tokens.append(token_of(link))
    addresses.append("eva@loggfritt.example")

    seen = len(served.mailbox.messages)  # an invitation
    coordinator, csrf = signed_in(served, "coordinator")
    invited = {"email": "lena@stockholm.se", "role": "city", "organisation": "Stockholm"}
    sent = coordinator.post("/ui/people/invitations", data={**invited, "csrf": csrf})
    assert sent.status_code == 200 and "lena@stockholm.se" in sent.text
    link = mail_after(served, seen, "lena@stockholm.se")
    visit(served, link, {"name": "Lena", "password": "a good long password", "terms": "true"})
    tokens.append(token_of(link))
    addresses.append("lena@stockholm.se")

    db = create_db_engine(served.database_url)  # an alert e-mail's unsubscribe link
    with Session(db) as session:
        user = session.scalar(select(User.id).where(User.email == "stockholm@example.org"))
        unsubscribe = alerts.preference(session=session, user_id=user).unsubscribe_token
        session.commit()
    db.dispose()
    with served.client() as browser:
        assert browser.get(f"/ui/unsubscribe/{unsubscribe}").status_code == 200
        assert browser.post(f"/ui/unsubscribe/{unsubscribe}").status_code == 200
    tokens.append(unsubscribe)

    time.sleep(0.5)  # the last access lines and mail jobs' lines
    text = served.log.getvalue()
    assert "mail " in text and " sent through 127.0.0.1" in text  # the mail job's own lines
    for prefix in SECRET_PATHS:
        for method in ("GET", "POST"):
            assert f'"{method} {prefix}{REDACTED} HTTP/1.1"' in text, (prefix, method)
    assert not [t for t in tokens if t in text], text
    assert not [a for a in addresses if a in text], text


def routes(candidates: list[Any]) -> Iterator[Any]:
    """Every route of the app, into the routers it includes."""
    for route in candidates:
        if getattr(route, "path", None):
            yield route
        inner = getattr(route, "original_router", None)
        if inner is not None:
            yield from routes(inner.routes)


def test_every_route_with_a_token_in_its_path_or_query_is_declared() -> None:
    """A new link route must join SECRET_PATHS (or SECRET_QUERY), or its tokens are logged."""
    app = create_app(Settings(database_url="sqlite://", embedder="tfidf"))
    every = list(routes(app.routes))
    with_tokens = {route.path for route in every if "{token" in route.path}
    assert with_tokens == {prefix + "{token}" for prefix in SECRET_PATHS}
    in_queries = {
        param.alias
        for route in every
        if hasattr(route, "dependant")
        for param in route.dependant.query_params
        if "token" in param.alias.lower() or "secret" in param.alias.lower()
    }
    assert in_queries <= set(SECRET_QUERY)


def test_redaction_keeps_what_is_not_secret() -> None:
    line = '127.0.0.1:5 - "GET /ui/registrations/5/approve?x=1 HTTP/1.1" 303'
    assert redact(line) == line
    assert redact("GET /ui/register HTTP/1.1") == "GET /ui/register HTTP/1.1"
    assert (
        redact("/ui/sign-in?next=%2Fui%2Freset%2Fabc")
        == f"/ui/sign-in?next=%2Fui%2Freset%2F{REDACTED}"
    )
    assert redact("/x?token=abc&y=2") == f"/x?token={REDACTED}&y=2"
    assert redact("to Lena.B@Stockholm.se, or lena%40stockholm.se") == "to [e-mail], or [e-mail]"
