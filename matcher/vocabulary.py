"""A vocabulary of millions of terms held as two numpy arrays instead of a dict of strings.

BM25's vocabulary grows with the corpus (company names, places, product words: 1M synthetic
profiles give 1M terms), and every process that ranks holds it. A Python dict of 1M short
strings costs ~150 MB and a pickled copy to load it; a sorted array of 64-bit keys (a stable
hash of each term) and one of values costs 12-16 bytes a term and loads without building a
single string. Two terms share a key with probability ~n^2 / 2^65 (3e-8 at 1M terms); a
collision is refused at build time rather than silently merging two terms.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Sequence

import numpy as np


def key(term: str) -> int:
    """A 64-bit hash that is the same in every process (Python's own `hash` is salted)."""
    return int.from_bytes(hashlib.blake2b(term.encode("utf-8"), digest_size=8).digest(), "little")


def keys(terms: Iterable[str]) -> np.ndarray:
    return np.fromiter((key(t) for t in terms), dtype=np.uint64)


class HashedVocabulary:
    """term -> value (a column, a count); `lookup` answers many terms at once."""

    def __init__(self, term_keys: np.ndarray, values: np.ndarray) -> None:
        order = np.argsort(term_keys, kind="stable")
        self.keys = np.asarray(term_keys, dtype=np.uint64)[order]
        self.values = np.asarray(values)[order]
        if len(self.keys) > 1 and not np.all(self.keys[1:] != self.keys[:-1]):
            raise ValueError("two terms share a 64-bit key: the vocabulary cannot tell them apart")

    @classmethod
    def of(cls, terms: Sequence[str], values: Sequence[int] | np.ndarray) -> HashedVocabulary:
        return cls(keys(terms), np.asarray(values, dtype=np.int64))

    def __len__(self) -> int:
        return len(self.keys)

    def lookup(self, terms: Sequence[str], missing: int = -1) -> np.ndarray:
        """Each term's value, `missing` for terms not in the vocabulary."""
        if not len(terms) or not len(self.keys):
            return np.full(len(terms), missing, dtype=np.int64)
        wanted = keys(terms)
        at = np.minimum(np.searchsorted(self.keys, wanted), len(self.keys) - 1)
        found = self.keys[at] == wanted
        return np.where(found, self.values[at], missing).astype(np.int64)

    def get(self, term: str, default: int = 0) -> int:
        return int(self.lookup([term], default)[0])
