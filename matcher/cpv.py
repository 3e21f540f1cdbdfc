"""CPV codes as a bridge between languages that needs no multilingual model.

A text is tagged with the codes whose label, in the text's own language, it matches best; a
Swedish challenge and an English profile tagged with the same or a neighbouring code then share
a signal no English-only model sees. Codes become sparse vectors over their hierarchy prefixes,
so the dot product rewards the same code most and the same class or group less.
"""

from __future__ import annotations

import csv
import zlib
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from scipy import sparse
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.preprocessing import normalize

from matcher.analysis import Analyzer
from matcher.embedders.base import Progress

LANGUAGES = ("en", "sv", "da", "fi")


@dataclass(frozen=True)
class CpvCode:
    code: str
    labels: dict[str, str]

    def label(self, language: str) -> str:
        return self.labels.get(language) or self.labels.get("en", self.code)


def load_cpv(path: Path) -> list[CpvCode]:
    with path.open(encoding="utf-8") as handle:
        return [
            CpvCode(row["code"], {lang: row.get(lang, "") for lang in LANGUAGES})
            for row in csv.DictReader(handle)
        ]


def significant(code: str) -> str:
    """CPV pads with zeros below the level a code names: 45200000 is the group 452."""
    stripped = code.rstrip("0")
    return stripped if len(stripped) >= 2 else code[:2]


def prefixes(code: str) -> list[str]:
    digits = significant(code)
    return [digits[:n] for n in range(2, len(digits) + 1)]


def related_codes(left: Iterable[str], right: Iterable[str]) -> list[str]:
    """Codes the two sets share at some level: for each pair where one code lies in the other's
    class, the more general of the two (45000000 and 45210000 share 45000000)."""
    shared = set()
    for a in set(left):
        for b in set(right):
            sa, sb = significant(a), significant(b)
            if sa.startswith(sb):
                shared.add(b)
            elif sb.startswith(sa):
                shared.add(a)
    return sorted(shared)


class CpvTagger:
    """Tags texts with CPV codes by TF-IDF similarity to the labels in the text's language.

    `min_score` keeps only confident tags; `max_codes` caps how many a text gets. Only codes at
    `min_depth` significant digits or deeper are proposed (a division alone says little).
    """

    def __init__(
        self,
        codes: Sequence[CpvCode],
        *,
        max_codes: int = 3,
        min_score: float = 0.35,
        min_depth: int = 3,
    ) -> None:
        self.codes = [c for c in codes if len(significant(c.code)) >= min_depth]
        self.max_codes = max_codes
        self.min_score = min_score
        self.analyzer = Analyzer().fit(c.label(lang) for c in self.codes for lang in LANGUAGES)
        self._vectorizers: dict[str, TfidfVectorizer] = {}
        self._matrices: dict[str, sparse.csr_matrix] = {}
        for lang in LANGUAGES:
            vectorizer = TfidfVectorizer(analyzer=self._terms(lang), sublinear_tf=True)
            self._matrices[lang] = vectorizer.fit_transform([c.label(lang) for c in self.codes])
            self._vectorizers[lang] = vectorizer

    def _terms(self, language: str):  # noqa: ANN202 - a callable for scikit-learn
        return lambda text: self.analyzer.terms(text, language)

    def tag(self, texts: Iterable[str]) -> list[list[tuple[str, float]]]:
        """Per text, up to `max_codes` (code, score) pairs, best first (batched by language)."""
        texts = list(texts)
        by_language: dict[str, list[int]] = {}
        for position, text in enumerate(texts):
            language = self.analyzer.language(text)
            by_language.setdefault(language if language in self._vectorizers else "en", []).append(
                position
            )
        tagged: list[list[tuple[str, float]]] = [[] for _ in texts]
        for language, positions in by_language.items():
            queries = self._vectorizers[language].transform([texts[p] for p in positions])
            scores = (queries @ self._matrices[language].T).tocsr()
            for row, position in enumerate(positions):
                start, end = scores.indptr[row], scores.indptr[row + 1]
                values, columns = scores.data[start:end], scores.indices[start:end]
                best = np.lexsort((columns, -values))[: self.max_codes]
                tagged[position] = [
                    (self.codes[columns[b]].code, round(float(values[b]), 4))
                    for b in best
                    if values[b] >= self.min_score
                ]
        return tagged

    def label(self, code: str, language: str = "en") -> str:
        for entry in self.codes:
            if entry.code == code:
                return entry.label(language)
        return code


class CpvVectors:
    """Code sets to unit sparse vectors over hierarchy prefixes, hashed into a fixed width so
    vectors made at different times always line up (no state, nothing to fit)."""

    channel = "cpv"

    def __init__(self, depth_weight: float = 2.0, width: int = 1 << 18) -> None:
        self.depth_weight = depth_weight
        self.width = width

    def encode(
        self, code_sets: Sequence[Sequence[str]], progress: Progress | None = None
    ) -> sparse.csr_matrix:
        """(len(code_sets), n_features); deeper prefixes weigh more, empty sets stay zero."""
        rows, cols, values = [], [], []
        for row, codes in enumerate(code_sets):
            for code in set(codes):
                for depth, prefix in enumerate(prefixes(code), start=1):
                    column = zlib.crc32(prefix.encode("ascii")) % self.width
                    rows.append(row)
                    cols.append(column)
                    values.append(self.depth_weight**depth)
        matrix = sparse.csr_matrix(
            (values, (rows, cols)), shape=(len(code_sets), self.width), dtype=np.float32
        )
        matrix.sum_duplicates()
        if progress is not None:
            progress(len(code_sets))
        return normalize(matrix).astype(np.float32)
