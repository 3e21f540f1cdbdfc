from __future__ import annotations

from collections.abc import Iterator

import pytest
from api.app import create_app
from fastapi.testclient import TestClient
from klimatmatch.services.importing import import_file
from klimatmatch.settings import Settings
from sqlalchemy.orm import Session

from models import create_db_engine, session_factory
from models.migrate import upgrade
from tests.conftest import POSTGRES_URL, SAMPLE, reset_postgres


def seed(url: str) -> None:
    db = create_db_engine(url)
    upgrade(db)
    with session_factory(db)() as session:
        for name in ("challenges.csv", "companies.csv"):
            import_file(session=session, path=SAMPLE / name)
        session.commit()
    db.dispose()


@pytest.fixture
def client(sqlite_settings: Settings) -> Iterator[TestClient]:
    seed(sqlite_settings.database_url)
    with TestClient(create_app(sqlite_settings)) as test_client:
        yield test_client


def first_id(client: TestClient, path: str) -> int:
    return client.get(path).json()[0]["id"]


def test_health_reports_model_and_counts(client: TestClient) -> None:
    body = client.get("/health").json()
    assert body["status"] == "ok" and body["model"].startswith("tfidf:")
    assert (body["challenges"], body["companies"]) == (45, 155)
    assert (body["indexed_challenges"], body["indexed_companies"]) == (44, 155)


def test_shortlist_has_scores_components_explanations_and_a_run(client: TestClient) -> None:
    challenge_id = first_id(client, "/challenges")
    response = client.get(f"/challenges/{challenge_id}/shortlist", params={"k": 3, "country": "SE"})
    assert response.status_code == 200
    body = response.json()
    assert body["run_id"] > 0 and body["parameters"]["k"] == 3
    assert len(body["results"]) == 3
    first = body["results"][0]
    assert set(first["components"]) == {"tfidf"} and first["title"]
    assert first["explanation"]["document_sentence"]


def test_opportunities_for_a_company(client: TestClient) -> None:
    company_id = first_id(client, "/companies")
    body = client.get(f"/companies/{company_id}/opportunities?k=4").json()
    assert [r["rank"] for r in body["results"]] == [1, 2, 3, 4]
    assert all(r["company_id"] == company_id for r in body["results"])


def test_errors_are_problem_details_naming_the_field(client: TestClient) -> None:
    missing = client.get("/challenges/999999/shortlist")
    assert missing.status_code == 404
    assert missing.headers["content-type"] == "application/problem+json"
    assert "challenge 999999" in missing.json()["detail"]
    invalid = client.get("/challenges/1/shortlist?k=0")
    assert invalid.status_code == 422
    assert invalid.json()["errors"][0]["field"] == "k"
    wrong_type = client.get("/challenges/abc")
    assert wrong_type.status_code == 422 and "challenge_id" in wrong_type.json()["detail"]


def test_app_runs_on_postgresql(tmp_path) -> None:  # noqa: ANN001
    reset_postgres().dispose()
    seed(POSTGRES_URL)
    settings = Settings(database_url=POSTGRES_URL, embedder="tfidf")
    with TestClient(create_app(settings)) as client:
        assert client.get("/health").json()["companies"] == 155
        challenge_id = first_id(client, "/challenges")
        assert len(client.get(f"/challenges/{challenge_id}/shortlist?k=2").json()["results"]) == 2
    reset_postgres().dispose()
