"""The catalogues: the committed template is what extraction finds now, and every language's
`.po` translates each of its messages, with the same placeholders, nothing fuzzy. Then how the
pages and e-mails use them: compiled on first use, escaped in a page, a label for every value."""

from __future__ import annotations

import io
import os
import re
import shutil
import time
from pathlib import Path

import pytest
from babel.messages.catalog import Catalog
from babel.messages.frontend import CommandLineInterface
from babel.messages.pofile import read_po, write_po
from babel.support import Translations

from api.pages.i18n import LANGUAGE_NAMES, format_number, negotiate, speaking
from api.pages.labels import KINDS
from api.pages.rendering import templates
from klimatmatch.core.translations import LANGUAGES, LOCALES, compiled, translations
from klimatmatch.engagement import funnel
from models.alerts import Frequency
from models.engagement import Answer, InterestStatus, TeamStatus
from models.jobs import JobState
from models.tables import ChallengeOutcome, ChallengeStage, ChallengeStatus, Decision, Role

ROOT = Path(__file__).parents[3]
CATALOGUES = sorted(LOCALES.glob("*/LC_MESSAGES/messages.po"))
EXTRACT = "extract -F babel.cfg --no-location --sort-output --add-comments=Translators:"
"""As docs/translations.md runs it (`pybabel extract ... -o ... api klimatmatch`)."""
PLACEHOLDER = re.compile(r"%\((\w+)\)[sdif]")


def read(path: Path) -> Catalog:
    with path.open("rb") as file:
        return read_po(file)


def messages(catalogue: Catalog) -> dict[tuple[object, object], tuple[object, ...]]:
    """(context, msgid) -> what a translator is shown of it, the header left out."""
    return {
        (m.context, m.id): (tuple(sorted(m.flags - {"fuzzy"})), tuple(m.auto_comments))
        for m in catalogue
        if m.id
    }


def extract(output: Path) -> Catalog:
    """The template from the code as it is now (babel.cfg's patterns: within each folder)."""
    args = EXTRACT.replace("babel.cfg", str(ROOT / "babel.cfg")).split()
    folders = [str(ROOT / "api"), str(ROOT / "klimatmatch")]
    CommandLineInterface().run(["pybabel", "-q", *args, "-o", str(output), *folders])
    return read(output)


def problems(template: Catalog, catalogue: Catalog) -> list[str]:
    """Why `catalogue` cannot ship against `template`: one line per fault."""
    wanted, have = messages(template).keys(), messages(catalogue).keys()
    found = [f"{key}: missing" for key in wanted - have]
    found += [f"{key}: not in the template (run pybabel update)" for key in have - wanted]
    found += ["the header: fuzzy (pybabel compile skips the catalogue)"] if catalogue.fuzzy else []
    for message in catalogue:
        if not message.id:
            continue
        ids = message.id if isinstance(message.id, tuple) else (message.id,)
        forms = message.string if isinstance(message.string, tuple) else (message.string,)
        names = set().union(*(PLACEHOLDER.findall(text) for text in ids))
        if message.fuzzy:
            found.append(f"{ids[0]!r}: fuzzy")
        if not all(forms):
            found.append(f"{ids[0]!r}: untranslated")
        if any(form and set(PLACEHOLDER.findall(form)) != names for form in forms):
            found.append(f"{ids[0]!r}: placeholders other than {sorted(names)}")
    found += [f"{m.id!r}: {error}" for m, errors in catalogue.check() for error in errors]
    return found


def test_the_committed_template_is_what_extraction_finds(tmp_path: Path) -> None:
    fresh = extract(tmp_path / "messages.pot")
    committed = read(LOCALES / "messages.pot")
    assert len(messages(fresh)) > 350
    stale = sorted(map(str, messages(fresh).items() ^ messages(committed).items()))
    assert stale == [], f"messages.pot is stale: run pybabel {EXTRACT} (docs/translations.md)"


@pytest.mark.parametrize("po", CATALOGUES, ids=lambda po: po.parents[1].name)
def test_every_catalogue_translates_every_message(po: Path) -> None:
    assert problems(read(LOCALES / "messages.pot"), read(po)) == []


def test_the_check_finds_each_fault() -> None:
    template = Catalog()
    for text in ("Hello %(name)s", "Save", "Close", "Open", "Gone"):
        template.add(text)
    template.add(("%(n)s person", "%(n)s people"))
    catalogue = Catalog(locale="sv")
    catalogue.add("Hello %(name)s", "Hej %(namn)s")
    catalogue.add("Save", "")
    catalogue.add("Close", "Stäng", flags=["fuzzy"])
    catalogue.add("Extra", "Extra")
    catalogue.add(("%(n)s person", "%(n)s people"), ("%(n)s person", ""))
    found = "\n".join(problems(template, catalogue))
    assert "'Hello %(name)s': placeholders other than ['name']" in found
    assert "'Save': untranslated" in found
    assert "'Close': fuzzy" in found
    assert "(None, 'Open'): missing" in found
    assert "'Extra'): not in the template" in found
    assert "'%(n)s person': untranslated" in found


