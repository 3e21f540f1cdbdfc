"""The Nordic Solutions process over HTTP: a challenge opens, companies express interest, the
coordinator shortlists, invites and proposes a team, the members confirm, the city closes it."""

from __future__ import annotations

import itertools

from tests.api.conftest import World

counter = itertools.count(1)
ROUTES = {
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
}


def new_challenge(world: World) -> int:
    body = {
        "title": f"Laddning på byggarbetsplatsen {next(counter)}",
        "description": "Vi söker eldrivna grävmaskiner och mobil laddning där elnätet är svagt.",
    }
    response = world.post("/challenges", "stockholm", json=body)
    assert response.status_code == 201, response.text
    return response.json()["id"]


def put(world: World, path: str, who: str, body: dict):  # noqa: ANN201
    return world.client.put(path, headers=world.auth(who), json=body)


def test_the_whole_process(world: World) -> None:
    cid, volt, site = new_challenge(world), world.ids["voltgrav"], world.ids["sitecharge"]
    stage = world.get(f"/challenges/{cid}/stage", "voltgrav")
    assert stage.json()["stage"] == "open" and stage.headers["ETag"] == '"1"'
    pitch = {"pitch": "Eldrivna grävmaskiner på tre veckor.", "partners": [{"company_id": site}]}
    created = put(world, f"/challenges/{cid}/interest/{volt}", "voltgrav", pitch)
    assert created.status_code == 201
    assert created.json()["partners"] == [{"company_id": site, "name": "SiteCharge Nordic"}]
    replaced = put(
        world, f"/challenges/{cid}/interest/{volt}", "voltgrav", {**pitch, "partners": []}
    )
    assert replaced.status_code == 200 and replaced.json()["partners"] == []
    shortlist = world.get(f"/challenges/{cid}/shortlist?k=3&explain=false", "coordinator").json()
    ranked = {r["company_id"]: r["rank"] for r in shortlist["results"]}
    seen = world.get(f"/challenges/{cid}/interest", "stockholm").json()
    assert seen["count"] == 1
    assert (seen["data"][0]["on_shortlist"], seen["data"][0]["rank"]) == (
        volt in ranked,
        ranked.get(volt),
    )

    moved = world.post(f"/challenges/{cid}/stage", "stockholm", json={"stage": "shortlisting"})
    assert moved.status_code == 200 and moved.headers["ETag"] == '"2"'
    late = put(world, f"/challenges/{cid}/interest/{site}", "sitecharge", pitch | {"partners": []})
    assert late.status_code == 409 and late.json()["detail"].startswith("stage: challenge")

    invited = world.post(
        f"/challenges/{cid}/invitations",
        "coordinator",
        json={"company_ids": [volt, site], "note": "Voltgräv has the machines"},
    ).json()["data"]
    by_company = {row["company_id"]: row["id"] for row in invited}
    accepted = world.post(
        f"/workshop-invitations/{by_company[volt]}/answer", "voltgrav", json={"answer": "accepted"}
    )
    assert accepted.status_code == 200 and accepted.json()["note"] == ""
    declined = world.post(
        f"/workshop-invitations/{by_company[site]}/answer",
        "sitecharge",
        json={"answer": "declined"},
    )
    assert declined.status_code == 422
    assert declined.json()["errors"][0]["message"] == "reason is required to decline"
    world.post(
        f"/workshop-invitations/{by_company[site]}/answer",
        "sitecharge",
        json={"answer": "declined", "reason": "No containers free in March"},
    )
    city = world.get(f"/challenges/{cid}/invitations", "stockholm").json()["data"]
    assert [(i["company"], i["answer"], i["note"]) for i in city] == [
        ("Voltgräv AB", "accepted", ""),
        ("SiteCharge Nordic", "declined", ""),
    ]
    staff = world.get(f"/challenges/{cid}/invitations", "coordinator").json()["data"]
    assert staff[0]["note"] == "Voltgräv has the machines"
    own = world.get(f"/companies/{site}/invitations", "sitecharge").json()["data"]
    assert [i["company_id"] for i in own] == [site] * len(own) and own

    workshop = {
        "stage": "workshop",
        "workshop_at": "2026-03-01T09:00:00+01:00",  # held: a pilot may follow
        "workshop_place": "https://meet.example/klimat",
    }
    assert world.post(f"/challenges/{cid}/stage", "coordinator", json=workshop).status_code == 200
    places = {
        who: world.get(f"/challenges/{cid}/stage", who).json()["workshop_place"]
        for who in ("stockholm", "voltgrav", "sitecharge", "malmo")
    }
    link = "https://meet.example/klimat"  # invited companies see it, even one that declined
    assert places == {"stockholm": link, "voltgrav": link, "sitecharge": link, "malmo": ""}
    team = world.post(
        f"/challenges/{cid}/teams", "coordinator", json={"company_ids": [site, volt]}
    ).json()
    assert team["status"] == "proposed" and [m["lead"] for m in team["members"]] == [True, False]
    assert world.get(f"/challenges/{cid}/teams", "stockholm").json()["count"] == 0
    for who, company in (("voltgrav", volt), ("sitecharge", site)):
        answer = world.post(
            f"/teams/{team['id']}/members/{company}/answer", who, json={"answer": "accepted"}
        )
        assert answer.status_code == 200
    formed = world.get(f"/challenges/{cid}/teams", "stockholm").json()
    assert [t["status"] for t in formed["data"]] == ["formed"]
    assert world.get(f"/companies/{volt}/teams", "voltgrav").json()["data"][0]["id"] == team["id"]

    close = {"stage": "closed", "outcome": "pilot", "summary": "The team pilots at Värtahamnen."}
    assert world.post(f"/challenges/{cid}/stage", "stockholm", json=close).status_code == 200
    public = world.get(f"/challenges/{cid}/stage", "sitecharge").json()
    assert (public["stage"], public["outcome"], public["summary"]) == (
        "closed",
        "pilot",
        "The team pilots at Värtahamnen.",
    )
    history = world.get(f"/challenges/{cid}/stage/history", "stockholm").json()
    assert [(h["from_stage"], h["to_stage"], h["changed_by"]) for h in history] == [
        ("open", "shortlisting", "stockholm"),
        ("shortlisting", "workshop", "coordinator"),
        ("workshop", "closed", "stockholm"),
    ]


