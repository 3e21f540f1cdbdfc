"""Language-aware analysis for the lexical channel: guess the language of each text, drop its
stop words, reduce words to Snowball stems, and split compounds into parts the corpus knows.

Swedish, Danish, Norwegian and Finnish glue words together ("laddinfrastruktur",
"fjärrvärmenät"); whole-word matching misses "infrastruktur" in them. Splitting is driven by the
corpus vocabulary (a part must be a word seen on its own), so no dictionary has to ship.
"""

from __future__ import annotations

import re
import threading
from collections import Counter
from collections.abc import Iterable
from functools import cache

import numpy as np
import Stemmer
from stop_words import get_stop_words

from matcher.text import guess_language
from matcher.vocabulary import HashedVocabulary

SNOWBALL = {"sv": "swedish", "da": "danish", "no": "norwegian", "fi": "finnish", "en": "english"}
COMPOUNDING = frozenset({"sv", "da", "no", "fi"})
"""Languages that write compounds as one word; English splits would mostly be noise."""
_WORD = re.compile(r"[^\W_]+(?:[-'][^\W_]+)*", re.UNICODE)
_HYPHENATED = re.compile(r"[^\W_]+(?:-[^\W_]+)+", re.UNICODE)
LINKING = ("s", "e", "a", "u", "o")
ENGLISH_STOP_WORDS = frozenset(
    """i me my myself we our ours ourselves you your yours yourself yourselves he him his himself
    she her hers herself it its itself they them their theirs themselves what which who whom this
    that these those am is are was were be been being have has had having do does did doing would
    should could ought i'm you're he's she's it's we're they're i've you've we've they've i'd
    you'd he'd she'd we'd they'd i'll you'll he'll she'll we'll they'll isn't aren't wasn't
    weren't hasn't haven't hadn't doesn't don't didn't won't wouldn't shan't shouldn't can't
    cannot couldn't mustn't let's that's who's what's here's there's when's where's why's how's a
    an the and but if or because as until while of at by for with about against between into
    through during before after above below to from up down in out on off over under again
    further then once here there when where why how all any both each few more most other some
    such no nor not only own same so than too very""".split()  # noqa: SIM905
)
"""Snowball's English list: function words only. The stop-words package's English list (1,333
entries) also drops words that carry meaning in company texts ("net", "zero", "group",
"system", "value", "million", "research", "world", numbers), which cost the lexical channel
against plain BM25 on English report passages."""


@cache
def stop_words(language: str) -> frozenset[str]:
    if SNOWBALL.get(language, "english") == "english":
        return ENGLISH_STOP_WORDS
    return frozenset(get_stop_words(SNOWBALL[language]))


class Analyzer:
    """Turns a text into index terms: stems, plus the stems of compound parts.

    `fit` learns which words exist on their own in the corpus; before it, compounds are kept whole.
    """

    def __init__(
        self,
        *,
        default_language: str = "en",
        decompound: bool = True,
        min_part: int = 4,
        min_compound: int = 9,
    ) -> None:
        self.default_language = default_language
        self.decompound = decompound
        self.min_part = min_part
        self.min_compound = min_compound
        self.vocabulary_ = HashedVocabulary.of([], [])
        """How often each word occurs on its own in the corpus (the parts compounds split into)."""
        self._local = threading.local()

    def fit(self, corpus: Iterable[str]) -> Analyzer:
        vocabulary: Counter[str] = Counter()
        for text in corpus:
            vocabulary.update(_WORD.findall(text.lower()))
        self.vocabulary_ = HashedVocabulary.of(list(vocabulary), list(vocabulary.values()))
        return self

    def export_state(self) -> tuple[dict, dict[str, np.ndarray]]:
        meta = {
            "default_language": self.default_language,
            "decompound": self.decompound,
            "min_part": self.min_part,
            "min_compound": self.min_compound,
        }
        return meta, {"word_keys": self.vocabulary_.keys, "word_counts": self.vocabulary_.values}

    @classmethod
    def import_state(cls, state: dict, arrays: dict[str, np.ndarray] | None = None) -> Analyzer:
        """From `export_state`, or from a state of before the hashed vocabulary (words as a
        dict in `state["vocabulary"]`)."""
        analyzer = cls(
            default_language=state["default_language"],
            decompound=state["decompound"],
            min_part=state["min_part"],
            min_compound=state["min_compound"],
        )
        if "vocabulary" in state:
            words = state["vocabulary"]
            analyzer.vocabulary_ = HashedVocabulary.of(list(words), list(words.values()))
        elif arrays is not None:
            analyzer.vocabulary_ = HashedVocabulary(arrays["word_keys"], arrays["word_counts"])
        return analyzer

    def language(self, text: str) -> str:
        guessed = guess_language(text)
        return guessed if guessed in SNOWBALL else self.default_language

    def terms(self, text: str, language: str | None = None) -> list[str]:
        language = language if language in SNOWBALL else self.language(text)
        stops = stop_words(language)
        stem = self._stemmer(language).stemWord
        terms: list[str] = []
        lowered = text.lower()
        for word in _WORD.findall(lowered):
            if word in stops or (len(word) < 2 and not word.isdigit()):
                continue
            terms.append(stem(word))
            if self.decompound and language in COMPOUNDING and len(word) >= self.min_compound:
                terms.extend(stem(part) for part in self.split(word))
        # "low-carbon" also matches "carbon", "CO2-utsläpp" also "utsläpp"
        for word in _HYPHENATED.findall(lowered):
            terms.extend(stem(p) for p in word.split("-") if len(p) > 1 and p not in stops)
        return terms

    def split(self, word: str) -> list[str]:
        """Best two-part split whose parts both occur as words; [] when there is none."""
        pairs: list[tuple[str, str]] = []
        for cut in range(self.min_part, len(word) - self.min_part + 1):
            head, tail = word[:cut], word[cut:]
            for candidate in (head, head[:-1] if head.endswith(LINKING) else None):
                if candidate and len(candidate) >= self.min_part:
                    pairs.append((candidate, tail))
        if not pairs:
            return []
        parts = sorted({part for pair in pairs for part in pair})
        counts = dict(zip(parts, self.vocabulary_.lookup(parts, 0).tolist(), strict=True))
        best: tuple[int, list[str]] = (0, [])
        for candidate, tail in pairs:
            score = min(counts[candidate], counts[tail])
            if score > best[0]:
                best = (score, [candidate, tail])
        return best[1]

    def _stemmer(self, language: str) -> Stemmer.Stemmer:
        """PyStemmer objects are not thread-safe: one per thread and language."""
        cache = self._local.__dict__.setdefault("stemmers", {})
        if language not in cache:
            cache[language] = Stemmer.Stemmer(SNOWBALL[language])
        return cache[language]

    def __getstate__(self) -> dict:
        state = self.__dict__.copy()
        state.pop("_local", None)
        return state

    def __setstate__(self, state: dict) -> None:
        self.__dict__.update(state)
        self._local = threading.local()
