"""Mark, in a text shown on a page, the terms and the sentence that made a pair match."""

from __future__ import annotations

import re
from collections.abc import Sequence

from markupsafe import Markup, escape

WORD = re.compile(r"\w+")
MIN_PART = 5  # as matcher.explain: a compound shares a term when it contains a long enough part


def sentence_span(text: str, sentence: str) -> tuple[int, int] | None:
    """Where `sentence` sits in `text`, tolerant of the whitespace and punctuation that
    sentence splitting normalised away; None when it is not there."""
    words = WORD.findall(sentence)
    if not words:
        return None
    found = re.search(r"\W+".join(map(re.escape, words)), text, flags=re.IGNORECASE)
    return (found.start(), found.end()) if found else None


def is_term(word: str, terms: Sequence[str]) -> bool:
    lower = word.lower()
    return any(lower == term or (len(term) >= MIN_PART and term in lower) for term in terms)


def highlight(text: str, terms: Sequence[str] = (), sentence: str = "") -> Markup:
    """The text, HTML-escaped, with shared terms in <mark class="term"> and the closest
    sentence in <mark class="sentence">; a word inside a compound is marked whole."""
    lowered = [term.lower() for term in terms if term]
    span = sentence_span(text, sentence) if sentence else None
    pieces: list[str] = []
    position = 0
    opened = closed = span is None

    def emit(until: int) -> None:
        """Copy text up to `until`, opening or closing the sentence mark where it falls."""
        nonlocal position, opened, closed
        if span and not opened and span[0] <= until:
            pieces.append(str(escape(text[position : span[0]])) + '<mark class="sentence">')
            position, opened = span[0], True
        if span and not closed and span[1] <= until:
            pieces.append(str(escape(text[position : span[1]])) + "</mark>")
            position, closed = span[1], True
        pieces.append(str(escape(text[position:until])))
        position = until

    for word in WORD.finditer(text):
        emit(word.start())
        if is_term(word.group(), lowered):
            pieces.append(f'<mark class="term">{escape(word.group())}</mark>')
        else:
            pieces.append(str(escape(word.group())))
        position = word.end()
    emit(len(text))
    return Markup("".join(pieces))
