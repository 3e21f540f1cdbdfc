"""The whole story in headless Chromium, on a laptop (1366x768) and on a phone (390x844), each
person in their own language: Stockholm and Voltgräv AB switch to Swedish in the header, the
coordinator stays in English. Stockholm previews and publishes a challenge; Voltgräv finds the
alert in its inbox and e-mail, with the strength and rank its own list and the coordinator's
shortlist show; it states interest; the coordinator accepts it, Stockholm starts shortlisting
and Voltgräv's page says why "I'm interested" is gone; the coordinator invites Voltgräv and
SiteCharge and proposes them as a team, which reaches Voltgräv's inbox and e-mail. No page any
of them loads scrolls sideways. A challenge nobody answers well says "no strong answer yet"."""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from urllib.parse import urlsplit

import httpx
import pytest
from playwright.sync_api import Browser, Locator, Page, expect

from klimatmatch.alerts.mail import news
from klimatmatch.core import strength
from klimatmatch.core.translations import translations
from models.alerts import Notification, NotificationKind
from tests.api.conftest import credentials
from tests.api.pages.conftest import LAPTOP, Live, screenshot
from tests.api.pages.story import appears, mail_with, no_sideways, person, speak
from tests.api.pages.test_browser_engagement import DESCRIPTION, PITCH
from tests.api.pages.test_browser_phone import PHONE

SIZES = {"laptop": LAPTOP, "phone": PHONE}
TITLES = {  # one challenge per window size on the module's one server
    "laptop": "Fossilfria maskiner i Hjorthagen",
    "phone": "Eldrivna arbetsmaskiner i Värtahamnen",
}
VOLTGRAV, SITECHARGE = "Voltgräv AB", "SiteCharge Nordic"
WEAK = (
    "We seek a workshop to restore three medieval tapestries from the city hall: the wool is "
    "moth-eaten, the linen lining must be replaced by hand and the dyes must not fade."
)
SWEDISH = translations("sv")


@dataclass
class Cast:
    city: Page
    company: Page
    coordinator: Page
    size: str

    def all(self) -> tuple[Page, Page, Page]:
        return self.city, self.company, self.coordinator


@pytest.fixture(params=list(SIZES))
def cast(request: pytest.FixtureRequest, browser: Browser, live: Live) -> Iterator[Cast]:
    """Stockholm, Voltgräv and the coordinator, signed in, in windows of one size."""
    size = request.param
    pages = [person(browser, live, who, SIZES[size]) for who in ("stockholm", "voltgrav")]
    cast = Cast(*pages, person(browser, live, "coordinator", SIZES[size]), size)
    yield cast
    for page in cast.all():
        page.context.close()


def shot(cast: Cast, page: Page, size: str, name: str, at: Locator | None = None) -> None:
    """The screenshots docs/pages.md shows, some from the laptop, some from the phone: the top
    of the page, or `at` at the top of the window."""
    if cast.size == size:
        (at or page.locator("body")).evaluate("e => e.scrollIntoView()")
        screenshot(page, name)


def publish(cast: Cast, title: str, text: str, theme: str, action: str = "publish") -> int:
    """The city's new challenge form: Preview shows a strength bar for each company that could
    answer; Publish (or Save as draft) opens the challenge's page with its stage on top."""
    city = cast.city
    city.goto("/ui/challenges")
    city.locator('a[href="/ui/challenges/new"]').click()
    city.locator("#f-title").fill(title)
    city.locator("#f-description").fill(text)
    city.locator("#f-theme").fill(theme)
    city.locator('button[value="preview"]').click()
    preview = city.get_by_test_id("preview")
    expect(preview).to_be_in_viewport()
    bars = preview.get_by_test_id("preview-companies").get_by_test_id("strength")
    expect(bars.first).to_be_visible()
    levels = bars.evaluate_all("els => els.map(e => e.dataset.level)")
    assert set(levels) <= {"strong", "possible", "weak"}, levels
    city.locator(f'button[value="{action}"]').click()
    expect(city.get_by_test_id("saved")).to_be_visible()
    expect(city.get_by_test_id("stage-box")).to_be_in_viewport()
    no_sideways(city)
    return int(re.search(r"/ui/challenges/(\d+)", city.url).group(1))


