"""Hostile text at the API and on the pages: a title with CR/LF (it would become an e-mail
header), NUL in a description, a `javascript:` website. Each is refused with the field named,
and nothing is stored."""

from __future__ import annotations

import pytest

from tests.api.conftest import World
from tests.api.test_access import form_token, new_company, pages_as

INJECTED = "Title\r\nBcc: x@evil.example"
ONE_LINE = "must be one line without control characters"
NOT_WEB = [
    "javascript:alert(1)",
    "data:text/html,<script>alert(1)</script>",
    "vbscript:msgbox(1)",
    "//evil.example",
    "  JaVaScRiPt:alert(1)",
    "java\tscript:alert(1)",
]
DESCRIPTION = "Vi söker eldrivna grävmaskiner och laddning på byggarbetsplatsen."


def problems(response: object) -> dict[str, str]:
    return {item["field"]: item["message"] for item in response.json()["errors"]}  # type: ignore[attr-defined]


def test_a_title_with_a_line_break_is_refused_naming_the_field(world: World) -> None:
    before = world.get("/challenges", "stockholm", params={"limit": 1}).json()["count"]
    answer = world.post(
        "/challenges", "stockholm", json={"title": INJECTED, "description": DESCRIPTION}
    )
    assert answer.status_code == 422, answer.text
    assert "title" in answer.json()["detail"]
    assert problems(answer)["title"] == f"title {ONE_LINE} (found U+000D)"
    challenge = world.ids["sth_published"]
    patched = world.patch(f"/challenges/{challenge}", "stockholm", json={"title": "A\nB C"})
    assert patched.status_code == 422 and ONE_LINE in problems(patched)["title"]
    assert world.get("/challenges", "stockholm", params={"limit": 1}).json()["count"] == before


def test_multi_line_text_keeps_line_breaks_and_refuses_nul(world: World) -> None:
    text = f"{DESCRIPTION}\r\n\n\tMed indrag."
    nul = world.post(
        "/challenges", "stockholm", json={"title": "Grävmaskiner", "description": text + "\x00"}
    )
    assert nul.status_code == 422
    assert problems(nul)["description"].startswith("description must not contain control")
    kept = world.post(
        "/challenges", "stockholm", json={"title": "Grävmaskiner", "description": text}
    )
    assert kept.status_code == 201 and kept.json()["description"] == text


def test_engagement_fields_refuse_line_breaks(world: World) -> None:
    challenge = world.ids["sth_published"]
    stage = {
        "stage": "workshop",
        "workshop_at": "2027-03-01T09:00:00+01:00",
        "workshop_place": INJECTED,
    }
    moved = world.post(f"/challenges/{challenge}/stage", "coordinator", json=stage)
    assert moved.status_code == 422 and ONE_LINE in problems(moved)["workshop_place"]
    partner = {"pitch": DESCRIPTION, "partners": [{"name": INJECTED}]}
    company = world.ids["voltgrav"]
    interest = world.client.put(
        f"/challenges/{challenge}/interest/{company}", headers=world.auth("voltgrav"), json=partner
    )
    assert interest.status_code == 422 and ONE_LINE in problems(interest)["partners.0.name"]


@pytest.mark.parametrize("website", NOT_WEB)
def test_the_api_stores_only_web_addresses(world: World, website: str) -> None:
    created = world.post(
        "/companies",
        "voltgrav",
        json={
            "name": "Skadlig AB",
            "country": "SE",
            "description": DESCRIPTION,
            "website": website,
        },
    )
    assert created.status_code == 422, created.text
    assert problems(created)["website"].startswith("website must be a web address")
    company = world.ids["voltgrav"]
    patched = world.patch(f"/companies/{company}", "voltgrav", json={"website": website})
    assert patched.status_code == 422 and "website" in problems(patched)
    assert world.get(f"/companies/{company}", "voltgrav").json()["website"] != website


def test_the_api_keeps_a_web_address(world: World) -> None:
    assert new_company(world, website="https://example.se")["website"] == "https://example.se"


def test_the_challenge_form_names_the_title(world: World) -> None:
    client = pages_as(world, "stockholm")
    data = {"csrf": form_token(client), "title": INJECTED, "description": DESCRIPTION}
    answer = client.post("/ui/challenges/new", data={**data, "action": "draft"})
    assert answer.status_code == 422
    assert 'href="#f-title"' in answer.text and ONE_LINE in answer.text


@pytest.mark.parametrize("website", NOT_WEB)
def test_the_profile_form_names_the_website(world: World, website: str) -> None:
    client = pages_as(world, "voltgrav")
    company = world.ids["voltgrav"]
    data = {"csrf": form_token(client), "description": DESCRIPTION, "country": "SE"}
    answer = client.post(f"/ui/companies/{company}/edit", data={**data, "website": website})
    assert answer.status_code == 422
    assert 'href="#f-website"' in answer.text and "must be a web address" in answer.text
    assert world.get(f"/companies/{company}", "voltgrav").json()["website"] != website


@pytest.mark.parametrize(
    ("field", "value"), [("website", NOT_WEB[0]), ("website", NOT_WEB[5]), ("person", INJECTED)]
)
def test_registration_refuses_and_stores_nothing(world: World, field: str, value: str) -> None:
    typed = {
        "name": "Skadlig Registrering AB",
        "person": "Mallory",
        "email": "mallory@evil.example",
        "password": "a long enough password",
        "description": DESCRIPTION,
        "country": "SE",
        field: value,
    }
    answer = pages_as(world, "anonymous").post("/ui/register", data=typed)
    assert answer.status_code == 422
    assert f'href="#f-{field}"' in answer.text
    pending = world.get("/organisations/pending", "coordinator").json()
    assert all(p["name"] != typed["name"] for p in pending)


def test_an_invitation_refuses_a_name_with_a_line_break(world: World) -> None:
    client = pages_as(world, "coordinator")
    data = {
        "csrf": form_token(client),
        "email": "eva@lund.example",
        "role": "city",
        "organisation": "Lund",
    }
    answer = client.post(
        "/ui/people/invitations", data={**data, "name": INJECTED}, follow_redirects=False
    )
    assert answer.status_code == 422 and "name" in answer.text
    assert "eva@lund.example" not in client.get("/ui/people").text
