"""End to end in headless Chromium: what a coordinator, a city and a company see and do."""

from __future__ import annotations

import io

import httpx
import pandas as pd
from playwright.sync_api import Locator, Page, expect

from tests.api.conftest import credentials
from tests.api.pages.conftest import LAPTOP, Live, screenshot, sign_in

STH_01 = "Fossilfria byggarbetsplatser"


def oldest_first(page: Page) -> None:
    """The queue is newest first; its "Added" column head turns it round (the sample's first
    challenges, on page 1 again)."""
    added = page.get_by_role("columnheader", name="Added")
    expect(added).to_have_attribute("aria-sort", "descending")
    added.get_by_role("link").click()
    expect(page.get_by_role("columnheader", name="Added")).to_have_attribute(
        "aria-sort", "ascending"
    )


def open_challenge(page: Page, live: Live, title: str = STH_01) -> None:
    sign_in(page, "coordinator")
    oldest_first(page)
    page.get_by_role("link", name=title).click()
    expect(page.get_by_role("heading", level=1)).to_have_text(title)


def card(page: Page, rank: int) -> Locator:
    return page.locator(".shortlist > li.match").nth(rank - 1)


def unreviewed(page: Page, title: str) -> str:
    row = page.locator("tr", has=page.get_by_role("link", name=title, exact=True))
    return row.get_by_test_id("unreviewed").inner_text().strip()


def test_sign_in_refuses_a_wrong_password(page: Page, live: Live) -> None:
    page.goto("/ui/challenges")
    expect(page).to_have_url(f"{live.url}/ui/sign-in?next=/ui/challenges")
    page.get_by_label("E-mail").fill("malmo@example.org")
    page.get_by_label("Password").fill("not the password")
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("alert")).to_have_text("The e-mail or the password is wrong.")
    expect(page.get_by_label("Password")).to_have_attribute("aria-invalid", "true")
    expect(page.get_by_label("E-mail")).to_have_value("malmo@example.org")


def test_coordinator_reviews_a_shortlist_in_place_and_exports_it(page: Page, live: Live) -> None:
    sign_in(page, "coordinator")
    expect(page.get_by_role("heading", name="Challenges to review")).to_be_visible()
    oldest_first(page)
    assert unreviewed(page, STH_01) == "10 of 10 unreviewed"
    screenshot(page, "challenges")
    page.get_by_role("link", name=STH_01).click()

    first, second, third = card(page, 1), card(page, 2), card(page, 3)
    expect(first.get_by_role("heading")).to_have_text("Voltgräv AB")
    levels = [card(page, i).get_by_test_id("strength").get_attribute("data-level") for i in (1, 2)]
    assert set(levels) <= {"strong", "possible", "weak"}
    expect(first.get_by_test_id("why").locator("li").first).to_be_visible()  # reasons in words
    first.get_by_text("Score details").click()  # the channels' numbers, for coordinators
    expect(first.locator(".components dt")).to_have_text(["dense", "lexical", "cpv"])
    expect(first.get_by_test_id("requirements").locator("li").first).to_be_visible()
    expect(first.locator(".terms mark.term").first).to_be_visible()
    first.get_by_text("Both texts, matches highlighted").click()
    expect(first.get_by_test_id("challenge-text").locator("mark.term").first).to_be_visible()
    expect(first.get_by_test_id("profile-text").locator("mark.term").first).to_be_visible()
    expect(first.get_by_test_id("challenge-text").locator("mark.sentence")).to_have_count(1)
    expect(first.get_by_test_id("profile-text").locator("mark.sentence")).to_have_count(1)
    screenshot(page, "challenge")

    page.evaluate("window.__notReloaded = true")
    first.get_by_label("Reason").fill("Electric machinery, already in use in Stockholm")
    first.get_by_role("button", name="Accept").click()
    expect(first.get_by_test_id("decision")).to_have_text("Accepted")
    second.get_by_label("Reason").fill("Too small for this tender")
    second.get_by_role("button", name="Reject").click()
    expect(second.get_by_test_id("decision")).to_have_text("Rejected")
    third.get_by_role("button", name="Maybe").click()
    expect(third.get_by_test_id("decision")).to_have_text("Maybe")
    assert page.evaluate("window.__notReloaded") is True  # no page load: decided in place
    page.evaluate("document.getElementById('h-shortlist').scrollIntoView()")
    screenshot(page, "review")
    expect(page.get_by_test_id("unreviewed-count")).to_have_text("7 of 10 unreviewed")
    history = page.locator("#history tr")
    expect(history).to_have_count(3)
    expect(history.last).to_contain_text("coordinator")
    expect(history.last).to_contain_text("Voltgräv AB")
    expect(history.last).to_contain_text("Electric machinery, already in use in Stockholm")
    second_name = second.get_by_role("heading").inner_text()

    page.reload()  # decisions are stored, not only drawn
    expect(card(page, 1).get_by_test_id("decision")).to_have_text("Accepted")
    expect(page.locator("#history tr")).to_have_count(3)

    with page.expect_download() as download:
        page.get_by_role("link", name="Download CSV").click()
    csv = pd.read_csv(download.value.path())
    decided = dict(zip(csv["company"], csv["decision"].fillna(""), strict=True))
    assert decided["Voltgräv AB"] == "accepted" and decided[second_name] == "rejected"
    assert list(csv["decision"].fillna("")).count("") == 7
    assert csv.loc[csv["company"] == second_name, "reason"].item() == "Too small for this tender"
    with page.expect_download() as download:
        page.get_by_role("link", name="Download Excel (XLSX)").click()
    xlsx = pd.read_excel(io.BytesIO(download.value.path().read_bytes()))
    assert xlsx["decision"].fillna("").tolist() == csv["decision"].fillna("").tolist()

    api = httpx.get(
        f"{live.url}/challenges/{live.ids['sth_published']}/reviews",
        headers={"Authorization": f"Bearer {live.tokens['coordinator']}"},
    )
    assert [r["decision"] for r in api.json()][-3:] == ["accepted", "rejected", "maybe"]

    page.get_by_role("link", name="All challenges").click()
    oldest_first(page)
    assert unreviewed(page, STH_01) == "7 of 10 unreviewed"


