"""In headless Chromium, through the pages alone: a coordinator invites a person of the city of
Stockholm, who opens the link from the e-mail the test's SMTP server received, chooses a
password, signs in, sees the city's challenges and signs out; the old cookie is then useless."""

from __future__ import annotations

import re
from urllib.parse import urlsplit

from playwright.sync_api import Browser, Page, expect

from tests.api.pages.conftest import LAPTOP, Live, screenshot, sign_in

EMAIL = "karin.lind@stockholm.se"
PASSWORD = "three words for Karin"
UNLABELLED = """() => [...document.querySelectorAll('input, select, textarea, button')]
    .filter(e => e.type !== 'hidden' && e.labels !== undefined && e.tagName !== 'BUTTON'
            && e.labels.length === 0 && !e.getAttribute('aria-label'))
    .map(e => e.name || e.id)"""


def test_an_invited_city_user_sets_a_password_signs_in_and_out(
    page: Page, browser: Browser, live: Live
) -> None:
    sign_in(page, "coordinator")
    page.get_by_role("link", name="People").click()
    expect(page.get_by_role("heading", name="Invite a person")).to_be_visible()
    page.get_by_label("E-mail", exact=True).fill(EMAIL)
    page.get_by_label("Name", exact=True).fill("Karin Lind")
    page.get_by_label("Role").select_option("city")
    page.get_by_label("Organisation").fill("Stockholm")
    assert page.evaluate(UNLABELLED) == []
    screenshot(page, "invite")
    page.get_by_role("button", name="Send the invitation").click()
    expect(page.get_by_test_id("invited")).to_have_text(f"Invitation sent to {EMAIL}.")
    expect(page.get_by_test_id("pending")).to_contain_text(EMAIL)

    link = live.mailbox.link_to(EMAIL)
    assert link.startswith(live.url + "/ui/invitations/")
    context = browser.new_context(viewport=LAPTOP, base_url=live.url, locale="en-GB")
    karin = context.new_page()
    karin.goto(urlsplit(link).path)
    expect(karin.get_by_test_id("invitation-for")).to_contain_text(EMAIL)
    expect(karin.get_by_label("Your name")).to_have_value("Karin Lind")
    karin.get_by_label("New password").fill(PASSWORD)
    karin.get_by_label("I accept the terms of use").check()
    karin.get_by_role("button", name="Save the password and sign in").click()
    expect(karin.get_by_role("heading", name="Our challenges")).to_be_visible()
    karin.get_by_role("button", name="Sign out", exact=True).click()
    expect(karin.get_by_role("heading", name="Sign in")).to_be_visible()

    karin.get_by_label("E-mail").fill(EMAIL)
    karin.get_by_label("Password").fill(PASSWORD)
    assert karin.evaluate(UNLABELLED) == []
    screenshot(karin, "sign-in")
    karin.get_by_role("button", name="Sign in").click()
    expect(karin.get_by_role("heading", name="Our challenges")).to_be_visible()
    expect(karin.get_by_role("link", name="Fossilfria byggarbetsplatser")).to_be_visible()
    expect(karin.get_by_test_id("user-name")).to_have_text("Karin Lind")
    karin.get_by_role("link", name="Account").click()
    expect(karin.get_by_test_id("sessions").locator("tbody tr")).to_have_count(1)
    screenshot(karin, "account")
    cookies = context.cookies()
    karin.get_by_role("button", name="Sign out", exact=True).click()
    expect(karin.get_by_role("heading", name="Sign in")).to_be_visible()
    context.close()

    replay = browser.new_context(viewport=LAPTOP, base_url=live.url, locale="en-GB")
    replay.add_cookies(cookies)  # the cookie from before signing out
    again = replay.new_page()
    again.goto("/ui/challenges")
    expect(again.get_by_role("heading", name="Sign in")).to_be_visible()
    assert urlsplit(again.url).path == "/ui/sign-in"
    replay.close()

    page.goto(urlsplit(link).path)  # the link was used: refused, and said so
    expect(page.get_by_role("alert")).to_contain_text("used already")


def test_the_account_pages_in_swedish_with_the_keyboard(page: Page, live: Live) -> None:
    page.goto("/ui/language/sv?next=/ui/sign-in")
    expect(page.get_by_role("heading", name="Logga in")).to_be_visible()
    expect(page.get_by_label("E-post")).to_be_focused()
    page.keyboard.type("voltgrav@example.org")
    page.keyboard.press("Tab")
    page.keyboard.type("voltgrav has a long password")
    page.keyboard.press("Enter")
    expect(page.get_by_role("heading", name="Utmaningar som passar oss")).to_be_visible()
    page.get_by_role("link", name="Konto").click()
    expect(page.get_by_role("heading", name="API-nycklar")).to_be_visible()
    page.get_by_label("Nyckelns namn").fill("export")
    page.get_by_label("Nyckelns namn").press("Enter")
    expect(page.get_by_test_id("new-key")).to_have_value(re.compile(r"^km_"))
