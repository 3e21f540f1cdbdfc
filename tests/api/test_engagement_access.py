"""Every engagement route, every role: what is allowed, and what is refused without leaking
that a draft, an invitation or a team exists."""

from __future__ import annotations

import itertools
import json

import pytest
from httpx import Response

from tests.api.conftest import World
from tests.api.test_registration_access import pending_company

counter = itertools.count(1)
PITCH = {"pitch": "Vi bygger om grävmaskiner till batteridrift på tre veckor."}
OWNER_AND_STAFF = {"stockholm": 200, "coordinator": 200, "admin": 200}
HIDDEN = {"malmo": 404, "voltgrav": 404, "sitecharge": 404, "anonymous": 401}
COMPANY_AND_STAFF = {"voltgrav": 200, "coordinator": 200, "admin": 200}
OTHERS_REFUSED = {"sitecharge": 403, "stockholm": 403, "malmo": 403, "anonymous": 401}
EVERYONE = ["stockholm", "malmo", "voltgrav", "sitecharge", "coordinator", "admin", "anonymous"]


def cases(expected: dict[str, int]) -> list[tuple[str, int]]:
    assert set(expected) == set(EVERYONE), "every role is tested"
    return sorted(expected.items())


def fresh(world: World, stage: str = "open", status: str = "published") -> int:
    """A new Stockholm challenge, moved on to `stage` by the coordinator."""
    body = {
        "title": f"Eldrivna arbetsmaskiner {next(counter)}",
        "description": "Vi söker eldrivna grävmaskiner och laddning på byggarbetsplatsen.",
        "status": status,
    }
    created = world.post("/challenges", "stockholm", json=body)
    assert created.status_code == 201, created.text
    challenge_id = created.json()["id"]
    if stage == "shortlisting":
        moved = world.post(
            f"/challenges/{challenge_id}/stage", "coordinator", json={"stage": stage}
        )
        assert moved.status_code == 200, moved.text
    return challenge_id


def invitation(world: World) -> int:
    challenge_id = fresh(world, "shortlisting")
    body = {"company_ids": [world.ids["voltgrav"]], "note": "for coordinators"}
    response = world.post(f"/challenges/{challenge_id}/invitations", "coordinator", json=body)
    assert response.status_code == 201, response.text
    return response.json()["data"][0]["id"]


def team(world: World) -> int:
    challenge_id = fresh(world, "shortlisting")
    body = {"company_ids": [world.ids["voltgrav"], world.ids["sitecharge"]]}
    response = world.post(f"/challenges/{challenge_id}/teams", "coordinator", json=body)
    assert response.status_code == 201, response.text
    return response.json()["id"]


@pytest.mark.parametrize(
    ("who", "status"),
    cases({**OWNER_AND_STAFF, "malmo": 200, "voltgrav": 200, "sitecharge": 200, "anonymous": 401}),
)
def test_read_stage_of_a_published_challenge(world: World, who: str, status: int) -> None:
    assert world.get(f"/challenges/{world.ids['sth_published']}/stage", who).status_code == status


@pytest.mark.parametrize(("who", "status"), cases({**OWNER_AND_STAFF, **HIDDEN}))
def test_read_stage_of_a_draft(world: World, who: str, status: int) -> None:
    response = world.get(f"/challenges/{world.ids['sth_draft']}/stage", who)
    assert response.status_code == status
    if status == 404:
        assert response.json()["detail"] == f"challenge {world.ids['sth_draft']} does not exist"


@pytest.mark.parametrize(
    ("who", "status"),
    cases({**OWNER_AND_STAFF, "malmo": 403, "voltgrav": 403, "sitecharge": 403, "anonymous": 401}),
)
def test_move_stage(world: World, who: str, status: int) -> None:
    challenge_id = fresh(world)
    response = world.post(f"/challenges/{challenge_id}/stage", who, json={"stage": "shortlisting"})
    assert response.status_code == status
    stage = world.get(f"/challenges/{challenge_id}/stage", "stockholm").json()["stage"]
    assert stage == ("shortlisting" if status == 200 else "open")


@pytest.mark.parametrize(("who", "status"), cases({**OWNER_AND_STAFF, **HIDDEN}))
def test_move_stage_of_a_draft(world: World, who: str, status: int) -> None:
    """A draft is opened (and so published) by its city only; the others do not see it."""
    challenge_id = fresh(world, status="draft")
    response = world.post(f"/challenges/{challenge_id}/stage", who, json={"stage": "open"})
    expected = 403 if who == "coordinator" else status
    assert response.status_code == expected


@pytest.mark.parametrize(("who", "status"), cases({**OWNER_AND_STAFF, **HIDDEN}))
def test_stage_history(world: World, who: str, status: int) -> None:
    path = f"/challenges/{world.ids['sth_published']}/stage/history"
    assert world.get(path, who).status_code == status


@pytest.mark.parametrize(
    ("who", "status"),
    cases({"voltgrav": 201, "admin": 201, "coordinator": 403, **OTHERS_REFUSED}),
)
def test_express_interest(world: World, who: str, status: int) -> None:
    path = f"/challenges/{fresh(world)}/interest/{world.ids['voltgrav']}"
    assert world.client.put(path, headers=world.auth(who), json=PITCH).status_code == status


@pytest.mark.parametrize(
    ("who", "status"),
    cases({"voltgrav": 200, "admin": 200, "coordinator": 403, **OTHERS_REFUSED}),
)
def test_withdraw_interest(world: World, who: str, status: int) -> None:
    path = f"/challenges/{fresh(world)}/interest/{world.ids['voltgrav']}"
    assert world.client.put(path, headers=world.auth("voltgrav"), json=PITCH).status_code == 201
    assert world.delete(path, who).status_code == status


