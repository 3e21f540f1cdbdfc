"""What the engine matches: a text with an id and a few structured fields for filtering."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field


@dataclass(frozen=True, slots=True)
class Document:
    """A challenge or a company profile as the engine sees it.

    `fields` holds the structured values filters work on (country, sector, language, ...),
    lower-cased by the caller's choice; the engine compares them as given. `codes` are the CPV
    codes the owner declared; `tagged` are those the engine's tagger read in the text. Both
    filter and explain; only declared codes rank (tags measured as noise in the ranking).
    """

    id: int
    text: str
    fields: dict[str, str] = field(default_factory=dict)
    codes: tuple[str, ...] = ()
    tagged: tuple[str, ...] = ()

    @property
    def all_codes(self) -> tuple[str, ...]:
        return tuple(dict.fromkeys([*self.codes, *self.tagged]))

    @property
    def text_hash(self) -> str:
        return text_hash(self.text)


def text_hash(text: str) -> str:
    """Key of the embedding cache: the same text embeds to the same vector under one model."""
    return hashlib.sha256(text.encode("utf-8")).hexdigest()