def test_filters_narrow_the_challenge_list(page: Page, live: Live) -> None:
    sign_in(page, "coordinator")
    page.get_by_label("City").select_option("Malmö")
    page.get_by_label("Language", exact=True).select_option("en")
    page.get_by_role("button", name="Apply filters").click()
    rows = page.locator("table.queue tbody tr")
    expect(rows).to_have_count(1)
    expect(rows.first).to_contain_text("Emission monitoring on construction sites")
    expect(page.get_by_label("City")).to_have_value("Malmö")


def test_two_companies_side_by_side(page: Page, live: Live) -> None:
    open_challenge(page, live)
    compare = page.get_by_role("button", name="Compare the two selected")
    expect(compare).to_be_disabled()
    card(page, 1).get_by_label("Compare").check()
    card(page, 3).get_by_label("Compare").check()
    expect(compare).to_be_enabled()
    names = [card(page, n).get_by_role("heading").inner_text() for n in (1, 3)]
    compare.click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Side by side")
    columns = page.locator(".side-by-side > section")
    expect(columns.locator("h2")).to_have_text(names)
    left, right = (columns.nth(i).bounding_box() for i in (0, 1))
    assert left and right and right["x"] > left["x"] + left["width"] - 1 and left["y"] == right["y"]
    screenshot(page, "compare")


def test_shortlist_controls_and_teams(page: Page, live: Live) -> None:
    open_challenge(page, live)
    page.get_by_text("Shortlist settings").click()
    page.get_by_label("At most per country").fill("1")
    page.get_by_role("button", name="Update shortlist").click()
    expect(page.get_by_label("At most per country")).to_have_value("1")
    countries = [
        text.split(" · ")[0].strip() for text in page.locator(".shortlist .facts").all_inner_texts()
    ]
    assert len(countries) >= 3 and len(countries) == len(set(countries))

    page.get_by_label("At most per country").fill("")
    page.get_by_label("Exclude company ids (conflicts of interest)").fill(str(live.ids["voltgrav"]))
    page.get_by_role("button", name="Update shortlist").click()
    expect(page.locator(".shortlist h3", has_text="Voltgräv AB")).to_have_count(0)

    page.get_by_role("link", name="Proposed teams").click()
    teams = page.get_by_test_id("team")
    expect(teams).to_have_count(3)
    expect(teams.first.get_by_role("heading")).to_contain_text("(lead)")
    assert teams.first.locator("tbody tr").count() >= 2  # one row per requirement
    screenshot(page, "teams")
    page.get_by_label("Companies per team").select_option("2")
    page.get_by_role("button", name="Propose teams").click()
    expect(teams.first.get_by_role("heading")).to_contain_text(" + ")
    assert teams.first.get_by_role("heading").inner_text().count(" + ") == 1


def test_city_sees_its_own_challenges_and_decisions_read_only(page: Page, live: Live) -> None:
    coordinator = {"Authorization": f"Bearer {live.tokens['coordinator']}"}
    challenge = live.ids["sth_published"]
    httpx.post(
        f"{live.url}/reviews",
        headers=coordinator,
        json={
            "challenge_id": challenge,
            "company_id": live.ids["voltgrav"],
            "decision": "accepted",
            "reason": "internal reasoning the city must not see",
        },
    ).raise_for_status()
    sign_in(page, "stockholm")
    expect(page.get_by_role("heading", name="Our challenges")).to_be_visible()
    cities = page.locator("table.queue tbody tr td:nth-child(2)").all_inner_texts()
    assert cities and set(cities) == {"Stockholm"}
    page.get_by_role("link", name=STH_01).click()
    expect(page.get_by_text("Coordinators review this shortlist")).to_be_visible()
    expect(page.locator("form.review")).to_have_count(0)
    voltgrav = page.locator("li.match", has=page.get_by_role("heading", name="Voltgräv AB"))
    expect(voltgrav.get_by_test_id("decision")).to_have_text("Accepted")
    expect(page.get_by_text("internal reasoning the city must not see")).to_have_count(0)
    page.goto(f"/ui/challenges/{live.ids['mal_published']}")
    expect(page.get_by_role("alert")).to_contain_text("404")


