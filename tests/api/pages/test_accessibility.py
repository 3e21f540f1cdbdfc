"""The accessibility statement over HTTP: anyone reads it, in English and in Swedish, with what
DOS-lagen asks of it (how compliant, what is not, how and when assessed, where to report, the
supervisory authority's form); its contact comes from the settings, and only a mailto: or http(s)
address is accepted; every page's footer links it (the browser test checks each page)."""

from __future__ import annotations

import html
import re
from pathlib import Path

import pytest
from axe_playwright_python.base import AXE_SCRIPT
from fastapi.testclient import TestClient
from pydantic import ValidationError

from api.app import create_app
from api.pages.accessibility import ASSESSED, AXE_CORE_VERSION, KNOWN_GAPS, SUPERVISOR_FORM
from klimatmatch.core.settings import Settings
from klimatmatch.core.translations import translations
from tests.api.conftest import World, make_world
from tests.api.pages.test_pages import signed_in

STATEMENT = "/ui/accessibility"
FOOTER_LINK = re.compile(
    r'<footer class="foot">[^<]*(<a [^>]*>[^<]*</a>\s*)*?<a href="/ui/accessibility">'
)


def text_of(page: str) -> str:
    """The page's words, tags gone and entities read, spaces as one."""
    return " ".join(html.unescape(re.sub(r"<[^>]+>", " ", page)).split())


def read(client: TestClient, language: str) -> str:
    answer = client.get(STATEMENT, headers={"Accept-Language": language}, follow_redirects=False)
    assert answer.status_code == 200
    assert f'<html lang="{language}">' in answer.text
    return answer.text


def test_a_visitor_reads_the_statement_in_english(world: World) -> None:
    page = read(TestClient(world.client.app), "en")
    words = text_of(page)
    assert "<h1>Accessibility statement</h1>" in page
    assert "partially compliant" in words and "WCAG) 2.1 at level AA" in words
    assert "EN 301 549" in words and "DOS-lagen, 2018:1937" in words
    assert f"made on {ASSESSED.isoformat()}" in words
    assert f"axe-core {AXE_CORE_VERSION} checks every page" in words
    assert all(" ".join(gap.split()) in words for gap in KNOWN_GAPS)
    assert f'href="{SUPERVISOR_FORM}"' in page
    assert 'href="mailto:accessibility@klimatmatch.local"' in page
    assert ">accessibility@klimatmatch.local</a>" in page  # shown without "mailto:"
    assert 'data-testid="user-name"' not in page  # nobody is signed in


def test_the_statement_in_swedish(world: World) -> None:
    """Tillgänglighetsredogörelse: every text of the page translated, the facts the same."""
    page = read(TestClient(world.client.app), "sv")
    words = text_of(page)
    swedish = translations("sv")
    assert "<h1>Tillgänglighetsredogörelse</h1>" in page
    assert "Myndigheten för digital förvaltning" in words
    assert "delvis förenlig" in words
    assert all(" ".join(swedish.gettext(gap).split()) in words for gap in KNOWN_GAPS)
    assert all(swedish.gettext(gap) != gap for gap in KNOWN_GAPS)
    assert ASSESSED.isoformat() in words and AXE_CORE_VERSION in words
    assert f'href="{SUPERVISOR_FORM}"' in page


def test_a_signed_in_person_reads_it_with_their_menu(world: World) -> None:
    page = signed_in(world, "voltgrav").get(STATEMENT, follow_redirects=False)
    assert page.status_code == 200
    assert 'data-testid="user-name">voltgrav<' in page.text
    assert "<h1>Accessibility statement</h1>" in page.text


def test_the_publisher_and_contact_come_from_the_settings(tmp_path: Path) -> None:
    settings = Settings(
        database_url=f"sqlite:///{tmp_path / 'a11y.db'}",
        embedder="tfidf",
        accessibility_publisher="Stockholms stad",
        accessibility_contact="https://start.stockholm/kontakt",
    )
    make_world(settings.database_url)
    with TestClient(create_app(settings)) as client:
        page = read(client, "en")
    assert text_of(page).startswith("Accessibility statement · Klimatmatch")
    assert "Stockholms stad runs Klimatmatch" in text_of(page)
    assert '<a href="https://start.stockholm/kontakt" data-testid="contact">' in page
    assert "mailto:" not in page


@pytest.mark.parametrize(
    "contact",
    ["javascript:alert(1)", "mailto:", "mailto:nobody", "ftp://files.example/", "tillgänglighet"],
)
def test_a_contact_that_is_no_address_is_refused_at_start(contact: str) -> None:
    with pytest.raises(ValidationError, match="accessibility_contact"):
        Settings(accessibility_contact=contact)


def test_every_kind_of_page_links_the_statement_in_its_footer(world: World) -> None:
    """The frame every page shares: a form, a signed-in page, an error page."""
    visitor = TestClient(world.client.app)
    coordinator = signed_in(world, "coordinator")
    for client, path, status in [
        (visitor, "/ui/sign-in", 200),
        (visitor, "/ui/reset/not-a-token", 404),
        (coordinator, "/ui/challenges", 200),
        (coordinator, "/ui/challenges/999999", 404),
        (coordinator, STATEMENT, 200),
    ]:
        answer = client.get(path, follow_redirects=False)
        assert answer.status_code == status, path
        assert FOOTER_LINK.search(answer.text), path


def test_the_statement_names_the_axe_core_the_tests_run() -> None:
    """Updating axe-playwright-python (and so axe-core) means assessing again."""
    shipped = re.search(r"axe v(\d+\.\d+\.\d+)", AXE_SCRIPT[:500])
    assert shipped is not None and shipped.group(1) == AXE_CORE_VERSION
