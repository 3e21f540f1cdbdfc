"""In headless Chromium, through the pages alone, from match to meeting: Stockholm publishes a
challenge; Voltgräv AB finds it among the challenges that fit it and says it is interested; the
coordinator starts the shortlisting and invites Voltgräv and two others to the workshop;
Byggdata Klimat declines with a reason; the coordinator proposes a team of the other two, both
confirm; Stockholm sees the formed team and closes the challenge with a pilot."""

from __future__ import annotations

import re
from urllib.parse import urlsplit

from playwright.sync_api import Browser, Page, expect

from tests.api.conftest import credentials
from tests.api.pages.conftest import LAPTOP, Live, screenshot, sign_in
from tests.api.pages.test_browser_accounts import UNLABELLED

TITLE = "Fossilfria maskiner i Slakthusområdet"
DESCRIPTION = (
    "Stockholms stad bygger om Slakthusområdet och vill ha fossilfria byggarbetsplatser. Vi "
    "söker eldrivna grävmaskiner och hjullastare, och laddning på plats med mobila batterier där "
    "elnätet är svagt. Förbrukningen av energi och bränsle per maskin ska rapporteras till staden."
)
PITCH = "Vi bygger om grävmaskiner till batteridrift på tre veckor och hyr ut eldrivna maskiner."
REASON = "No capacity before the summer"
BYGGDATA = "Byggdata Klimat AB"
BYGGDATA_EMAIL = "eva@byggdata.example"
BYGGDATA_PASSWORD = "Byggdata has a long password"


def another_browser(browser: Browser, live: Live, who: str) -> Page:
    """A browser of its own for each person (several people act in this story)."""
    context = browser.new_context(viewport=LAPTOP, base_url=live.url, locale="en-GB")
    context.set_default_timeout(15_000)
    page = context.new_page()
    sign_in(page, who)
    return page


def invite_byggdata_person(page: Page, browser: Browser, live: Live) -> Page:
    """The coordinator invites a person of Byggdata Klimat AB (an imported company without an
    account yet), who sets a password from the e-mail."""
    page.get_by_role("link", name="People").click()
    page.get_by_label("E-mail", exact=True).fill(BYGGDATA_EMAIL)
    page.get_by_label("Name", exact=True).fill("Eva Holm")
    page.get_by_label("Role").select_option("company")
    page.get_by_label("Organisation").fill(BYGGDATA)
    page.get_by_role("button", name="Send the invitation").click()
    expect(page.get_by_test_id("invited")).to_be_visible()
    context = browser.new_context(viewport=LAPTOP, base_url=live.url, locale="en-GB")
    context.set_default_timeout(15_000)
    eva = context.new_page()
    eva.goto(urlsplit(live.mailbox.link_to(BYGGDATA_EMAIL)).path)
    eva.get_by_label("New password").fill(BYGGDATA_PASSWORD)
    eva.get_by_label("I accept the terms of use").check()
    eva.get_by_role("button", name="Save the password and sign in").click()
    expect(eva.get_by_test_id("user-name")).to_have_text("Eva Holm")
    return eva


def publish(page: Page) -> int:
    sign_in(page, "stockholm")
    page.get_by_role("link", name="New challenge").click()
    page.get_by_label("Title", exact=True).fill(TITLE)
    page.get_by_label("Description").fill(DESCRIPTION)
    page.get_by_label("Theme", exact=True).fill("construction-sites")
    page.get_by_role("button", name="Publish").click()
    expect(page.get_by_test_id("saved")).to_be_visible()
    stage = page.get_by_test_id("stage-box")  # first on the page: where it stands, what next
    expect(stage.get_by_test_id("stage")).to_have_text("Open for interest")
    expect(stage.get_by_test_id("next-step")).to_contain_text("start shortlisting")
    expect(stage.get_by_role("button", name="Start shortlisting")).to_be_in_viewport()
    return int(re.search(r"/ui/challenges/(\d+)", page.url).group(1))


def find_the_alert(page: Page, live: Live) -> None:
    """The publication alerted Voltgräv (the alert job runs right after the city's commit, in
    the service's own queue): in its inbox, with the strength in words, and by e-mail."""
    page.get_by_role("link", name="Inbox").click()
    alert = page.get_by_test_id("notifications").locator("li", has_text=TITLE)
    for _ in range(60):  # the job runs in the background: look again until it has
        if alert.count():
            break
        page.wait_for_timeout(500)
        page.reload()
    expect(alert).to_contain_text(" match (")
    mail = live.mailbox.last_to(credentials("voltgrav")["email"], timeout=30)
    assert TITLE in mail["Subject"] and "/ui/unsubscribe/" in mail.get_content()
    screenshot(page, "inbox")


