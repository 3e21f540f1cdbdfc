"""axe-core in headless Chromium on every page, for each role, in English and Swedish, on a laptop
(1366x768) and a phone (390x844): no violation of WCAG 2.1 A or AA whose impact is serious or
critical. The pages are the GET routes the page routers declare, so a new page fails
`test_every_page_is_visited` until it is listed here with the roles that open it.

What axe still finds at impact moderate or minor must be listed in the accessibility statement
(`AXE_FINDINGS` in api/pages/accessibility.py, shown at /ui/accessibility); an unlisted rule fails
too. Every page also links the statement from its footer. axe-core comes with
axe-playwright-python. KLIMATMATCH_AXE_REPORT=<file> writes every finding there."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest
from axe_playwright_python.sync_playwright import Axe
from fastapi.routing import APIRoute
from playwright.sync_api import Browser, Page

from api.pages import PAGE_ROUTERS
from api.pages.accessibility import AXE_FINDINGS
from tests.api.pages.axe_world import (
    CITY,
    COMPANY,
    COORDINATOR,
    VISITOR,
    Stored,
    link_tokens,
    stored_run,
)
from tests.api.pages.conftest import LAPTOP, Live, sign_in
from tests.api.pages.story import speak
from tests.api.pages.test_browser_phone import PHONE

WCAG_21_AA = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]
BLOCKING = ("serious", "critical")
AXE = Axe()
ROLES = (VISITOR, CITY, COMPANY, COORDINATOR)  # a region role does not exist yet
SIGNED_IN = (CITY, COMPANY, COORDINATOR)
NOT_PAGES = {  # GET routes under /ui that draw no page of their own
    "/ui/": "sends each role on to its first page",
    "/ui/language/{code}": "sets the language and sends the visitor back",
    "/ui/challenges/{challenge_id}/export": "a file",
    "/ui/funnel/export": "a file",
}
PAGES: dict[str, tuple[str, ...]] = {  # each page's route and the roles that open it
    "/ui/sign-in": (VISITOR,),
    "/ui/register": (VISITOR,),
    "/ui/register/{token}": (VISITOR,),
    "/ui/forgot-password": (VISITOR,),
    "/ui/reset/{token}": (VISITOR,),
    "/ui/invitations/{token}": (VISITOR,),
    "/ui/unsubscribe/{token}": (VISITOR,),
    "/ui/accessibility": ROLES,
    "/ui/privacy": ROLES,
    "/ui/challenges": (CITY, COORDINATOR),
    "/ui/challenges/new": (CITY,),
    "/ui/challenges/import": (CITY, COORDINATOR),
    "/ui/challenges/{challenge_id}": SIGNED_IN,
    "/ui/challenges/{challenge_id}/edit": (CITY,),
    "/ui/challenges/{challenge_id}/interest": (COMPANY,),
    "/ui/challenges/{challenge_id}/compare": (COORDINATOR,),
    "/ui/challenges/{challenge_id}/teams": (COORDINATOR,),
    "/ui/runs/{run_id}/compare": (COORDINATOR,),
    "/ui/opportunities": (COMPANY,),
    "/ui/companies/{company_id}/edit": (COMPANY,),
    "/ui/funnel": (CITY, COORDINATOR),
    "/ui/people": (COORDINATOR,),
    "/ui/registrations": (COORDINATOR,),
    "/ui/inbox": SIGNED_IN,
    "/ui/account": SIGNED_IN,
}
ERROR_PAGES = {  # pages nobody asks for, drawn all the same
    "/ui/people": (COMPANY, 403),
    "/ui/challenges/999999": (CITY, 404),
}


def page_routes() -> set[str]:
    return {
        route.path
        for router in PAGE_ROUTERS
        for route in router.routes
        if isinstance(route, APIRoute) and "GET" in route.methods
    }


def test_every_page_is_visited() -> None:
    """A new page route is either visited below (with the roles that open it) or said to be
    no page; nothing listed here is a route that has gone."""
    routes = page_routes()
    assert routes - PAGES.keys() - NOT_PAGES.keys() == set(), "list the new page in PAGES"
    assert (PAGES.keys() | NOT_PAGES.keys()) - routes == set()


@pytest.fixture(scope="module")
def stored(live: Live, browser: Browser) -> Stored:
    return stored_run(live, browser)


@pytest.fixture(scope="module")
def addresses(live: Live, stored: Stored) -> dict[str, list[tuple[str, int]]]:
    """role -> the addresses (and the status each answers with) that role opens: every page
    with ids from the sample data, and an error page or two."""
    tokens = link_tokens(live)
    visits: dict[str, list[tuple[str, int]]] = {role: [] for role in ROLES}
    for route, roles in PAGES.items():
        path = route.format(
            challenge_id=live.ids["sth_published"],
            company_id=live.ids[COMPANY],
            token=tokens.get(route, ""),
            run_id=stored.run_id,
        )
        if route.endswith("/compare"):
            path += f"?{stored.pair}"
        for role in roles:
            visits[role].append((path, 200))
    for path, (role, status) in ERROR_PAGES.items():
        visits[role].append((path, status))
    return visits


def violations(page: Page) -> list[dict]:
    """axe-core's WCAG 2.1 A and AA violations on the page as it is drawn now."""
    options = {"runOnly": {"type": "tag", "values": WCAG_21_AA}, "resultTypes": ["violations"]}
    return AXE.run(page, options=options).response["violations"]


