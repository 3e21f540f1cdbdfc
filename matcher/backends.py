"""The one interface the engine ranks through, whichever backend holds the index.

A target index (the side being searched: companies for a challenge, challenges for a company)
answers a query with `Candidates`: the documents it proposes and, for every channel, the exact
score of every one of them. The in-process `ExactIndex` proposes every row it holds (filtered
rows score -inf); a database backend proposes the union of each channel's top `depth` found
under the filters in SQL, with their vectors scored exactly. Fusion, abstention and the
shortlist controls then run on the candidates alone, so ranking code does not care which.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Literal, Protocol, runtime_checkable

import numpy as np
from scipy import sparse

from matcher.documents import Document
from matcher.embedders.base import Matrix
from matcher.filters import Filters

Side = Literal["challenge", "company"]
Queries = Mapping[str, Matrix]
"""A query's rows per channel, (n_queries, dim) each: what `candidates` scores with."""
Channels = frozenset[str]
"""Channel names, e.g. those `candidates` scores only on the others' candidates (`rescore`)."""


@dataclass(frozen=True)
class Candidates:
    """What one query sees of a target index.

    `scores[channel]` is (len(documents),): higher is better, -inf for a candidate the filters
    refuse (the database backends never propose those). `rows(channel, positions)` returns those
    candidates' vectors of one channel, (len(positions), dim), for MMR and consortia."""

    documents: Sequence[Document]
    scores: dict[str, np.ndarray]
    rows: Callable[[str, Sequence[int]], Matrix]


@runtime_checkable
class TargetIndex(Protocol):
    """Documents with one vector per channel, searchable by `candidates`."""

    def __len__(self) -> int: ...

    def __contains__(self, document_id: object) -> bool: ...

    def document(self, document_id: int) -> Document: ...

    def vectors(self, document_id: int) -> dict[str, Matrix]: ...

    def entry(self, document_id: int) -> tuple[Document, dict[str, Matrix]]:
        """The document and its vectors: one read where they are stored together."""
        ...

    def upsert(self, documents: list[Document], vectors: Mapping[str, Matrix]) -> None: ...

    def remove(self, document_id: int) -> bool: ...

    def candidates(
        self, queries: Queries, filters: Filters, *, depth: int, rescore: Channels = frozenset()
    ) -> Candidates: ...

    @property
    def approximate_channels(self) -> list[str]: ...


IndexFactory = Callable[[Side], TargetIndex]
"""Makes the index of one side; `MatchEngine(indexes=...)` picks the backend through it."""


def stack(rows: Sequence[Matrix]) -> Matrix:
    """Rows of one channel as one matrix (sparse rows stay sparse)."""
    return sparse.vstack(rows, format="csr") if sparse.issparse(rows[0]) else np.vstack(rows)