def state_interest(page: Page, challenge_id: int, pitch: str, partner: str, found: bool) -> None:
    """A company says it is interested: Voltgräv finds the challenge among those that fit it;
    SiteCharge, not on the shortlist, comes by itself, with the link Voltgräv sent it."""
    if found:
        page.get_by_role("link", name="Challenges for us").click()
        fit = page.locator(f'li.match[data-challenge-id="{challenge_id}"]').first
        expect(fit).to_contain_text(TITLE)
        fit.get_by_test_id("interested").click()
    else:
        page.goto(f"/ui/challenges/{challenge_id}/interest")
    expect(page.get_by_role("heading", level=1)).to_have_text(TITLE)
    assert page.evaluate(UNLABELLED) == []
    page.get_by_label("Pitch").fill(pitch)
    page.get_by_label("Partners").fill(partner)
    if found:
        screenshot(page, "engagement-interest")
    page.get_by_role("button", name="I'm interested").click()
    expect(page.get_by_test_id("stated")).to_be_visible()
    expect(page.get_by_test_id("interest-status")).to_have_text("Interest stated")


def shortlist_and_invite(page: Page, challenge_id: int) -> None:
    page.goto(f"/ui/challenges/{challenge_id}")
    interests = page.get_by_test_id("interests")
    expect(interests).to_contain_text("Voltgräv AB")
    expect(interests).to_contain_text(PITCH)
    expect(interests.get_by_role("row", name=re.compile("^Voltgräv AB"))).to_contain_text(
        re.compile(r"rank \d")
    )
    expect(interests.get_by_role("row", name=re.compile("^SiteCharge Nordic"))).to_contain_text(
        "came by itself"
    )
    page.get_by_test_id("stage-box").get_by_role("button", name="Start shortlisting").click()
    expect(page.get_by_test_id("moved")).to_contain_text("Shortlisting")
    expect(page.get_by_test_id("next-step")).to_contain_text("invite companies from the shortlist")
    nobody = page.get_by_test_id("invite-form").get_by_role("button", name="Invite to the workshop")
    nobody.click()  # nobody ticked
    problem = page.get_by_test_id("form-error")
    expect(problem).to_contain_text("Tick at least one company to invite.")
    expect(problem).to_be_focused()
    expect(problem).to_be_in_viewport()
    invite = page.get_by_test_id("invite-form")
    expect(invite.locator("li", has_text="SiteCharge Nordic")).to_contain_text("came by itself")
    for name in ("Voltgräv AB", "SiteCharge Nordic", BYGGDATA):
        invite.get_by_label(name, exact=True).check()
    invite.get_by_label("Note").fill("Machines, charging and reporting")
    assert page.evaluate(UNLABELLED) == []
    invite.get_by_role("button", name="Invite to the workshop").click()
    expect(page.get_by_test_id("invited")).to_have_text("3 invited.")
    expect(page.get_by_test_id("invitations").locator("tbody tr")).to_have_count(3)


def answer_invitation(page: Page, challenge_id: int, answer: str, reason: str = "") -> None:
    page.get_by_role("link", name="Challenges for us").click()
    invitation = page.get_by_test_id("invitation").filter(has_text=TITLE)
    if reason:
        invitation.get_by_label("Reason (needed to decline)").fill(reason)
    invitation.get_by_role("button", name=answer, exact=True).click()
    answered = page.get_by_test_id("invitation").filter(has_text=TITLE)
    expect(answered.get_by_test_id("answered")).to_be_visible()
    expect(answered.get_by_test_id("answer")).to_have_text(f"{answer}ed".replace("eed", "ed"))