def test_company_sees_the_challenges_that_fit_it(page: Page, live: Live) -> None:
    sign_in(page, "voltgrav")
    expect(page.get_by_role("heading", name="Challenges that fit us")).to_be_visible()
    section = page.locator("section", has=page.get_by_role("heading", name="For Voltgräv AB"))
    titles = section.locator("li.match h3").all_inner_texts()
    assert STH_01 in titles[:3]
    fossil_free = section.locator("li.match", has=page.get_by_role("heading", name=STH_01))
    answers = fossil_free.get_by_test_id("requirements").locator("li")
    expect(answers).to_have_count(1)  # one challenge, one company: its best requirement
    expect(answers).to_contain_text("grävmaskiner")
    expect(page.get_by_role("link", name="Challenges", exact=True)).to_have_count(0)
    screenshot(page, "opportunities")
    fossil_free.get_by_role("link", name=STH_01, exact=True).click()  # the company's own page
    expect(page.get_by_role("heading", level=1)).to_have_text(STH_01)
    expect(page.get_by_test_id("own-match").first).to_be_visible()
    expect(page.locator("ol.shortlist")).to_have_count(0)  # never the city's shortlist
    page.goto(f"/ui/challenges/{live.ids['sth_draft']}")
    expect(page.get_by_role("alert")).to_contain_text("404")


def test_the_interface_speaks_swedish(page: Page, live: Live) -> None:
    sign_in(page, "coordinator")
    page.get_by_role("button", name="Svenska").click()  # saved on the account
    expect(page.get_by_role("heading", name="Utmaningar att granska")).to_be_visible()
    expect(page.locator("html")).to_have_attribute("lang", "sv")
    screenshot(page, "challenges-sv")
    page.goto("/ui/challenges?sort=oldest")
    page.get_by_role("link", name=STH_01).click()
    expect(card(page, 1).get_by_role("button", name="Acceptera")).to_be_visible()
    expect(page.get_by_role("heading", name="Beslut hittills")).to_be_visible()
    page.get_by_role("button", name="English").click()
    expect(card(page, 1).get_by_role("button", name="Accept")).to_be_visible()


def test_keyboard_alone_can_sign_in_and_review(page: Page, live: Live) -> None:
    page.goto("/ui/")
    expect(page.get_by_label("E-mail")).to_be_focused()  # focus is there on arrival
    page.keyboard.type(credentials("coordinator")["email"])
    page.keyboard.press("Tab")
    page.keyboard.type(credentials("coordinator")["password"])
    page.keyboard.press("Enter")
    page.wait_for_url("**/ui/challenges")
    page.goto(f"/ui/challenges/{live.ids['mal_published']}")
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.textContent") == "Skip to content"
    page.keyboard.press("Enter")
    assert page.evaluate("document.activeElement.id") == "content"
    reason = card(page, 1).get_by_label("Reason")
    for _ in range(200):
        page.keyboard.press("Tab")
        if reason.evaluate("e => e === document.activeElement"):
            break
    else:
        raise AssertionError("Tab never reached the first review form")
    page.keyboard.type("Keyboard review")
    page.keyboard.press("Tab")  # the note
    page.keyboard.press("Tab")  # Accept
    assert page.evaluate("document.activeElement.textContent") == "Accept"
    page.keyboard.press("Enter")
    expect(card(page, 1).get_by_test_id("decision")).to_have_text("Accepted")
    expect(page.locator("#history tr").first).to_contain_text("Keyboard review")


def test_every_control_has_a_label_and_pages_fit_a_laptop(page: Page, live: Live) -> None:
    sign_in(page, "coordinator")
    challenge = live.ids["sth_published"]
    page.goto(f"/ui/challenges/{challenge}")
    compare = page.locator("#compare-form").get_attribute("action")
    companies = page.locator(".shortlist > li").evaluate_all(
        "els => els.map(e => e.dataset.companyId)"
    )
    for path in (
        "/ui/challenges",
        f"/ui/challenges/{challenge}",
        f"/ui/challenges/{challenge}/teams",
        f"{compare}?company={companies[0]}&company={companies[1]}",
        "/ui/account",
        "/ui/people",
    ):
        page.goto(path)
        unlabelled = page.evaluate(
            """() => [...document.querySelectorAll('input, select, textarea')]
                .filter(e => e.type !== 'hidden' && e.labels.length === 0
                        && !e.getAttribute('aria-label'))
                .map(e => e.name || e.id)"""
        )
        assert unlabelled == [], path
        width = page.evaluate("document.documentElement.scrollWidth")
        assert width <= LAPTOP["width"], (path, width)
