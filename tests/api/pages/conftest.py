"""A real server on a free port over a seeded SQLite file, and a real headless Chromium."""

from __future__ import annotations

import os
import shutil
import socket
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
import uvicorn
from playwright.sync_api import Browser, Page, sync_playwright

from api.app import create_app
from klimatmatch.core.settings import Settings
from matcher import Embedder
from tests import mailbox
from tests.api.conftest import credentials, make_world
from tests.mailbox import Mailbox
from tests.servers import running

smtp = mailbox.smtp  # the fixture: a real SMTP server in this process

LAPTOP = {"width": 1366, "height": 768}


def chromium_path() -> str:
    """Debian's Chromium, which `make test` installs (scripts/ensure-browser.sh)."""
    path = os.environ.get("KLIMATMATCH_CHROMIUM") or shutil.which("chromium")
    if not path:
        pytest.fail(
            "Chromium is not installed: run `make test` (it installs the Debian packages "
            "chromium and chromium-driver) or set KLIMATMATCH_CHROMIUM",
            pytrace=False,
        )
    return path


@dataclass
class Live:
    url: str
    tokens: dict[str, str]
    ids: dict[str, int]
    mailbox: Mailbox
    database_url: str = ""
    """The server's database, for a test that must store what no form accepts."""


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.fixture(scope="module")
def live(
    tmp_path_factory: pytest.TempPathFactory, minilm: Embedder, smtp: Mailbox
) -> Iterator[Live]:
    """The service as `make run` serves it (real model, SQLite file), in a thread, sending its
    e-mail to the test's SMTP server."""
    path: Path = tmp_path_factory.mktemp("ui") / "ui.db"
    port = free_port()
    settings = Settings(
        database_url=f"sqlite:///{path}",
        smtp_host="127.0.0.1",
        smtp_port=smtp.port,
        smtp_tls="none",
        public_url=f"http://127.0.0.1:{port}",
        alert_min_strength=0.0,  # an English-only model on Swedish text: strengths are low
    )
    tokens, ids = make_world(settings.database_url)
    config = uvicorn.Config(
        create_app(settings, minilm), host="127.0.0.1", port=port, log_level="warning"
    )
    with running(config):
        yield Live(f"http://127.0.0.1:{port}", tokens, ids, smtp, settings.database_url)


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=chromium_path(), headless=True)
        yield browser
        browser.close()


@pytest.fixture
def page(browser: Browser, live: Live) -> Iterator[Page]:
    """A fresh browser context (no cookies) with a laptop-sized window."""
    context = browser.new_context(
        viewport=LAPTOP, base_url=live.url, accept_downloads=True, locale="en-GB"
    )
    context.set_default_timeout(15_000)
    page = context.new_page()
    yield page
    context.close()


def sign_in(page: Page, who: str) -> None:
    """Through the sign-in form, with the e-mail and password `make_world` gave `who`."""
    account = credentials(who)
    page.goto("/ui/")
    page.get_by_label("E-mail").fill(account["email"])
    page.get_by_label("Password").fill(account["password"])
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url("**/ui/**")


def screenshot(page: Page, name: str) -> None:
    """Screenshots for the README when KLIMATMATCH_SCREENSHOTS names a folder."""
    folder = os.environ.get("KLIMATMATCH_SCREENSHOTS")
    if folder:
        Path(folder).mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(Path(folder) / f"{name}.png"), full_page=False)