def propose_the_pair(page: Page, challenge_id: int) -> None:
    """The suggested teams come from the top of the shortlist, where SiteCharge (which came by
    itself) is not: the coordinator looks, then proposes the pair among the invited ones."""
    page.goto(f"/ui/challenges/{challenge_id}")
    page.get_by_role("link", name="Suggested teams, to propose one").click()
    expect(page.get_by_role("button", name="Propose this team").first).to_be_visible()
    screenshot(page, "engagement-suggested-teams")
    page.go_back()
    form = page.get_by_test_id("team-form")
    expect(form).not_to_contain_text(BYGGDATA)  # it declined
    form.get_by_label("Voltgräv AB", exact=True).check()
    form.get_by_role("button", name="Propose the team").click()  # one is not a team
    problem = page.get_by_test_id("form-error")
    expect(problem).to_contain_text("Tick at least two companies for a team.")
    expect(problem).to_be_focused()  # at the top of the page, where the eye is
    form = page.get_by_test_id("team-form")
    for name in ("Voltgräv AB", "SiteCharge Nordic"):
        form.get_by_label(name, exact=True).check()
    form.get_by_label("Lead company").select_option(label="Voltgräv AB")
    assert page.evaluate(UNLABELLED) == []
    form.get_by_role("button", name="Propose the team").click()
    expect(page.get_by_test_id("proposed")).to_be_visible()
    expect(page.get_by_test_id("teams")).to_contain_text("Proposed:")
    expect(page.get_by_test_id("teams")).to_contain_text("Voltgräv AB (lead)")


def confirm_team(page: Page) -> None:
    page.get_by_role("link", name="Challenges for us").click()
    proposal = page.get_by_test_id("team-proposal").filter(has_text=TITLE)
    assert page.evaluate(UNLABELLED) == []
    proposal.get_by_role("button", name="Confirm").click()
    expect(
        page.get_by_test_id("team-proposal").filter(has_text=TITLE).get_by_test_id("answered")
    ).to_be_visible()


def test_from_a_published_challenge_to_a_team_and_a_pilot(
    page: Page, browser: Browser, live: Live
) -> None:
    challenge_id = publish(page)

    voltgrav = another_browser(browser, live, "voltgrav")
    find_the_alert(voltgrav, live)
    state_interest(voltgrav, challenge_id, PITCH, "SiteCharge Nordic", found=True)
    sitecharge = another_browser(browser, live, "sitecharge")
    pitch = "Mobile battery containers charge excavators where the grid is weak."
    state_interest(sitecharge, challenge_id, pitch, "Voltgräv AB", found=False)

    coordinator = another_browser(browser, live, "coordinator")
    eva = invite_byggdata_person(coordinator, browser, live)
    shortlist_and_invite(coordinator, challenge_id)
    coordinator.get_by_role("heading", name="Interest and invitations").scroll_into_view_if_needed()
    screenshot(coordinator, "engagement-invite")

    eva.get_by_role("link", name="Challenges for us").click()
    declined = eva.get_by_test_id("invitation").filter(has_text=TITLE)
    declined.get_by_role("button", name="Decline").click()  # without a reason: drawn again
    expect(eva.get_by_role("alert").first).to_contain_text("reason is required to decline")
    answer_invitation(eva, challenge_id, "Decline", REASON)
    for company in (voltgrav, sitecharge):
        answer_invitation(company, challenge_id, "Accept")
    coordinator.goto(f"/ui/challenges/{challenge_id}")
    invitations = coordinator.get_by_test_id("invitations")
    expect(invitations.locator("tr", has_text=BYGGDATA)).to_contain_text(REASON)

    propose_the_pair(coordinator, challenge_id)
    for company in (voltgrav, sitecharge):
        confirm_team(company)
    sitecharge.get_by_role("heading", name="Workshop invitations").first.evaluate(
        "e => e.scrollIntoView()"
    )
    screenshot(sitecharge, "engagement-company")

    page.goto(f"/ui/challenges/{challenge_id}")
    teams = page.get_by_test_id("teams")
    expect(teams).to_contain_text("Formed:")
    expect(teams).to_contain_text("Voltgräv AB")
    expect(teams).to_contain_text("SiteCharge Nordic")
    page.locator("summary", has_text="Close the challenge").click()
    close = page.get_by_test_id("move-closed")
    close.get_by_label("Outcome").select_option("pilot")
    close.get_by_label("Public summary").fill("Voltgräv and SiteCharge pilot at Slakthusområdet.")
    assert page.evaluate(UNLABELLED) == []
    close.get_by_role("button", name="Close the challenge").click()
    stage = page.get_by_test_id("stage-box")
    expect(stage.get_by_test_id("stage")).to_have_text("Closed")
    expect(stage.get_by_test_id("outcome")).to_contain_text("A pilot.")
    history = page.get_by_test_id("stage-history").locator("tbody tr")
    expect(history).to_have_count(2)  # shortlisting, then closed: newest first
    expect(history.first).to_contain_text("Closed")
    page.get_by_role("heading", name="Where it stands").evaluate("e => e.scrollIntoView()")
    screenshot(page, "engagement-closed")
