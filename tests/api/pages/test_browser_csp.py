"""The pages under their Content-Security-Policy in Chromium (issue 24, #14): the policy is sent,
nothing on the main pages breaks it, and the score bars keep their widths without inline styles."""

from __future__ import annotations

from playwright.sync_api import ConsoleMessage, Page

from api.security_headers import PAGES_POLICY
from tests.api.pages.conftest import Live, sign_in

REPORT_VIOLATIONS = """
document.addEventListener("securitypolicyviolation", (event) => {
  console.error(`CSP violation: ${event.violatedDirective} ${event.blockedURI}`);
});
"""


def watch(page: Page) -> list[str]:
    """Every CSP violation on the page from now on: Chromium's own console report and the
    `securitypolicyviolation` event, so neither kind is missed."""
    page.add_init_script(REPORT_VIOLATIONS)
    seen: list[str] = []

    def note(message: ConsoleMessage) -> None:
        if "Content Security Policy" in message.text or "CSP violation" in message.text:
            seen.append(f"{page.url}: {message.text}")

    page.on("console", note)
    return seen


def visit(page: Page, path: str) -> None:
    response = page.goto(path)
    assert response is not None and response.ok, path
    assert response.headers["content-security-policy"] == PAGES_POLICY, path
    assert response.headers["x-content-type-options"] == "nosniff", path
    page.wait_for_load_state("load")


def widths(page: Page, selector: str) -> list[float]:
    return page.locator(selector).evaluate_all(
        "els => els.map(e => e.getBoundingClientRect().width)"
    )


def test_the_main_pages_break_no_rule_of_their_policy(page: Page, live: Live) -> None:
    violations = watch(page)
    for path in ("/ui/sign-in", "/ui/register", "/ui/forgot-password"):
        visit(page, path)
    sign_in(page, "coordinator")
    challenge = live.ids["sth_published"]
    visit(page, f"/ui/challenges/{challenge}")
    compare = page.locator("#compare-form").get_attribute("action")
    companies = page.locator(".shortlist > li").evaluate_all(
        "els => els.map(e => e.dataset.companyId)"
    )
    drawn = page.locator(".shortlist .strength .bar span").evaluate_all(
        "els => els.map(e => 100 * e.getBoundingClientRect().width"
        " / e.parentElement.getBoundingClientRect().width)"
    )
    percents = page.locator(".shortlist .strength").evaluate_all(
        "els => els.map(e => Number(e.dataset.percent))"
    )
    assert len(drawn) >= 3 and len(drawn) == len(percents)
    for bar, percent in zip(drawn, percents, strict=True):  # fixed ends: the strength itself
        assert abs(bar - max(percent, 2)) < 1.5, (bar, percent)
    for path in (
        "/ui/challenges",
        f"/ui/challenges/{challenge}/teams",
        f"{compare}?company={companies[0]}&company={companies[1]}",
        "/ui/account",
        "/ui/people",
        "/ui/funnel",
    ):
        visit(page, path)
        if path.endswith("/teams"):
            assert max(widths(page, ".coverage .bar span")) > 0
        if "/compare" in path:
            assert min(widths(page, ".bar span")) > 0
    assert violations == []


def test_the_policy_is_enforced_and_reported(page: Page, live: Live) -> None:
    """The watch above would see a breach: an inline style and an inline script are refused."""
    violations = watch(page)
    visit(page, "/ui/sign-in")
    page.evaluate(
        """() => {
          const probe = document.createElement("div");
          probe.innerHTML = '<span id="probe" style="width: 77px; display: block">x</span>';
          document.body.append(probe);
          const script = document.createElement("script");
          script.textContent = "window.ranInline = true";
          document.body.append(script);
        }"""
    )
    assert page.evaluate("window.ranInline") is None
    assert page.locator("#probe").evaluate("e => e.getBoundingClientRect().width") != 77
    for _ in range(100):  # the reports are events: poll until both arrived (10 s at most)
        if all(any(kind in v for v in violations) for kind in ("style-src", "script-src")):
            break
        page.wait_for_timeout(100)
    assert any("style-src" in v for v in violations), violations
    assert any("script-src" in v for v in violations), violations
