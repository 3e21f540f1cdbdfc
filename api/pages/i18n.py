"""The visitor's language: which one they get, the numbers written their way, and Jinja2's
gettext reading that language's catalogue (klimatmatch.core.translations) while a page is drawn.

The data itself is shown in the language it was written; only the interface is translated."""

from __future__ import annotations

import gettext
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar

from babel import Locale
from babel.numbers import format_decimal
from jinja2 import Environment
from markupsafe import escape

from klimatmatch.core.translations import LANGUAGES, SOURCE_LANGUAGE, translations

__all__ = [
    "LANGUAGES",
    "LANGUAGE_NAMES",
    "current",
    "format_number",
    "install",
    "negotiate",
    "speaking",
]

LANGUAGE_NAMES = {  # each in itself, as a switch shows them: English, Svenska
    code: Locale.parse(code).get_display_name(code).capitalize() for code in LANGUAGES
}
NEIGHBOURS = {  # Scandinavian readers get a neighbour's language rather than English
    "da": ("nb", "no", "sv"),
    "nb": ("no", "nn", "da", "sv"),
    "nn": ("no", "nb", "sv", "da"),
    "no": ("nb", "nn", "da", "sv"),
}
_speaking: ContextVar[gettext.NullTranslations | None] = ContextVar("speaking", default=None)


def negotiate(cookie: str | None, accept_language: str | None) -> str:
    """The language a visitor chose, else the first of ours their browser prefers."""
    if cookie in LANGUAGES:
        return cookie  # type: ignore[return-value]
    for part in (accept_language or "").split(","):
        tag = part.split(";")[0].strip().lower()[:2]
        for code in (tag, *NEIGHBOURS.get(tag, ())):
            if code in LANGUAGES:
                return code
    return SOURCE_LANGUAGE


def format_number(value: int | None, language: str) -> str:
    """4,200 in English, 4 200 in Swedish (a no-break space, as Swedish writes it)."""
    return "?" if value is None else format_decimal(value, locale=language)


@contextmanager
def speaking(language: str) -> Iterator[gettext.NullTranslations]:
    """Templates drawn inside translate into `language` (per request: a context variable)."""
    token = _speaking.set(translations(language))
    try:
        yield current()
    finally:
        _speaking.reset(token)


def current() -> gettext.NullTranslations:
    """The translations `speaking` set; English outside it."""
    return _speaking.get() or translations(SOURCE_LANGUAGE)


def install(env: Environment) -> None:
    """Jinja2's i18n extension with new-style gettext (`_("%(n)s left", n=3)`) reading the
    language `speaking` set. A translation is text, not HTML: it is escaped like the values put
    into it, so a catalogue cannot add markup to a page."""
    env.add_extension("jinja2.ext.i18n")
    env.install_gettext_callables(  # type: ignore[attr-defined]
        gettext=lambda message: escape(current().gettext(message)),
        ngettext=lambda one, many, n: escape(current().ngettext(one, many, n)),
        pgettext=lambda context, message: escape(current().pgettext(context, message)),
        npgettext=lambda context, one, many, n: escape(current().npgettext(context, one, many, n)),
        newstyle=True,
    )
