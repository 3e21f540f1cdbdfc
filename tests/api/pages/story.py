"""Helpers for the whole story in Chromium (test_browser_story): a browser of its own per
person at a given window size that remembers every page that scrolled sideways, the language
switch in the header, and e-mails found by what they say rather than by being the last one.

The story's people read Swedish, so its checks find things by data-testid, ids and values, and
compare what one page says with what another page or e-mail says, never with English words."""

from __future__ import annotations

import time
from email.message import EmailMessage

from playwright.sync_api import Browser, Locator, Page, expect

from tests.api.pages.conftest import Live, sign_in
from tests.api.pages.test_browser_phone import TOO_WIDE
from tests.mailbox import Mailbox

SIDEWAYS = f"""addEventListener("load", () => {{
  const page = document.documentElement;
  if (!location.protocol.startsWith("http") || page.scrollWidth <= innerWidth) return;
  const seen = JSON.parse(localStorage.getItem("too-wide") || "[]");
  seen.push(`${{location.pathname}} is ${{page.scrollWidth}}px wide in ${{innerWidth}}px: ` +
    ({TOO_WIDE})().join(", "));
  localStorage.setItem("too-wide", JSON.stringify(seen));
}});"""
"""Run on every page a person loads (an init script, which the pages' CSP does not govern): a
page wider than the window is written down, with its widest elements, for `no_sideways`."""


def person(browser: Browser, live: Live, who: str, viewport: dict[str, int]) -> Page:
    """A signed-in browser of its own for `who` (several people act in the story)."""
    context = browser.new_context(viewport=viewport, base_url=live.url, locale="en-GB")
    context.set_default_timeout(30_000)
    context.add_init_script(SIDEWAYS)
    page = context.new_page()
    sign_in(page, who)
    return page


def no_sideways(*pages: Page) -> None:
    """No page these people loaded, nor the one each has open now, scrolls horizontally."""
    for page in pages:
        seen = page.evaluate("JSON.parse(localStorage.getItem('too-wide') || '[]')")
        width = page.evaluate("document.documentElement.scrollWidth")
        inner = page.evaluate("window.innerWidth")
        assert width <= inner, f"{page.url} is {width}px wide in {inner}px"
        assert seen == [], seen


def speak(page: Page, code: str) -> None:
    """The language buttons in the header (POST /ui/language: the account's setting)."""
    if page.locator("html").get_attribute("lang") != code:
        page.locator(f'form[action="/ui/language"] button[lang="{code}"]').click()
    expect(page.locator("html")).to_have_attribute("lang", code)


def appears(page: Page, item: Locator, tries: int = 60) -> None:
    """Reload until `item` is on the page: a background job (the alert job) puts it there."""
    for _ in range(tries):
        if item.count():
            return
        page.wait_for_timeout(500)
        page.reload()
    expect(item).to_have_count(1)


def mail_with(mailbox: Mailbox, address: str, *texts: str, timeout: float = 30) -> EmailMessage:
    """The newest e-mail to `address` whose text holds each of `texts` (an item may come alone or
    in a digest with others, so "the last e-mail" is not the one to read)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        for message in reversed(mailbox.messages):
            if message["To"] == address and all(t in message.get_content() for t in texts):
                return message
        time.sleep(0.1)
    sent = [m.get_content() for m in mailbox.messages if m["To"] == address]
    raise AssertionError(f"no e-mail to {address} with {texts}; it got: {sent}")
