"""The service searching a streaming replica of its PostgreSQL (KLIMATMATCH_PGVECTOR_READ_URL):
shortlists as on the primary, writes on the primary, a new profile in the replica's shortlists
once the replica has replayed it, a new challenge's shortlist at once (its row read from the
primary while the replica lags). A hot standby of the embedded PostgreSQL + pgvector, its
replay paused and resumed by the tests."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

import pytest
from fastapi.testclient import TestClient
from pydantic import ValidationError
from sqlalchemy import make_url

from api.app import create_app
from klimatmatch.core.settings import Settings
from matcher import Embedder
from tests.api.conftest import World, make_world
from tests.api.test_pgvector_api import EXCAVATORS
from tests.embedded_pg import Replica, fresh_database, start_server

pytestmark = pytest.mark.model


@dataclass
class Cluster:
    primary: World
    searching: World
    """The same service, searching the replica."""
    replica: Replica
    url: str


@pytest.fixture(scope="module")
def cluster(e5: Embedder) -> Iterator[Cluster]:
    server = start_server()
    url = fresh_database(server)
    replica = Replica(server)
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("KLIMATMATCH_INDEX_BACKEND", "pgvector")
        tokens, ids = make_world(url)
        settings = Settings(_env_file=None, database_url=url, index_backend="pgvector")
        read_url = replica.url(str(make_url(url).database))
        searching = settings.model_copy(update={"pgvector_read_url": read_url})
        with TestClient(create_app(settings, e5)) as first:  # builds the index on the primary
            replica.caught_up(url)
            with TestClient(create_app(searching, e5)) as second:
                yield Cluster(World(first, tokens, ids), World(second, tokens, ids), replica, url)
    replica.cleanup()
    server.cleanup()


def _shortlist(world: World, challenge_id: int, k: int = 10) -> list[tuple[int, float]]:
    response = world.get(f"/challenges/{challenge_id}/shortlist", "coordinator", params={"k": k})
    assert response.status_code == 200, response.text
    return [(r["company_id"], round(r["score"], 4)) for r in response.json()["results"]]


def test_the_replicas_shortlists_equal_the_primarys(cluster: Cluster) -> None:
    for name in ("sth_published", "mal_published"):
        challenge_id = cluster.primary.ids[name]
        found = _shortlist(cluster.searching, challenge_id)
        assert found and found == _shortlist(cluster.primary, challenge_id)
    opportunities = cluster.searching.get(
        f"/companies/{cluster.searching.ids['voltgrav']}/opportunities", "voltgrav"
    )
    assert opportunities.status_code == 200 and opportunities.json()["results"]


def test_a_new_profile_reaches_the_replica_once_replayed(cluster: Cluster) -> None:
    challenge_id = cluster.primary.ids["sth_published"]
    cluster.replica.replay("pause")
    try:
        created = cluster.searching.post(  # written on the primary: the replica is read-only
            "/companies",
            "voltgrav",
            json=EXCAVATORS,
        )
        assert created.status_code == 201, created.text
        company_id = created.json()["id"]
        assert company_id in dict(_shortlist(cluster.primary, challenge_id, 20))
        assert company_id not in dict(_shortlist(cluster.searching, challenge_id, 20))
    finally:
        cluster.replica.replay("resume")
    cluster.replica.caught_up(cluster.url)
    assert company_id in dict(_shortlist(cluster.searching, challenge_id, 20))


def test_a_new_challenge_has_a_shortlist_while_the_replica_lags(cluster: Cluster) -> None:
    cluster.replica.replay("pause")
    try:
        created = cluster.searching.post(
            "/challenges",
            "stockholm",
            json={
                "title": "Laddning för tunga fordon",
                "description": "Snabbladdning för eldrivna lastbilar och arbetsmaskiner i hamnen.",
            },
        )
        assert created.status_code == 201, created.text
        shortlist = _shortlist(cluster.searching, created.json()["id"])
    finally:
        cluster.replica.replay("resume")
    assert len(shortlist) == 10
    cluster.replica.caught_up(cluster.url)
    assert shortlist == _shortlist(cluster.primary, created.json()["id"])


def test_a_replica_needs_the_pgvector_backend_and_a_postgresql_url() -> None:
    replica = "postgresql://reader@replica.internal/klimatmatch"
    with pytest.raises(ValidationError, match="index_backend is not pgvector"):
        Settings(_env_file=None, index_backend="memory", pgvector_read_url=replica)
    with pytest.raises(ValidationError, match="must be a postgresql:// URL"):
        Settings(_env_file=None, index_backend="pgvector", pgvector_read_url="sqlite:///x.db")
    chosen = Settings(_env_file=None, index_backend="pgvector", pgvector_read_url=replica)
    assert chosen.pgvector_read_url == "postgresql+psycopg://reader@replica.internal/klimatmatch"