def after(name: str, text: str) -> list[str]:
    """The numbers written after `name` in a line: [percent, rank] in an alert's line."""
    return re.findall(r"\d+", text.split(name, 1)[1])


def the_alert(cast: Cast, live: Live, challenge_id: int) -> None:
    """Voltgräv hears of the challenge in its inbox and by e-mail, in Swedish, with the
    strength and rank that its own list shows and the strength of the coordinator's shortlist;
    the e-mail's link opens the company's page of the challenge, with how it matches."""
    company, title, volt = cast.company, TITLES[cast.size], live.ids["voltgrav"]
    company.get_by_test_id("nav-inbox").click()
    item = company.get_by_test_id("notifications").locator("li", has_text=title)
    appears(company, item)
    told = item.inner_text()
    company.locator('nav a[href="/ui/opportunities"]').click()
    fit = company.locator(f'section[data-company-id="{volt}"] li.match')
    fit = fit.filter(has=company.locator(f'a[href="/ui/challenges/{challenge_id}"]'))
    rank = fit.locator(".rank").inner_text().strip()
    bar = fit.get_by_test_id("strength")
    level, percent = bar.get_attribute("data-level"), bar.get_attribute("data-percent")
    word = bar.locator(".value strong").inner_text()
    assert word == strength.names(SWEDISH)[level]  # the company reads Swedish
    assert word in told and after(VOLTGRAV, told)[:2] == [percent, rank], told
    body = mail_with(live.mailbox, credentials("voltgrav")["email"], title).get_content()
    line = next(line for line in body.split(title, 1)[1].splitlines() if VOLTGRAV in line)
    assert word in line and after(VOLTGRAV, line) == [percent, rank], line
    shot(cast, company, "phone", "story-phone-opportunities", at=fit)

    cast.coordinator.goto(f"/ui/challenges/{challenge_id}")
    listed = cast.coordinator.locator(f'li.match[data-company-id="{volt}"]')
    expect(listed.get_by_test_id("strength")).to_have_attribute("data-percent", percent)
    expect(listed.get_by_test_id("strength")).to_have_attribute("data-level", level)

    link = re.search(r"https?://\S+/ui/challenges/\d+", body.split(title, 1)[1]).group(0)
    company.goto(urlsplit(link).path)
    own = company.get_by_test_id("own-match")
    expect(own.get_by_test_id("strength")).to_have_attribute("data-percent", percent)
    assert re.findall(r"\d+", own.locator("p").first.inner_text()) == [rank]
    shot(cast, company, "laptop", "story-company-challenge")
    no_sideways(*cast.all())


def interest_and_shortlisting(cast: Cast, live: Live, challenge_id: int) -> None:
    """Voltgräv states interest on its page of the challenge (SiteCharge through the API); the
    coordinator accepts Voltgräv; Stockholm starts shortlisting; Voltgräv's page says why it can
    no longer state interest."""
    company, coordinator, city = cast.company, cast.coordinator, cast.city
    form = company.get_by_test_id("interest-form")
    form.locator('textarea[name="pitch"]').fill(PITCH)
    form.locator('button[type="submit"]').click()
    expect(company.get_by_test_id("stated")).to_be_visible()
    site = live.ids["sitecharge"]
    httpx.put(
        f"{live.url}/challenges/{challenge_id}/interest/{site}",
        json={"pitch": "Mobile battery containers charge excavators where the grid is weak."},
        headers={"Authorization": f"Bearer {live.tokens['sitecharge']}"},
        timeout=60,
    ).raise_for_status()

    card = coordinator.locator(f'li.match[data-company-id="{live.ids["voltgrav"]}"]')
    card.locator('input[name="reason"]').fill("Electric excavators, as asked")
    card.locator('button[value="accepted"]').click()
    expect(card.get_by_test_id("decision")).to_have_class(re.compile("decision-accepted"))

    city.goto(f"/ui/challenges/{challenge_id}")
    stage = city.get_by_test_id("stage-box")
    stage.get_by_test_id("move-shortlisting").locator('button[type="submit"]').click()
    expect(city.get_by_test_id("moved")).to_be_visible()
    expect(stage.get_by_test_id("stage")).to_have_class(re.compile("stage-shortlisting"))

    company.reload()
    expect(company.get_by_test_id("why-closed")).to_be_visible()
    expect(company.get_by_test_id("interest-form")).to_have_count(0)
    no_sideways(*cast.all())


