from __future__ import annotations

import re
import string

from api.ui.i18n import LANGUAGES, MESSAGES, negotiate, translator
from api.ui.rendering import HERE


def placeholders(text: str) -> set[str]:
    return {name for _, name, _, _ in string.Formatter().parse(text) if name}


def test_every_message_exists_in_every_language_with_the_same_placeholders() -> None:
    for key, entry in MESSAGES.items():
        assert set(entry) == set(LANGUAGES), key
        assert all(entry[code].strip() for code in LANGUAGES), key
        assert len({frozenset(placeholders(entry[code])) for code in LANGUAGES}) == 1, key


def test_every_key_the_templates_use_is_defined() -> None:
    used: set[str] = set()
    for template in (HERE / "templates").glob("*.html"):
        used |= set(re.findall(r"""\bt\(\s*["']([a-z_]+\.[a-z_]+)["']""", template.read_text()))
    used |= {f"review.{d}" for d in ("accepted", "rejected", "maybe")}
    used |= {f"status.{s}" for s in ("draft", "published", "archived")}
    used |= {f"role.{r}" for r in ("coordinator", "admin", "city", "company")}
    assert len(used) > 60
    assert sorted(used - set(MESSAGES)) == []


def test_translation_and_negotiation() -> None:
    assert translator("sv")("list.unreviewed_of", n=3, k=10) == "3 av 10 ej granskade"
    assert translator("xx")("review.accept") == "Accept"
    assert negotiate("sv", "en-GB") == "sv"
    assert negotiate(None, "fr-FR, nb;q=0.8, en;q=0.5") == "sv"
    assert negotiate("klingon", "de-DE") == "en"
