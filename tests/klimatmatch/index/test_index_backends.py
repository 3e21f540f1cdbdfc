"""One index-backend registry: each value the setting allows maps to a class meeting
`IndexBackend`, an unknown value is refused by name, and rows reach the store of the index
the engine was built with."""

from __future__ import annotations

from pathlib import Path
from typing import get_args

import pytest
from sqlalchemy import create_engine

from klimatmatch.core.settings import Settings
from klimatmatch.index import indexing, vector_backend
from klimatmatch.index.backend import IndexBackend, NoIndexTables
from klimatmatch.index.registry import BACKENDS, UnknownBackend, backend_for
from matcher import Embedder, MatchEngine


def test_every_value_the_setting_allows_has_a_backend_meeting_the_protocol() -> None:
    allowed = set(get_args(Settings.model_fields["index_backend"].annotation))
    assert set(BACKENDS) == allowed
    for value in sorted(allowed):
        settings = Settings(_env_file=None, index_backend=value)
        backend = backend_for(settings)
        assert isinstance(backend, IndexBackend), value
        assert type(backend) is BACKENDS[value] and backend.settings is settings


def test_a_class_lacking_a_method_does_not_meet_the_protocol() -> None:
    class NoSnapshots:
        settings = Settings(_env_file=None)

        def migrate(self, db: object) -> None: ...
        def start(self, db: object, embedder: object = None) -> None: ...
        def reindex(self, say: object, *, graphs_only: bool = False) -> None: ...
        def tables(self) -> None: ...

    assert not isinstance(NoSnapshots(), IndexBackend)


def test_an_unknown_value_is_refused_by_name() -> None:
    settings = Settings(_env_file=None).model_copy(update={"index_backend": "faiss"})
    with pytest.raises(UnknownBackend, match="'faiss' is not one of: memory, pgvector"):
        backend_for(settings)


def test_the_in_process_backend_keeps_no_tables() -> None:
    with pytest.raises(NoIndexTables, match="not pgvector"):
        backend_for(Settings(_env_file=None, index_backend="memory")).tables()


def test_rows_go_to_the_store_of_the_index_the_engine_was_built_with(
    tfidf: Embedder, tmp_path: Path
) -> None:
    assert indexing.store(MatchEngine(tfidf)) is indexing.IN_PROCESS
    db = create_engine(f"sqlite:///{tmp_path / 'never-connected.db'}")
    indexes = vector_backend.indexes(db, Settings(_env_file=None, index_backend="pgvector"))
    assert isinstance(indexes, indexing.RowStore)
    assert indexing.store(MatchEngine(tfidf, indexes=indexes)) is indexes
    db.dispose()
