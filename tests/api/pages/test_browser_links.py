"""In headless Chromium: a website stored before http(s) was required (written straight into the
database, as an old row or a restored one would be) is drawn as text, not as a link that runs
script. Clicking it opens no dialog and sends no request, on "Registrations" (where anyone's
registration lands) and on the compare page."""

from __future__ import annotations

from playwright.sync_api import Dialog, Locator, Page, Request, expect
from sqlalchemy import update

from klimatmatch.accounts.service import create_user
from models import CompanyProfile, Role, create_db_engine, session_factory
from tests.api.pages.conftest import Live, sign_in

STEAL = "fetch('/ui/people?stolen=' + document.cookie)"
SCRIPT_LINKS = """() => [...document.querySelectorAll('a[href]')]
    .filter(a => ['javascript:', 'data:', 'vbscript:'].includes(a.protocol)).map(a => a.href)"""


def store_unchecked(live: Live, website: str, *, company_id: int | None = None) -> None:
    """Writes `website` past every schema: on a new pending registration, or on a profile."""
    engine = create_db_engine(live.database_url)
    with session_factory(engine)() as session:
        if company_id is not None:
            session.execute(
                update(CompanyProfile)
                .where(CompanyProfile.id == company_id)
                .values(website=website)
            )
        else:
            user, _ = create_user(
                session=session,
                name="Mallory",
                role=Role.COMPANY,
                organisation="Mallory AB",
                country="SE",
                email="mallory@evil.example",
                password="mallory has a long password",
                api_key=False,
            )
            user.organisation.approved = False
            session.add(
                CompanyProfile(
                    organisation_id=user.organisation_id,
                    name="Mallory AB",
                    description="Laddinfrastruktur för tunga fordon och arbetsmaskiner.",
                    country="SE",
                    website=website,
                )
            )
        session.commit()
    engine.dispose()


def click_does_nothing(page: Page, text: Locator) -> None:
    """The text is shown, a click on it neither opens a dialog nor sends a request, and the page
    has no script link (the Content-Security-Policy may stop a click on one too; this test does
    not count on it)."""
    expect(text).to_be_visible()
    dialogs: list[str] = []
    requests: list[str] = []

    def dismiss(dialog: Dialog) -> None:
        dialogs.append(dialog.message)
        dialog.dismiss()

    def record(request: Request) -> None:
        requests.append(request.url)

    page.on("dialog", dismiss)
    page.on("request", record)
    text.click()
    page.wait_for_timeout(1_000)  # what a click on a script link starts, it starts at once
    page.remove_listener("request", record)
    assert dialogs == [] and requests == []
    assert page.evaluate(SCRIPT_LINKS) == []


def test_a_stored_javascript_website_is_no_link_on_registrations(page: Page, live: Live) -> None:
    store_unchecked(live, f"javascript:alert(document.domain);{STEAL}")
    sign_in(page, "coordinator")
    page.goto("/ui/registrations")
    section = page.locator("section").filter(
        has=page.get_by_role("heading", name="Mallory AB", exact=True)
    )
    click_does_nothing(page, section.get_by_text("javascript:alert(document.domain)"))


def test_a_stored_javascript_website_is_no_link_on_compare(page: Page, live: Live) -> None:
    sign_in(page, "coordinator")
    page.goto(f"/ui/challenges/{live.ids['sth_published']}")
    compare = page.locator("#compare-form").get_attribute("action")
    first, second = page.locator(".shortlist > li").evaluate_all(
        "els => els.slice(0, 2).map(e => Number(e.dataset.companyId))"
    )
    store_unchecked(live, f"  JaVaScRiPt:alert(1);{STEAL}", company_id=first)
    store_unchecked(live, "https://sitecharge.example/", company_id=second)
    page.goto(f"{compare}?company={first}&company={second}")
    good = page.locator(f'section[data-company-id="{second}"]').get_by_role("link")
    expect(good).to_have_attribute("href", "https://sitecharge.example/")
    hostile = page.locator(f'section[data-company-id="{first}"]').get_by_text("alert(1)")
    click_does_nothing(page, hostile)