UNFRAMED = """() => [...document.querySelectorAll('table')]
  .filter(t => !t.parentElement.matches('.table-scroll[role=region][tabindex="0"]'))
  .map(t => t.outerHTML.slice(0, 80))"""
"""Tables outside a named, focusable scrolling region: on a phone a keyboard cannot scroll them."""


def frame_faults(page: Page) -> list[str]:
    """What every page must have beyond axe's rules: the statement's link in its footer, and
    each table in a region a keyboard can scroll (axe sees only the ones too wide right now)."""
    faults = []
    if page.locator('footer a[href="/ui/accessibility"]').count() != 1:
        faults.append("no link to the accessibility statement in the footer")
    faults += [
        f"a table outside a focusable .table-scroll: {html}" for html in page.evaluate(UNFRAMED)
    ]
    return faults


def described(path: str, role: str, violation: dict) -> str:
    where = "; ".join(
        f"{' '.join(node['target'])} {node['html'][:120]}" for node in violation["nodes"][:4]
    )
    return (
        f"{path} ({role}): {violation['id']} [{violation['impact']}] {violation['help']}: {where}"
    )


@pytest.fixture(scope="module")
def findings() -> Iterator[list[str]]:
    """Every finding of the module, written to KLIMATMATCH_AXE_REPORT (a file) when it is set:
    what the accessibility statement lists, at the next assessment."""
    found: list[str] = []
    yield found
    report = os.environ.get("KLIMATMATCH_AXE_REPORT")
    if report:
        Path(report).write_text("\n".join(sorted(set(found))) + "\n", encoding="utf-8")


def open_as(browser: Browser, live: Live, role: str, size: dict, language: str) -> Page:
    context = browser.new_context(viewport=size, base_url=live.url, locale="en-GB")
    context.set_default_timeout(30_000)
    page = context.new_page()
    if role == VISITOR:
        page.goto(f"/ui/language/{language}?next=/ui/sign-in")
    else:
        sign_in(page, role)
        speak(page, language)
    return page


SIZES = {"laptop": LAPTOP, "phone": PHONE}
COMBINATIONS = [(size, language) for size in SIZES for language in ("en", "sv")]
MATRIX = [  # each size and language once, under 2 minutes; all four for an assessment
    pytest.param(size, language, id=f"{size}-{language}")
    for size, language in COMBINATIONS
    if os.environ.get("KLIMATMATCH_AXE_MATRIX") == "full"
    or (size, language) in {("laptop", "en"), ("phone", "sv")}
]


@pytest.mark.parametrize(("size", "language"), MATRIX)
def test_no_serious_violation_on_any_page(
    browser: Browser,
    live: Live,
    addresses: dict[str, list[tuple[str, int]]],
    findings: list[str],
    size: str,
    language: str,
) -> None:
    blocking: list[str] = []
    for role in ROLES:
        page = open_as(browser, live, role, SIZES[size], language)
        for path, status in addresses[role]:
            response = page.goto(path)
            assert response is not None and response.status == status, (path, role)
            assert page.locator("html").get_attribute("lang") == language, (path, role)
            blocking += [f"{path} ({role}): {fault}" for fault in frame_faults(page)]
            for violation in violations(page):
                line = described(path, role, violation)
                if violation["impact"] in BLOCKING or violation["id"] not in AXE_FINDINGS:
                    blocking.append(line)  # unlisted: the statement must name what remains
                findings.append(line)
        page.context.close()
    assert blocking == [], "\n".join(blocking)


SPOIL = """() => {
  document.querySelector('label[for=email]').remove();
  document.querySelector('h1').style.color = '#ccc';  // CSSOM: the CSP allows it
  document.querySelector('main').insertAdjacentHTML('beforeend', '<table><td>1</table>');
  document.querySelector('footer').remove();
}"""


def test_the_check_finds_each_fault(browser: Browser, live: Live) -> None:
    """The same checks on a page spoilt on purpose: a field without its label, grey on white, a
    bare table, no footer."""
    page = open_as(browser, live, VISITOR, LAPTOP, "en")
    assert violations(page) == [] and frame_faults(page) == []
    page.evaluate(SPOIL)
    found = {violation["id"]: violation["impact"] for violation in violations(page)}
    assert found == {"label": "critical", "color-contrast": "serious"}
    assert len(frame_faults(page)) == 2
    page.context.close()
