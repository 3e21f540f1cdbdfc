"""A form's mistakes in plain words, in the reader's language: pydantic says "List should have at
least 1 item after validation, not 0"; a person reads "Tick at least one company to invite."

Each mistake is (field, message), so a page can name the field, link to it and mark it. The
texts are literal gettext calls so that `pybabel extract` finds them."""

from __future__ import annotations

from gettext import NullTranslations
from typing import Any

from pydantic import ValidationError

from api.pages import i18n
from klimatmatch.core.errors import InvalidInput

RENAMED = {"workshop_at": "workshop_date"}
"""A schema's field -> the form field a person typed it in."""


def field_errors(
    error: ValidationError | InvalidInput, tr: NullTranslations | None = None, form: str = ""
) -> list[tuple[str, str]]:
    """(field, message): pydantic's per field in plain words, or a domain error's
    "field: message". `form` names the form where the same mistake reads differently
    ("invite", "team"); `tr` is the reader's language (English without one)."""
    tr = tr or i18n.current()
    if isinstance(error, InvalidInput):
        name, _, message = error.message.partition(": ")
        return [(name.split(".")[0], message)] if message else [("form", error.message)]
    items = error.errors()
    fields = [(str(item["loc"][0]), plain(tr, form, item)) for item in items if item["loc"]]
    return fields + [named(tr, item["msg"]) for item in items if not item["loc"]]


def plain(tr: NullTranslations, form: str, item: Any) -> str:
    """One field's mistake as a person would say it; pydantic's own words where none fits."""
    _ = tr.gettext
    name, kind, ctx = str(item["loc"][0]), item["type"], item.get("ctx") or {}
    n = {"n": ctx.get("min_length", ctx.get("max_length"))}
    special = {
        ("invite", "company_ids", "too_short"): _("Tick at least one company to invite."),
        ("invite", "company_ids", "too_long"): _("Invite at most %(n)s companies at a time."),
        ("team", "company_ids", "too_short"): _("Tick at least two companies for a team."),
        ("team", "company_ids", "too_long"): _("Tick at most %(n)s companies for one team."),
    }
    general = {
        "too_short": _("Choose at least %(n)s."),
        "too_long": _("Choose at most %(n)s."),
        "string_too_short": _("Write at least %(n)s characters."),
        "string_too_long": _("Write at most %(n)s characters."),
        "missing": _("This is needed."),
        "literal_error": _("Choose one of the options."),
        "enum": _("Choose one of the options."),
    }
    text = special.get((form, name, kind)) or general.get(kind)
    return text % n if text else str(item["msg"]).removeprefix("Value error, ")


def named(tr: NullTranslations, message: str) -> tuple[str, str]:
    """A whole-form rule ("outcome is required to move to closed") names its field first; the
    rules a person meets on the stage form read as what to do."""
    _ = tr.gettext
    text = message.removeprefix("Value error, ")
    first = text.split(" ", 1)[0]
    needed = {
        "outcome": _("Choose the outcome."),
        "summary": _("Write what came of it, for the companies to read."),
        "workshop_at": _("Give the workshop's date and time."),
        "workshop_place": _("Give the place or the meeting link."),
    }
    if " is required to move to " in text and first in needed:
        text = needed[first]
    name = RENAMED.get(first, first)
    return (name if first.isidentifier() and first.islower() else "form", text)
