"""In headless Chromium on a phone (390x844): every main page fits the screen's width, so nobody
scrolls sideways; wide tables scroll inside their own box, the menu wraps, forms fit. Shared
terms are drawn as chips that never break inside a word, on a phone and in Compare on a laptop."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

import httpx
import pytest
from playwright.sync_api import Browser, Page, expect

from tests.api.pages.conftest import LAPTOP, Live, screenshot, sign_in

PHONE = {"width": 390, "height": 844}
TOO_WIDE = """() => {
  const width = document.documentElement.clientWidth;
  const right = e => Math.round(e.getBoundingClientRect().right);
  const wide = e => e && e !== document.body && right(e) > width;
  return [...document.querySelectorAll('body *')].filter(e => wide(e) && !wide(e.parentElement))
    .slice(0, 8).map(e => `${e.tagName.toLowerCase()}.${e.className} ${right(e)}px`);
}"""
"""The outermost elements wider than the screen: where a page that scrolls sideways goes wrong."""
BROKEN_CHIPS = """els => els.filter(e => {
  const size = parseFloat(getComputedStyle(e).fontSize);
  return e.getClientRects().length > 1 || e.getBoundingClientRect().height > 2 * size;
}).map(e => e.textContent)"""


@pytest.fixture(scope="module")
def engaged(live: Live) -> int:
    """Stockholm's first challenge at shortlisting, with interest and invitations, so the
    challenge page has its tables filled."""
    challenge, volt, site = live.ids["sth_published"], live.ids["voltgrav"], live.ids["sitecharge"]
    with httpx.Client(base_url=live.url, timeout=60) as api:

        def call(who: str, path: str, body: dict, method: str = "POST") -> None:
            headers = {"Authorization": f"Bearer {live.tokens[who]}"}
            api.request(method, path, json=body, headers=headers).raise_for_status()

        pitch = {"pitch": "Eldrivna grävmaskiner och mobil laddning på tre veckor."}
        call("voltgrav", f"/challenges/{challenge}/interest/{volt}", pitch, "PUT")
        call("stockholm", f"/challenges/{challenge}/stage", {"stage": "shortlisting"})
        call("coordinator", f"/challenges/{challenge}/invitations", {"company_ids": [volt, site]})
    return challenge


@contextmanager
def on_a_phone(browser: Browser, live: Live, who: str) -> Iterator[Page]:
    context = browser.new_context(viewport=PHONE, base_url=live.url, locale="en-GB")
    context.set_default_timeout(30_000)
    try:
        page = context.new_page()
        if who != "anonymous":
            sign_in(page, who)
        yield page
    finally:
        context.close()


def fits(page: Page, path: str) -> None:
    response = page.goto(path)
    assert response is not None and response.ok, path
    page.wait_for_load_state("load")
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= PHONE["width"], f"{path} is {width}px wide: {page.evaluate(TOO_WIDE)}"


def test_every_page_fits_a_phone(browser: Browser, live: Live, engaged: int) -> None:
    with on_a_phone(browser, live, "coordinator") as page:
        expect(page.get_by_role("link", name="Challenges", exact=True)).to_be_visible()
        for path in ("/ui/challenges", f"/ui/challenges/{engaged}", "/ui/funnel", "/ui/people"):
            fits(page, path)
        fits(page, "/ui/inbox")
        fits(page, "/ui/account")
        fits(page, "/ui/registrations")
        fits(page, f"/ui/challenges/{engaged}/teams")
        fits(page, f"/ui/challenges/{engaged}")
        screenshot(page, "phone-challenge")
        pair = page.locator(".shortlist > li.match").evaluate_all(
            "els => els.slice(0, 2).map(e => e.dataset.companyId)"
        )
        fits(page, f"/ui/challenges/{engaged}/compare?company={pair[0]}&company={pair[1]}")
    with on_a_phone(browser, live, "stockholm") as page:
        for path in ("/ui/challenges", f"/ui/challenges/{engaged}", "/ui/challenges/new"):
            fits(page, path)
    with on_a_phone(browser, live, "voltgrav") as page:
        for path in ("/ui/opportunities", "/ui/inbox", "/ui/account", f"/ui/challenges/{engaged}"):
            fits(page, path)
        screenshot(page, "phone-company-challenge")
        fits(page, f"/ui/companies/{live.ids['voltgrav']}/edit")
    with on_a_phone(browser, live, "anonymous") as page:
        for path in ("/ui/sign-in", "/ui/register", "/ui/forgot-password"):
            fits(page, path)


def test_shared_terms_never_break_inside_a_word(browser: Browser, live: Live) -> None:
    challenge = live.ids["sth_published"]
    with on_a_phone(browser, live, "coordinator") as page:
        page.goto(f"/ui/challenges/{challenge}")
        chips = page.locator(".shortlist mark.chip")
        expect(chips.first).to_be_visible()
        assert chips.evaluate_all(BROKEN_CHIPS) == []
        page.set_viewport_size(LAPTOP)
        page.locator(".shortlist > li.match").nth(0).get_by_label("Compare").check()
        page.locator(".shortlist > li.match").nth(1).get_by_label("Compare").check()
        page.get_by_role("button", name="Compare the two selected").click()
        expect(page.get_by_role("heading", level=1)).to_have_text("Side by side")
        chips = page.locator(".side-by-side mark.chip")
        expect(chips.first).to_be_visible()
        assert chips.evaluate_all(BROKEN_CHIPS) == []
