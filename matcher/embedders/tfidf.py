"""A backend with no model at all: TF-IDF over words and character n-grams (scikit-learn).

Character n-grams inside word boundaries let "laddinfrastruktur" meet "laddning" and
"infrastruktur", which whole-word matching misses in Swedish compounds.
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence

import numpy as np
from scipy import sparse
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.pipeline import FeatureUnion
from sklearn.preprocessing import normalize

from matcher.embedders.base import EmbedderError, Progress
from matcher.text import ALL_STOPWORDS


class TfidfEmbedder:
    """Fitted on the corpus it will search; vectors are sparse, unit-length rows.

    Not cacheable: the vocabulary and IDF weights change with the corpus, so vectors are
    recomputed on every fit (fast: thousands of texts per second).
    """

    cacheable = False
    channel = "tfidf"

    def __init__(
        self,
        *,
        char_ngram_range: tuple[int, int] = (3, 5),
        word_ngram_range: tuple[int, int] = (1, 2),
        min_df: int = 1,
        char_weight: float = 1.0,
    ) -> None:
        self.char_ngram_range = char_ngram_range
        self.word_ngram_range = word_ngram_range
        self.min_df = min_df
        self.char_weight = char_weight
        self.fingerprint = "tfidf:unfitted"
        self.union_: FeatureUnion | None = None

    @property
    def dimension(self) -> int:
        if self.union_ is None:
            return 0
        return sum(len(step.vocabulary_) for _, step in self.union_.transformer_list)

    @property
    def is_fitted(self) -> bool:
        return self.union_ is not None

    def fit(self, corpus: Sequence[str]) -> TfidfEmbedder:
        if not any(text.strip() for text in corpus):
            raise EmbedderError("the TF-IDF backend needs at least one text to fit on")
        self.union_ = self._union().fit(list(corpus))
        digest = hashlib.sha256("\x1e".join(corpus).encode("utf-8")).hexdigest()[:12]
        self.fingerprint = (
            f"tfidf:w{self.word_ngram_range}c{self.char_ngram_range}x{self.char_weight}:{digest}"
        )
        return self

    def _union(self, vocabularies: dict[str, dict[str, int]] | None = None) -> FeatureUnion:
        vocabularies = vocabularies or {}
        words = TfidfVectorizer(
            analyzer="word",
            ngram_range=self.word_ngram_range,
            min_df=self.min_df,
            sublinear_tf=True,
            stop_words=sorted(ALL_STOPWORDS),
            token_pattern=r"(?u)\b[^\W\d_]{2,}\b",
            vocabulary=vocabularies.get("word"),
        )
        chars = TfidfVectorizer(
            analyzer="char_wb",
            ngram_range=self.char_ngram_range,
            min_df=self.min_df,
            sublinear_tf=True,
            vocabulary=vocabularies.get("char"),
        )
        return FeatureUnion(
            [("word", words), ("char", chars)],
            transformer_weights={"word": 1.0, "char": self.char_weight},
        )

    @property
    def settings_key(self) -> str:
        return f"tfidf:w{self.word_ngram_range}c{self.char_ngram_range}x{self.char_weight}"

    def export_state(self) -> tuple[dict, dict[str, np.ndarray]]:
        """The fitted vocabularies and IDF weights, for a snapshot (see `import_state`)."""
        if self.union_ is None:
            raise EmbedderError("fit the TF-IDF backend before saving it")
        terms, arrays = {}, {}
        for name, step in self.union_.transformer_list:
            vocabulary = getattr(step, "vocabulary_", None) or step.vocabulary  # restored, unused
            terms[name] = sorted(vocabulary, key=vocabulary.__getitem__)
            arrays[f"{name}_idf"] = step.idf_
        meta = {
            "char_ngram_range": list(self.char_ngram_range),
            "word_ngram_range": list(self.word_ngram_range),
            "min_df": self.min_df,
            "char_weight": self.char_weight,
            "fingerprint": self.fingerprint,
            "terms": terms,
        }
        return meta, arrays

    @classmethod
    def import_state(cls, meta: dict, arrays: dict[str, np.ndarray]) -> TfidfEmbedder:
        embedder = cls(
            char_ngram_range=tuple(meta["char_ngram_range"]),
            word_ngram_range=tuple(meta["word_ngram_range"]),
            min_df=meta["min_df"],
            char_weight=meta["char_weight"],
        )
        union = embedder._union(
            {n: {t: i for i, t in enumerate(terms)} for n, terms in meta["terms"].items()}
        )
        for name, step in union.transformer_list:
            step.idf_ = np.asarray(arrays[f"{name}_idf"], dtype=np.float64)
        embedder.union_ = union
        embedder.fingerprint = meta["fingerprint"]
        return embedder

    def encode_queries(
        self, texts: Sequence[str], progress: Progress | None = None
    ) -> sparse.csr_matrix:
        return self._encode(texts, progress)

    def encode_documents(
        self, texts: Sequence[str], progress: Progress | None = None
    ) -> sparse.csr_matrix:
        return self._encode(texts, progress)

    def _encode(self, texts: Sequence[str], progress: Progress | None) -> sparse.csr_matrix:
        """Returns (len(texts), dimension) sparse CSR with unit rows (zero rows stay zero)."""
        if self.union_ is None:
            raise EmbedderError("fit the TF-IDF backend on the corpus before encoding")
        matrix = normalize(self.union_.transform(list(texts))).astype("float32")
        if progress is not None:
            progress(len(texts))
        return sparse.csr_matrix(matrix)
