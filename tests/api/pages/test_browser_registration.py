"""In headless Chromium, through the pages alone: a company registers, confirms its e-mail from
the message the test SMTP server received, waits while nothing of it is matched, is approved by
a coordinator on "Registrations", edits its profile with "Edit profile", and the change is in
the next shortlist."""

from __future__ import annotations

import httpx
from playwright.sync_api import Browser, Page, expect

from tests.api.pages.conftest import LAPTOP, Live, screenshot, sign_in
from tests.api.pages.test_browser_accounts import UNLABELLED

EMAIL = "eva@restvarme.example"
COMPANY = "Lindqvist & Berg AB"
TEXTILES = (
    "Vi samlar in begagnade textilier från kommunernas återvinningscentraler, sorterar dem och "
    "säljer dem vidare till second hand-butiker."
)
WASTE_HEAT = (
    "Vi tar tillvara restvärme från serverhallar, livsmedelsbutiker och industrier och levererar "
    "den in i fjärrvärmenätet med stora värmepumpar, och vi sköter driften och avtalen."
)


def top(api: httpx.Client, challenge: int, k: int) -> list[str]:
    body = api.get(f"/challenges/{challenge}/shortlist", params={"k": k}).json()
    return [r["title"] for r in body["results"]]


def test_a_company_registers_is_approved_edits_and_is_shortlisted(
    page: Page, browser: Browser, live: Live
) -> None:
    coordinator_api = {"Authorization": f"Bearer {live.tokens['coordinator']}"}
    api = httpx.Client(base_url=live.url, headers=coordinator_api, timeout=60)
    listed = api.get("/challenges", params={"city": "Stockholm", "limit": 100}).json()
    heat = next(c["id"] for c in listed["data"] if c["title"].startswith("Restvärme"))

    page.goto("/ui/sign-in")
    page.get_by_role("link", name="Register your company").click()
    expect(page.get_by_role("heading", name="Register your company")).to_be_visible()
    assert page.evaluate(UNLABELLED) == []
    page.get_by_label("Your name").fill("Eva Lind")
    page.get_by_label("E-mail").fill(EMAIL)
    page.get_by_label("Password", exact=True).fill("restvärme är guld värd")
    page.get_by_label("Company name").fill(COMPANY)
    page.get_by_label("Description").fill(TEXTILES)
    page.get_by_label("Country").fill("SE")
    page.get_by_label("Staff (people)").fill("12")
    screenshot(page, "register")
    page.get_by_label("I accept the terms of use").check()
    page.get_by_role("button", name="Register").click()
    expect(page.get_by_test_id("check-mail")).to_contain_text(EMAIL)

    page.goto(live.mailbox.link_to(EMAIL))
    page.get_by_role("button", name="Confirm and sign in").click()
    expect(page.get_by_test_id("awaiting-approval")).to_contain_text(COMPANY)
    assert COMPANY not in top(api, heat, 200)

    staff = browser.new_context(viewport=LAPTOP, base_url=live.url, locale="en-GB")
    coordinator = staff.new_page()
    sign_in(coordinator, "coordinator")
    coordinator.get_by_role("link", name="Registrations").click()
    expect(coordinator.get_by_role("heading", name=COMPANY)).to_be_visible()
    assert coordinator.evaluate(UNLABELLED) == []
    screenshot(coordinator, "registrations")
    coordinator.get_by_role("button", name=f"Approve {COMPANY}").click()
    expect(coordinator.get_by_test_id("done")).to_be_visible()
    expect(coordinator.get_by_test_id("none-waiting")).to_be_visible()
    staff.close()
    assert "approved" in live.mailbox.last_to(EMAIL)["Subject"]
    before = top(api, heat, 10)
    assert COMPANY in top(api, heat, 200) and COMPANY not in before

    page.goto("/ui/opportunities")
    expect(page.get_by_test_id("awaiting-approval")).to_have_count(0)
    page.get_by_role("link", name="Edit profile").first.click()
    page.get_by_label("Description").fill(WASTE_HEAT)
    page.get_by_role("button", name="Save the profile").click()
    expect(page.get_by_test_id("saved")).to_be_visible()
    after = top(api, heat, 5)
    api.close()
    assert COMPANY in after