def test_bad_input_names_the_field(world: World) -> None:
    cid, volt = new_challenge(world), world.ids["voltgrav"]
    long = put(world, f"/challenges/{cid}/interest/{volt}", "voltgrav", {"pitch": "x" * 2001})
    assert long.status_code == 422 and long.json()["errors"][0]["field"] == "pitch"
    ghost = put(
        world,
        f"/challenges/{cid}/interest/{volt}",
        "voltgrav",
        {"pitch": "Eldrivna maskiner.", "partners": [{"company_id": 2_000_000}]},
    )
    assert ghost.status_code == 422
    assert ghost.json()["detail"] == "partners.0.company_id: company 2000000 does not exist"
    skip = world.post(f"/challenges/{cid}/stage", "stockholm", json={"stage": "closed"})
    assert skip.status_code == 422 and "outcome is required" in skip.json()["detail"] + str(
        skip.json()["errors"]
    )
    jump = world.post(
        f"/challenges/{cid}/stage",
        "stockholm",
        json={"stage": "workshop", "workshop_at": "2027-03-01T09:00:00Z", "workshop_place": "Hall"},
    )
    assert jump.status_code == 409 and jump.json()["detail"].startswith(f"stage: challenge {cid}")
    stale = world.client.post(
        f"/challenges/{cid}/stage",
        headers={**world.auth("stockholm"), "If-Match": '"7"'},
        json={"stage": "shortlisting"},
    )
    assert stale.status_code == 412
    early = world.post(
        f"/challenges/{cid}/invitations", "coordinator", json={"company_ids": [volt]}
    )
    assert early.status_code == 409 and "is open" in early.json()["detail"]
    twice = world.post(
        f"/challenges/{cid}/teams", "coordinator", json={"company_ids": [volt, volt]}
    )
    assert twice.status_code == 422 and twice.json()["errors"][0]["field"] == "company_ids"


def test_engagement_routes_declare_auth_and_errors(world: World) -> None:
    spec = world.client.get("/openapi.json").json()
    found = {(method, path) for path, item in spec["paths"].items() for method in item}
    assert found >= ROUTES
    for method, path in ROUTES:
        operation = spec["paths"][path][method]
        assert operation["security"] == [{"HTTPBearer": []}], (method, path)
        assert {"401", "403", "404", "422"} <= set(operation["responses"]), (method, path)
        concrete = path.format(challenge_id=1, company_id=1, invitation_id=1, team_id=1)
        assert world.client.request(method.upper(), concrete, json={}).status_code == 401
