"""e5's symmetric prompt: profiles encoded as queries, under a fingerprint of their own."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pytest

from klimatmatch.core.settings import PACKAGED_E5, Settings
from klimatmatch.index.embedding import build_embedder
from matcher.embedders.base import Embedder
from matcher.embedders.prompts import SymmetricPrompts


class Prompted:
    """A fake asymmetric model: the prompt decides the vector's first coordinate."""

    cacheable = True
    channel = "dense"
    is_fitted = True
    languages = None
    fingerprint = "prompted"
    dimension = 2

    def fit(self, corpus: Sequence[str]) -> Prompted:
        return self

    def encode_queries(self, texts: Sequence[str], progress=None) -> np.ndarray:  # noqa: ANN001
        return np.tile([1.0, 0.0], (len(texts), 1))

    def encode_documents(self, texts: Sequence[str], progress=None) -> np.ndarray:  # noqa: ANN001
        return np.tile([0.0, 1.0], (len(texts), 1))


def test_documents_are_encoded_as_queries_under_their_own_fingerprint() -> None:
    wrapped = SymmetricPrompts(Prompted())
    assert isinstance(wrapped, Embedder)
    assert wrapped.encode_documents(["a", "b"]).tolist() == [[1.0, 0.0], [1.0, 0.0]]
    assert wrapped.encode_queries(["a"]).tolist() == [[1.0, 0.0]]
    assert wrapped.fingerprint == "prompted|documents=query"
    assert wrapped.channel == "dense" and wrapped.languages is None and wrapped.dimension == 2


@pytest.mark.model
def test_the_settings_choose_the_prompt_profiles_are_encoded_with() -> None:
    symmetric = build_embedder(Settings(_env_file=None, model=PACKAGED_E5))
    asymmetric = build_embedder(
        Settings(_env_file=None, model=PACKAGED_E5, e5_document_prompt="passage")
    )
    assert isinstance(symmetric, SymmetricPrompts)
    assert not isinstance(asymmetric, SymmetricPrompts)
    assert symmetric.fingerprint == f"{asymmetric.fingerprint}|documents=query"