@pytest.mark.parametrize(("who", "status"), cases({**OWNER_AND_STAFF, **HIDDEN}))
def test_challenge_interest(world: World, who: str, status: int) -> None:
    path = f"/challenges/{world.ids['sth_published']}/interest"
    assert world.get(path, who).status_code == status


@pytest.mark.parametrize(("who", "status"), cases({**COMPANY_AND_STAFF, **OTHERS_REFUSED}))
def test_company_interest(world: World, who: str, status: int) -> None:
    path = f"/companies/{world.ids['voltgrav']}/interest"
    assert world.get(path, who).status_code == status


@pytest.mark.parametrize(
    ("who", "status"), cases({"coordinator": 201, "admin": 201, "stockholm": 403, **HIDDEN})
)
def test_invite(world: World, who: str, status: int) -> None:
    challenge_id = fresh(world, "shortlisting")
    body = {"company_ids": [world.ids["voltgrav"]]}
    assert world.post(f"/challenges/{challenge_id}/invitations", who, json=body).status_code == (
        status
    )


@pytest.mark.parametrize(("who", "status"), cases({**OWNER_AND_STAFF, **HIDDEN}))
def test_challenge_invitations(world: World, who: str, status: int) -> None:
    path = f"/challenges/{world.ids['sth_published']}/invitations"
    assert world.get(path, who).status_code == status


@pytest.mark.parametrize(("who", "status"), cases({**COMPANY_AND_STAFF, **OTHERS_REFUSED}))
def test_company_invitations(world: World, who: str, status: int) -> None:
    path = f"/companies/{world.ids['voltgrav']}/invitations"
    assert world.get(path, who).status_code == status


@pytest.mark.parametrize(
    ("who", "status"),
    cases(
        {
            "voltgrav": 200,
            "admin": 200,
            "stockholm": 403,
            "coordinator": 403,
            "malmo": 404,
            "sitecharge": 404,
            "anonymous": 401,
        }
    ),
)
def test_answer_invitation(world: World, who: str, status: int) -> None:
    path = f"/workshop-invitations/{invitation(world)}/answer"
    assert world.post(path, who, json={"answer": "accepted"}).status_code == status


@pytest.mark.parametrize(
    ("who", "status"), cases({"coordinator": 201, "admin": 201, "stockholm": 403, **HIDDEN})
)
def test_propose_team(world: World, who: str, status: int) -> None:
    challenge_id = fresh(world, "shortlisting")
    body = {"company_ids": [world.ids["voltgrav"], world.ids["sitecharge"]]}
    assert world.post(f"/challenges/{challenge_id}/teams", who, json=body).status_code == status


@pytest.mark.parametrize(("who", "status"), cases({**OWNER_AND_STAFF, **HIDDEN}))
def test_challenge_teams(world: World, who: str, status: int) -> None:
    path = f"/challenges/{world.ids['sth_published']}/teams"
    assert world.get(path, who).status_code == status


@pytest.mark.parametrize(("who", "status"), cases({**COMPANY_AND_STAFF, **OTHERS_REFUSED}))
def test_company_teams(world: World, who: str, status: int) -> None:
    path = f"/companies/{world.ids['voltgrav']}/teams"
    assert world.get(path, who).status_code == status


@pytest.mark.parametrize(
    ("who", "status"),
    cases(
        {
            "voltgrav": 200,
            "admin": 200,
            "sitecharge": 403,
            "coordinator": 403,
            "stockholm": 404,
            "malmo": 404,
            "anonymous": 401,
        }
    ),
)
def test_answer_for_a_team_member(world: World, who: str, status: int) -> None:
    """Another member and the coordinators see the team but do not answer for Voltgräv; the
    city sees a team only once it is formed."""
    path = f"/teams/{team(world)}/members/{world.ids['voltgrav']}/answer"
    assert world.post(path, who, json={"answer": "accepted"}).status_code == status


def masked(response: Response, company_id: object) -> tuple[int, str]:
    """The answer as a caller compares it: status and body, less the id asked and the request's
    own id."""
    body = {k: v for k, v in response.json().items() if k != "request_id"}
    return response.status_code, json.dumps(body, ensure_ascii=False).replace(
        str(company_id), "<id>"
    )


def test_a_partner_not_approved_answers_as_an_unknown_id_does(world: World) -> None:
    """Issue 24, #7: a pending registration named as a partner gave away its name."""
    pending, declined = pending_company(world), pending_company(world)
    refused = world.post(
        f"/organisations/{declined['organisation']}/decline", "coordinator", json={"reason": "No."}
    )
    assert refused.status_code == 200, refused.text
    unknown = int(declined["company"]) + 1000
    path = f"/challenges/{fresh(world)}/interest/{world.ids['voltgrav']}"
    answers = [
        masked(
            world.client.put(
                path,
                headers=world.auth("voltgrav"),
                json={**PITCH, "partners": [{"company_id": partner}]},
            ),
            partner,
        )
        for partner in (pending["company"], declined["company"], unknown)
    ]
    assert answers[0] == answers[1] == answers[2]
    assert answers[0][0] == 422 and "Laddning" not in answers[0][1]
    assert "partners.0.company_id: company <id> does not exist" in answers[0][1]
    speaking_for = [  # nor does a profile the company may not see answer otherwise in the path
        masked(world.client.put(path_for, headers=world.auth("voltgrav"), json=PITCH), company_id)
        for company_id in (pending["company"], unknown)
        for path_for in [f"/challenges/{fresh(world)}/interest/{company_id}"]
    ]
    assert speaking_for[0] == speaking_for[1] and speaking_for[0][0] == 404
