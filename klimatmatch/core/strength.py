"""A match's strength as people read it: one figure (the calibrated probability that the pair
is relevant, `matcher.strength`) and one word by fixed thresholds, written the same way on
every page, list, export and e-mail, so "strong" in an alert is "strong" on the shortlist.

A challenge whose best match is not strong says so, with what would help: a city reads "no
strong answer yet" instead of a full bar over a weak list."""

from __future__ import annotations

from collections.abc import Iterable
from gettext import NullTranslations

from matcher import Strength
from matcher.strength import POSSIBLE_AT, STRONG_AT

__all__ = ["POSSIBLE_AT", "STRONG_AT", "Strength", "best_level", "level_of", "names", "phrase"]


def level_of(strength: float | None) -> Strength | None:
    return None if strength is None else Strength.of(strength)


def names(tr: NullTranslations) -> dict[str, str]:
    """The three words (the pages' `label("strength", ...)` reads this table too)."""
    return {
        Strength.STRONG.value: tr.gettext("Strong match"),
        Strength.POSSIBLE.value: tr.gettext("Possible match"),
        Strength.WEAK.value: tr.gettext("Weak match"),
    }


def phrase(tr: NullTranslations, strength: float | None) -> str:
    """ "Strong match (72%)": the word and the figure, as e-mails and exports write them."""
    level = level_of(strength)
    if level is None or strength is None:
        return tr.gettext("Strength not measured")
    return tr.gettext("%(level)s (%(percent)s%%)") % {
        "level": names(tr)[level.value],
        "percent": percent(strength),
    }


def percent(strength: float) -> int:
    return round(100 * strength)


def best_level(strengths: Iterable[float | None]) -> Strength | None:
    """The level of a list's best match (None for an empty or unmeasured list): what tells a
    city whether anyone answers its challenge well."""
    known = [s for s in strengths if s is not None]
    return Strength.of(max(known)) if known else None
