"""The interface's texts in a reader's language, for the pages and the e-mails alike, from the
gettext catalogues under `locales/` (one `.po` per language; docs/translations.md says how to
add one).

English is the source language: its texts are the msgids, so it needs no catalogue, and a text
missing from a catalogue shows in English. A catalogue is compiled to its `.mo` at install
(`make install` runs `pybabel compile`); where the `.mo` is missing or older than its `.po` (a
plain `pip install`, a fresh clone's tests, a translator's edit) it is compiled here on first
use with Babel's own reader and writer, into the folder when it is writable, in memory when not.
"""

from __future__ import annotations

import contextlib
import gettext
import io
import os
from functools import cache
from pathlib import Path

from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from babel.support import Translations

__all__ = ["LANGUAGES", "LOCALES", "N_", "SOURCE_LANGUAGE", "compiled", "translations"]

LOCALES = Path(__file__).parent / "locales"
DOMAIN = "messages"
SOURCE_LANGUAGE = "en"
LANGUAGES: tuple[str, ...] = (
    SOURCE_LANGUAGE,
    *sorted(po.parents[1].name for po in LOCALES.glob(f"*/LC_MESSAGES/{DOMAIN}.po")),
)
"""English, then every language that has a catalogue."""


def N_(message: str) -> str:
    """Marks a text for extraction where it is named; it is translated where it is drawn."""
    return message


def translations(language: str | None) -> gettext.NullTranslations:
    """`language`'s catalogue; the English source texts for English, None or a language
    without one."""
    return _catalogue(language if language in LANGUAGES else SOURCE_LANGUAGE)


@cache  # one per language we have, read once per process
def _catalogue(language: str) -> gettext.NullTranslations:
    if language == SOURCE_LANGUAGE:
        return gettext.NullTranslations()
    po = LOCALES / language / "LC_MESSAGES" / f"{DOMAIN}.po"
    return Translations(io.BytesIO(compiled(po)), domain=DOMAIN)


def compiled(po: Path) -> bytes:
    """The `.mo` beside `po`, compiled first when it is missing or older than `po`.

    Fuzzy entries stay out, as `pybabel compile` leaves them out: a guess shows in English."""
    mo = po.with_suffix(".mo")
    if mo.exists() and mo.stat().st_mtime >= po.stat().st_mtime:
        return mo.read_bytes()
    with po.open("rb") as file:
        catalogue = read_po(file, locale=po.parents[1].name, domain=DOMAIN)
    buffer = io.BytesIO()
    write_mo(buffer, catalogue)
    partial = mo.with_name(f".{mo.name}.{os.getpid()}")  # renamed: no reader sees half a file
    with contextlib.suppress(OSError):  # a read-only install: the catalogue is used from memory
        partial.write_bytes(buffer.getvalue())
        partial.replace(mo)
    return buffer.getvalue()
