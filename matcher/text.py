"""Language-light text handling shared by explanations and the TF-IDF backend."""

from __future__ import annotations

import re
from collections import Counter
from functools import lru_cache

_TOKEN = re.compile(r"[^\W\d_]{2,}(?:-[^\W\d_]+)*", re.UNICODE)
_SENTENCE_END = re.compile(r"(?<=[.!?;])\s+|\n+")


def _words(text: str) -> frozenset[str]:
    """A word list written as text: one string a language, words apart by spaces."""
    return frozenset(text.split())


# Small function-word lists: enough to guess a language and to keep explanations to content words.
STOPWORDS: dict[str, frozenset[str]] = {
    "en": _words(
        "a an and are as at be by can for from has have in into is it its of on or our that "
        "the their this to we with will which who how what where when not than more less also "
        "all"
    ),
    "sv": _words(
        "och att det som en ett är av för på med till den de om har inte vi kan vara eller "
        "från ska så men hur vad där när samt även mer mindre våra vår sina sin alla utan "
        "genom under efter över mot inom"
    ),
    "da": _words(
        "og at det som en et er af for på med til den de om har ikke vi kan være eller fra "
        "skal så men hvordan hvad hvor når samt også mere mindre vores alle uden gennem efter "
        "over mod inden"
    ),
    "no": _words(
        "og at det som en et er av for på med til den de om har ikke vi kan være eller fra "
        "skal så men hvordan hva hvor når samt også mer mindre våre vår alle uten gjennom "
        "etter over mot innen"
    ),
    "fi": _words(
        "ja on ei se että tai kuin myös mutta joka jotka sekä ovat olla voi kun niin kanssa "
        "mukaan avulla sekä yli alle jo vain kaikki tämä nämä meidän"
    ),
}
ALL_STOPWORDS = frozenset().union(*STOPWORDS.values())
_MARKERS = {"da": ("ø", "æ"), "no": ("ø", "æ"), "sv": ("ö", "ä"), "fi": ("ä", "ö")}


def tokens(text: str) -> list[str]:
    """Lower-cased word tokens of two or more letters; hyphenated compounds stay whole."""
    return [match.group(0) for match in _TOKEN.finditer(text.lower())]


def content_tokens(text: str) -> list[str]:
    return [token for token in tokens(text) if token not in ALL_STOPWORDS]


def sentences(text: str) -> list[str]:
    """Split on sentence punctuation and line breaks; keeps pieces with at least two words."""
    pieces = (piece.strip() for piece in _SENTENCE_END.split(text))
    return [piece for piece in pieces if len(piece.split()) >= 2] or [text.strip()]


@lru_cache(maxsize=20_000)
def guess_language(text: str) -> str | None:
    """Best guess among sv/en/da/no/fi from function words; None when there is no evidence.

    Good enough to tag records that arrive without a language; not a general detector.
    Remembered per text: ranking asks again for every candidate that declares no language
    (~0.1 ms each, ~50 ms a shortlist at 500 candidates), and candidates recur.
    """
    words = Counter(tokens(text))
    if not words:
        return None
    votes = {
        lang: sum(count for word, count in words.items() if word in stop)
        for lang, stop in STOPWORDS.items()
    }
    lowered = text.lower()
    for lang, letters in _MARKERS.items():
        # a letter English never writes is evidence even once (short labels: "Ugnar och ...")
        votes[lang] += (sum(lowered.count(letter) for letter in letters) + 1) // 2
    best = max(votes, key=lambda lang: (votes[lang], lang == "en"))
    return best if votes[best] > 0 else None
