"""The public surface: a route added, removed or left undocumented fails here first."""

from __future__ import annotations

from tests.api.conftest import World
from tests.api.test_ocds import PUBLIC as OPEN_DATA
from tests.api.test_ocds import ROUTES as OCDS

EXPECTED = {
    ("get", "/health"),
    ("get", "/me"),
    ("get", "/challenges"),
    ("post", "/challenges"),
    ("get", "/challenges/{challenge_id}"),
    ("patch", "/challenges/{challenge_id}"),
    ("post", "/challenges/{challenge_id}/archive"),
    ("get", "/challenges/{challenge_id}/shortlist"),
    ("post", "/challenges/{challenge_id}/shortlist"),
    ("get", "/challenges/{challenge_id}/consortia"),
    ("get", "/challenges/{challenge_id}/reviews"),
    ("get", "/challenges/{challenge_id}/shortlist/export"),
    ("get", "/companies"),
    ("post", "/companies"),
    ("get", "/companies/{company_id}"),
    ("patch", "/companies/{company_id}"),
    ("delete", "/companies/{company_id}"),
    ("get", "/companies/{company_id}/opportunities"),
    ("get", "/runs/{run_id}"),
    ("post", "/reviews"),
    ("get", "/metrics"),
    ("post", "/jobs"),
    ("post", "/jobs/import"),
    ("get", "/jobs"),
    ("get", "/jobs/{job_id}"),
    ("get", "/organisations/pending"),
    ("post", "/organisations/{organisation_id}/approval"),
    ("post", "/organisations/{organisation_id}/decline"),
    ("get", "/funnel"),
    ("get", "/funnel/export"),
    ("get", "/challenges/{challenge_id}/stage"),
    ("post", "/challenges/{challenge_id}/stage"),
    ("get", "/challenges/{challenge_id}/stage/history"),
    ("put", "/challenges/{challenge_id}/interest/{company_id}"),
    ("delete", "/challenges/{challenge_id}/interest/{company_id}"),
    ("get", "/challenges/{challenge_id}/interest"),
    ("get", "/companies/{company_id}/interest"),
    ("post", "/challenges/{challenge_id}/invitations"),
    ("get", "/challenges/{challenge_id}/invitations"),
    ("get", "/companies/{company_id}/invitations"),
    ("post", "/workshop-invitations/{invitation_id}/answer"),
    ("post", "/challenges/{challenge_id}/teams"),
    ("get", "/challenges/{challenge_id}/teams"),
    ("get", "/companies/{company_id}/teams"),
    ("post", "/teams/{team_id}/members/{company_id}/answer"),
    ("get", "/notifications"),
    ("post", "/notifications/{notification_id}/read"),
    ("get", "/me/alerts"),
    ("put", "/me/alerts"),
    ("get", "/me/export"),
    ("get", "/me/exports/{job_id}"),
    ("post", "/users/{user_id}/erasure"),
    ("post", "/organisations/{organisation_id}/erasure"),
} | OCDS


def test_routes_are_exactly_the_documented_ones(world: World) -> None:
    spec = world.client.get("/openapi.json").json()
    found = {(method, path) for path, item in spec["paths"].items() for method in item}
    assert found == EXPECTED


def test_every_route_but_health_declares_auth_and_its_errors(world: World) -> None:
    spec = world.client.get("/openapi.json").json()
    assert spec["components"]["securitySchemes"]["HTTPBearer"]["scheme"] == "bearer"
    for path, item in spec["paths"].items():
        for method, operation in item.items():
            if path == "/health":  # anyone may ask; a staff token adds the details
                assert "coordinator" in operation["description"]
                assert {"200", "401", "503"} <= set(operation["responses"])
                continue
            if (method, path) in OPEN_DATA:  # open data: anyone reads it, without a token
                assert "security" not in operation, (method, path)
                continue
            assert operation["security"] == [{"HTTPBearer": []}], (method, path)
            assert {"401", "422"} <= set(operation["responses"]), (method, path)
            problem = operation["responses"]["401"]["content"]["application/json"]["schema"]
            assert problem["$ref"].endswith("/Problem")


def test_every_route_but_health_refuses_anonymous_callers(world: World) -> None:
    for method, path in sorted(EXPECTED - {("get", "/health")} - OPEN_DATA):
        concrete = path.format(
            challenge_id=world.ids["sth_published"],
            company_id=world.ids["voltgrav"],
            run_id=1,
            job_id="00000000-0000-0000-0000-000000000000",
            organisation_id=1,
            invitation_id=1,
            team_id=1,
            notification_id=1,
            user_id=1,
        )
        response = world.client.request(method.upper(), concrete, json={})
        assert response.status_code == 401, (method, path, response.status_code)
