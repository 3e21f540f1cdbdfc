"""The contract every embedding backend meets."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Protocol, runtime_checkable

import numpy as np
from scipy import sparse

Matrix = np.ndarray | sparse.csr_matrix
"""Rows are L2-normalised vectors, so the dot product of two rows is their cosine."""

Progress = Callable[[int], None]
"""Called with the number of texts just encoded, for progress bars."""


class EmbedderError(RuntimeError):
    """The backend cannot be built: missing weights, a refused checksum, a missing extra."""


@runtime_checkable
class Embedder(Protocol):
    """Challenges are encoded as queries and profiles as documents (asymmetric models).

    `fingerprint` names the model and everything that changes its vectors; the embedding cache
    and the match runs record it; `channel` names its score component. `cacheable`
    says whether vectors may be stored and reused
    across processes (false for backends whose vectors depend on a fitted corpus).
    """

    fingerprint: str
    cacheable: bool
    channel: str

    @property
    def dimension(self) -> int: ...

    @property
    def is_fitted(self) -> bool: ...

    def fit(self, corpus: Sequence[str]) -> Embedder: ...

    def encode_queries(self, texts: Sequence[str], progress: Progress | None = None) -> Matrix: ...

    def encode_documents(
        self, texts: Sequence[str], progress: Progress | None = None
    ) -> Matrix: ...
