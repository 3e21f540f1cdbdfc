"""In headless Chromium, through the pages alone: the city of Stockholm writes a challenge with
"New challenge", previews who could answer it, publishes it and sees its shortlist; Voltgräv AB
edits its profile with "Edit profile" and the change is in a coordinator's next shortlist."""

from __future__ import annotations

import httpx
from playwright.sync_api import Page, expect

from tests.api.pages.conftest import Live, screenshot, sign_in
from tests.api.pages.test_browser_accounts import UNLABELLED

DESCRIPTION = (
    "Stockholms hamn behöver laddinfrastruktur för tunga ellastbilar vid terminalerna. Vi söker "
    "företag som kan bygga och drifta snabbladdning för lastbilar, med styrning mot effekttoppar."
)
KITCHENS = (
    "Vi ersätter engångsplast i offentliga storkök med diskbara returlådor och kärl i rostfritt "
    "stål, och hämtar, diskar och levererar dem till skolor och äldreboenden varje dag."
)


def test_a_city_writes_previews_and_publishes_a_challenge(page: Page, live: Live) -> None:
    sign_in(page, "stockholm")
    page.get_by_role("link", name="New challenge").click()
    expect(page.get_by_role("heading", name="New challenge")).to_be_visible()
    assert page.evaluate(UNLABELLED) == []
    page.get_by_label("Title", exact=True).fill("Snabbladdning för tunga fordon i hamnen")
    page.keyboard.press("Tab")  # from the title to the description, by keyboard
    page.keyboard.type(DESCRIPTION)
    page.get_by_label("Theme", exact=True).fill("heavy-transport")
    page.get_by_label("Criteria for success").fill("Tjugo lastbilar laddas per dag 2027")
    page.get_by_label("Deadline for expressions of interest").fill("2027-03-01")
    page.get_by_label("Location", exact=True).fill("Frihamnen")
    page.get_by_label("Contact person").fill("Anna Berg, anna@stockholm.example")
    page.get_by_role("button", name="Preview").click()
    preview = page.get_by_test_id("preview")
    expect(preview).to_be_focused()  # the answer where the eye is, not below the fold
    expect(preview).to_be_in_viewport()
    assert page.url.endswith("/ui/challenges/new#preview")
    codes = page.get_by_role("textbox", name="CPV codes")
    chip = page.get_by_test_id("suggested-codes").locator("button.chip").first
    code = chip.get_attribute("data-cpv")
    codes.fill("")
    chip.click()  # a suggested code is added with a click
    expect(codes).to_have_value(code)
    expect(chip).to_have_attribute("aria-pressed", "true")
    expect(preview.get_by_test_id("preview-requirements")).to_contain_text("Vi söker företag")
    assert preview.get_by_test_id("preview-companies").locator("li").count() >= 1
    expect(page.get_by_label("Language of the text")).to_have_value("sv")
    expect(page.get_by_label("Contact person")).to_have_value("Anna Berg, anna@stockholm.example")
    page.get_by_role("button", name="Preview").scroll_into_view_if_needed()  # form end + preview
    screenshot(page, "new-challenge")
    page.get_by_role("button", name="Publish").click()
    expect(page.get_by_test_id("saved")).to_be_visible()
    expect(page.get_by_role("heading", level=1)).to_have_text(
        "Snabbladdning för tunga fordon i hamnen"
    )
    expect(page.get_by_test_id("challenge-details")).to_contain_text("Frihamnen")
    assert page.locator(".shortlist > li.match").count() >= 1


def test_a_company_edits_its_profile_and_the_next_shortlist_has_it(page: Page, live: Live) -> None:
    coordinator = {"Authorization": f"Bearer {live.tokens['coordinator']}"}
    with httpx.Client(base_url=live.url, headers=coordinator, timeout=60) as api:
        listed = api.get("/challenges", params={"city": "Stockholm", "limit": 100}).json()
        kitchens = next(c["id"] for c in listed["data"] if c["title"].startswith("Mindre plast"))
        before = api.get(f"/challenges/{kitchens}/shortlist", params={"k": 10}).json()
        assert live.ids["voltgrav"] not in [r["company_id"] for r in before["results"]]
        sign_in(page, "voltgrav")
        page.get_by_role("link", name="Edit profile").first.click()
        assert page.evaluate(UNLABELLED) == []
        page.get_by_label("Description").fill(KITCHENS)
        page.get_by_label("Project 1: what").fill("Returlådor i skolkök")
        page.get_by_label("Project 1: where").fill("Uppsala")
        page.get_by_label("Project 1: when").fill("2024")
        screenshot(page, "edit-profile")
        page.get_by_role("button", name="Save the profile").click()
        expect(page.get_by_test_id("saved")).to_be_visible()
        after = api.get(f"/challenges/{kitchens}/shortlist", params={"k": 3}).json()
    assert live.ids["voltgrav"] in [r["company_id"] for r in after["results"]]
    assert "Voltgräv AB" in [r["title"] for r in after["results"]]
