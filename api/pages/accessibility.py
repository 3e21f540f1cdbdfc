"""The accessibility statement (DOS-lagen 2018:1937; the EU's model statement, decision
2018/1523): how far the pages meet WCAG 2.1 AA (EN 301 549), what does not, how and when that was
assessed, and where to report a problem, in every language of the interface.

What it says of the pages is kept true by tests/api/pages/test_browser_axe.py: a finding of axe
whose rule is not in `AXE_FINDINGS` fails it, as does any serious or critical one."""

from __future__ import annotations

from datetime import date

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse

from api.deps import SettingsDep
from api.pages import auth
from api.pages.auth import OptionalPageUser
from api.pages.rendering import render
from klimatmatch.core.translations import N_

router = APIRouter(prefix=auth.PAGES, include_in_schema=False)

ASSESSED = date(2026, 12, 3)
"""When the pages were last assessed: change it with what the statement lists."""
AXE_CORE_VERSION = "4.12.1"
"""axe-core as axe-playwright-python ships it (tests/api/pages/test_accessibility.py checks)."""
SUPERVISOR_FORM = "https://www.digg.se/tdosanmalan"
"""Myndigheten för digital förvaltning (DIGG): where anyone reports a public body's website."""
AXE_FINDINGS: dict[str, str] = {}
"""axe-core's rules that still find something of moderate or minor impact on some page, each
with what it means for a person (a msgid): none at the last assessment."""
KNOWN_GAPS = (
    N_(
        "The pages have been checked by the people who build them, automatically and through "
        "tests that use them by keyboard, but not yet by an independent expert or together with "
        "people who use assistive technology. Automated tools find only part of the problems "
        "that WCAG describes."
    ),
    N_(
        "Titles, descriptions, company profiles and pitches are shown in the language their "
        "author wrote them in. The text of a challenge states its language, but titles, profiles "
        "and pitches do not yet, so a screen reader may read them with the pronunciation of the "
        "interface's language (WCAG 2.1, success criterion 3.1.2)."
    ),
    N_(
        "The API documentation (/docs) is a page generated in English for programmers; this "
        "assessment does not cover it."
    ),
    N_(
        "Downloads (shortlists and the funnel as CSV or Excel files) and the e-mails Klimatmatch "
        "sends have not been assessed."
    ),
)
"""What the pages do not meet, or what was not assessed, beyond what axe-core finds."""


@router.get("/accessibility")
def statement(request: Request, settings: SettingsDep, user: OptionalPageUser) -> HTMLResponse:
    """Anyone may read it, signed in or not; it is linked from every page's footer."""
    contact = settings.accessibility_contact
    return render(
        request,
        "accessibility.html",
        user,
        assessed=ASSESSED.isoformat(),
        axe_version=AXE_CORE_VERSION,
        axe_findings=AXE_FINDINGS,
        known_gaps=KNOWN_GAPS,
        supervisor_form=SUPERVISOR_FORM,
        contact=contact,
        contact_shown=contact.removeprefix("mailto:"),
        publisher=settings.accessibility_publisher,
    )
