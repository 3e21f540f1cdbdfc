from __future__ import annotations

from fastapi.testclient import TestClient

from api.app import create_app
from klimatmatch.core.settings import Settings
from tests.api.conftest import World, make_world
from tests.conftest import POSTGRES_URL, reset_postgres


def test_health_reports_model_and_counts_to_staff(world: World) -> None:
    body = world.get("/health", "coordinator").json()
    assert body["status"] == "ok" and body["model"].startswith("tfidf:")
    assert body["challenges"] >= 45 and body["companies"] >= 155
    assert body["indexed_challenges"] >= 44


def test_me_names_the_account(world: World) -> None:
    assert world.get("/me", "stockholm").json()["organisation"] == "Stockholm"
    assert world.get("/me", "admin").json()["role"] == "admin"


def test_missing_and_bad_tokens_get_401_problem_details(world: World) -> None:
    anonymous = world.get("/challenges", "anonymous")
    assert anonymous.status_code == 401
    assert anonymous.headers["content-type"] == "application/problem+json"
    assert anonymous.headers["www-authenticate"] == "Bearer"
    forged = world.client.get("/challenges", headers={"Authorization": "Bearer km_forged"})
    assert forged.status_code == 401 and "unknown or revoked" in forged.json()["detail"]


def test_shortlist_has_strengths_components_explanations_and_freezes_as_a_run(
    world: World,
) -> None:
    challenge = world.ids["sth_published"]
    query = {"k": 3, "country": "SE"}
    response = world.get(f"/challenges/{challenge}/shortlist", "coordinator", params=query)
    assert response.status_code == 200
    body = response.json()
    assert body["run_id"] is None and body["parameters"]["k"] == 3 and len(body["results"]) == 3
    first = body["results"][0]
    strengths = [r["strength"] for r in body["results"]]
    assert all(0 < s < 1 for s in strengths) and first["strength_level"] in {
        "strong",
        "possible",
        "weak",
    }
    assert set(first["components"]) == {"tfidf", "lexical", "cpv"} and first["title"]
    assert first["explanation"]["document_sentence"]
    challenge_text = world.get(f"/challenges/{challenge}", "coordinator").json()["description"]
    for result in body["results"]:
        requirements = result["explanation"]["requirements"]
        assert len(requirements) >= 2  # the challenge asks for several things
        assert all(r["requirement"] in challenge_text for r in requirements)
    # each requirement is answered by at least one company on the list
    answered = {
        r["requirement"]
        for result in body["results"]
        for r in result["explanation"]["requirements"]
        if r["answered"]
    }
    assert answered == {r["requirement"] for r in first["explanation"]["requirements"]}
    frozen = world.post(f"/challenges/{challenge}/shortlist", "coordinator", params=query)
    assert frozen.status_code == 201 and frozen.json()["run_id"] > 0
    assert frozen.json()["results"] == body["results"]
    twice = world.post(f"/challenges/{challenge}/shortlist", "coordinator", params=query).json()
    assert twice["run_id"] == frozen.json()["run_id"]  # the same ranking is one run
    again = world.get(f"/runs/{twice['run_id']}", "coordinator").json()
    assert again["results"] == body["results"] and again["data_version"] == body["data_version"]


def test_validation_errors_name_the_field(world: World) -> None:
    invalid = world.get(f"/challenges/{world.ids['sth_published']}/shortlist?k=0", "coordinator")
    assert invalid.status_code == 422 and invalid.json()["errors"][0]["field"] == "k"
    wrong_type = world.get("/challenges/abc", "coordinator")
    assert wrong_type.status_code == 422 and "challenge_id" in wrong_type.json()["detail"]
    body = world.post(
        "/challenges", "stockholm", json={"title": "ok title", "description": "short"}
    )
    assert body.status_code == 422
    assert body.json()["errors"][0]["field"] == "description"


def test_oversized_bodies_are_refused_with_413(world: World) -> None:
    huge = "x" * 1_100_000
    response = world.post("/challenges", "stockholm", json={"title": "big", "description": huge})
    assert response.status_code == 413
    assert response.headers["content-type"] == "application/problem+json"


def test_app_runs_on_postgresql() -> None:
    reset_postgres().dispose()
    tokens, ids = make_world(POSTGRES_URL)
    settings = Settings(database_url=POSTGRES_URL, embedder="tfidf")
    with TestClient(create_app(settings)) as client:
        auth = {"Authorization": f"Bearer {tokens['stockholm']}"}
        staff = {"Authorization": f"Bearer {tokens['coordinator']}"}
        assert client.get("/health", headers=staff).json()["companies"] == 155
        created = client.post(
            "/challenges",
            headers=auth,
            json={
                "title": "Elektriska arbetsmaskiner",
                "description": "Eldrivna grävmaskiner på bygget.",
            },
        )
        assert created.status_code == 201
        shortlist = client.get(f"/challenges/{created.json()['id']}/shortlist?k=2", headers=auth)
        assert len(shortlist.json()["results"]) == 2
        assert (
            client.get(f"/challenges/{ids['mal_published']}/shortlist", headers=auth).status_code
            == 404
        )
    reset_postgres().dispose()


def test_a_browser_at_the_root_lands_on_the_sign_in_page(world: World) -> None:
    page = world.client.get("/")
    assert page.status_code == 200 and page.headers["content-type"].startswith("text/html")
    assert str(page.url).endswith("/ui/sign-in?next=/ui/")
    assert 'href="/docs"' in page.text and world.client.get("/docs").status_code == 200