def invitation_and_team(cast: Cast, live: Live, challenge_id: int) -> None:
    """The coordinator invites Voltgräv and SiteCharge and proposes them as a team; Voltgräv
    sees an unread count, then each item in its inbox (linking to the challenge) and by e-mail."""
    coordinator, company, title = cast.coordinator, cast.company, TITLES[cast.size]
    volt, site = live.ids["voltgrav"], live.ids["sitecharge"]
    coordinator.goto(f"/ui/challenges/{challenge_id}")
    invite = coordinator.get_by_test_id("invite-form")
    for company_id in (volt, site):
        invite.locator(f"#invite-{company_id}").check()
    invite.get_by_role("button", name="Invite to the workshop").click()
    expect(coordinator.get_by_test_id("invited")).to_have_text("2 invited.")
    team = coordinator.get_by_test_id("team-form")
    for company_id in (volt, site):
        team.locator(f"#member-{company_id}").check()
    team.locator("#f-lead").select_option(str(volt))
    team.get_by_role("button", name="Propose the team").click()
    expect(coordinator.get_by_test_id("proposed")).to_be_visible()
    shot(cast, coordinator, "laptop", "story-challenge")
    shot(cast, coordinator, "phone", "story-phone-challenge")

    company.reload()
    expect(company.get_by_test_id("unread-count")).to_be_visible()
    company.get_by_test_id("nav-inbox").click()
    counts = [company.get_by_test_id(t).inner_text() for t in ("unread", "unread-count")]
    assert len({re.findall(r"\d+", count)[0] for count in counts}) == 1, counts
    told = [
        Notification(kind=NotificationKind.STAGE, body="shortlisting"),
        Notification(kind=NotificationKind.INVITATION, body=VOLTGRAV),
        Notification(kind=NotificationKind.TEAM, body=SITECHARGE),
    ]
    address = credentials("voltgrav")["email"]
    for row in told:
        said = news(SWEDISH, row)
        item = company.get_by_test_id("notifications").locator("li", has_text=title)
        item = item.filter(has_text=said)
        expect(item).to_have_count(1)
        expect(item.locator("a").first).to_have_attribute("href", f"/ui/challenges/{challenge_id}")
        mail_with(live.mailbox, address, said, f"/ui/challenges/{challenge_id}")
    company.get_by_test_id("notifications").locator("li", has_text=title).first.locator(
        "a"
    ).first.click()
    expect(company.get_by_test_id("own-match")).to_be_visible()
    no_sideways(*cast.all())


def no_strong_answer(cast: Cast) -> None:
    """A challenge about something no company offers: its city and the coordinator are told."""
    weak = publish(cast, f"Medieval tapestries ({cast.size})", WEAK, "culture", "draft")
    for page in (cast.city, cast.coordinator):
        page.goto(f"/ui/challenges/{weak}")
        levels = page.locator(".shortlist [data-testid=strength]").evaluate_all(
            "els => els.map(e => `${e.dataset.level} ${e.dataset.percent}%`)"
        )
        expect(page.get_by_test_id("no-strong-answer"), f"strengths: {levels}").to_be_visible()
    no_sideways(*cast.all())


def test_the_whole_story_in_each_language_and_size(cast: Cast, live: Live) -> None:
    for page in (cast.city, cast.company):
        speak(page, "sv")
    expect(cast.coordinator.locator("html")).to_have_attribute("lang", "en")
    challenge_id = publish(cast, TITLES[cast.size], DESCRIPTION, "construction-sites")
    the_alert(cast, live, challenge_id)
    interest_and_shortlisting(cast, live, challenge_id)
    invitation_and_team(cast, live, challenge_id)
    no_strong_answer(cast)
    for page in (cast.city, cast.company):
        speak(page, "en")  # as they were: the next window size switches again