def test_english_then_every_catalogue_is_a_language_of_the_pages() -> None:
    assert LANGUAGES[0] == "en" and "sv" in LANGUAGES
    assert {po.parents[1].name for po in CATALOGUES} == set(LANGUAGES[1:])
    assert LANGUAGE_NAMES == {"en": "English", "sv": "Svenska"}


def test_a_catalogue_is_compiled_when_its_mo_is_missing_or_older(tmp_path: Path) -> None:
    po = tmp_path / "sv" / "LC_MESSAGES" / "messages.po"
    po.parent.mkdir(parents=True)
    shutil.copy(LOCALES / "sv" / "LC_MESSAGES" / "messages.po", po)
    mo = po.with_suffix(".mo")
    first = Translations(io.BytesIO(compiled(po)))
    assert mo.exists() and first.gettext("Sign in") == "Logga in"

    catalogue = read(po)
    catalogue.get("Sign in").string = "Logga in nu"
    with po.open("wb") as file:
        write_po(file, catalogue)
    later = time.time() + 5
    os.utime(po, (later, later))  # a translator's edit after the build
    assert b"Logga in nu" in compiled(po) and b"Logga in nu" in mo.read_bytes()
    mo.write_bytes(b"not read: newer than the .po")
    os.utime(mo, (later + 5, later + 5))
    assert compiled(po) == b"not read: newer than the .po"


def test_texts_follow_the_language_and_default_to_english() -> None:
    sv, en = translations("sv"), translations("en")
    assert sv.gettext("Sign in") == "Logga in" and en.gettext("Sign in") == "Sign in"
    assert translations("xx").gettext("Accept") == "Accept"
    assert sv.pgettext("review decision", "Accepted") == "Accepterad"
    assert sv.pgettext("workshop answer", "Accepted") == "Tackat ja"
    challenges = ("%(n)s challenge", "%(n)s challenges")
    assert [sv.ngettext(*challenges, n) % {"n": n} for n in (1, 2)] == [
        "1 utmaning",
        "2 utmaningar",
    ]
    assert en.ngettext(*challenges, 1) % {"n": 1} == "1 challenge"


def test_a_page_translates_as_text_and_escapes_the_values() -> None:
    """A translation cannot add markup: `<key>` in it shows as text, as a value's `<b>` does."""
    page = templates.env.from_string(
        '{{ _("For %(name)s", name=who) }} | {{ ngettext("%(n)s person", "%(n)s people", 3, n=3) }}'
        ' | {{ label("stage", "open") }} | {{ _("For programs calling the API (Authorization: '
        'Bearer <key>). A key acts as you; it is shown once, when you create it.") }}'
    )
    with speaking("sv"):
        drawn = page.render(who="<b>Malmö</b>")
    assert drawn.startswith("För &lt;b&gt;Malmö&lt;/b&gt; | 3 personer | Öppen för intresse")
    assert "Bearer &lt;nyckel&gt;" in drawn
    assert page.render(who="Malmö").startswith("For Malmö | 3 people | Open for interest")


@pytest.mark.parametrize(
    ("kind", "values"),
    [
        ("status", ChallengeStatus),
        ("review", Decision),
        ("role", Role),
        ("stage", ChallengeStage),
        ("answer", Answer),
        ("outcome", ChallengeOutcome),
        ("team", TeamStatus),
        ("interest", InterestStatus),
        ("frequency", Frequency),
        ("funnel_step", funnel.STEPS),
        ("job_state", (JobState.QUEUED, JobState.RUNNING)),  # the list shows unfinished jobs
    ],
)
def test_every_value_a_page_shows_has_a_label(kind: str, values: object) -> None:
    labels = KINDS[kind](translations("sv"))
    assert {str(value) for value in values} <= labels.keys()  # type: ignore[attr-defined]


def test_negotiation_and_numbers() -> None:
    assert negotiate("sv", "en-GB") == "sv"
    assert negotiate(None, "fr-FR, nb;q=0.8, en;q=0.5") == "sv"  # a Norwegian reads Swedish
    assert negotiate(None, "da-DK") == "sv"
    assert negotiate("klingon", "de-DE") == "en"
    assert format_number(4200, "sv") == "4\u00a0200" and format_number(4200, "en") == "4,200"
    assert format_number(None, "en") == "?"
