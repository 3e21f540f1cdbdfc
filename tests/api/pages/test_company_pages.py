"""A company's profile form over HTTP: save and see the fits, suggestions, references and
languages in the API, a conflict that keeps the text, 404 for another company's form, CSRF."""

from __future__ import annotations

import re

from fastapi.testclient import TestClient

from tests.api.conftest import World
from tests.api.test_access import form_token, pages_as

PROFILE = {
    "description": (
        "Vi bygger laddinfrastruktur för tunga fordon och elektrifierar byggarbetsplatser med "
        "mobila batterier."
    ),
    "sector": "energy",
    "country": "se",
    "employees": "40",
    "website": "https://voltgrav.example",
    "cpv_codes": "",
    "languages": "sv, EN",
}


def post(client: TestClient, company_id: int, **fields: object) -> object:
    data = {"csrf": form_token(client), **fields}
    return client.post(f"/ui/companies/{company_id}/edit", data=data, follow_redirects=False)


def test_saving_shows_the_fits_and_the_api_sees_every_field(world: World) -> None:
    client = pages_as(world, "voltgrav")
    company_id = world.ids["voltgrav"]
    home = client.get("/ui/opportunities").text
    assert f'href="/ui/companies/{company_id}/edit"' in home
    version = world.get(f"/companies/{company_id}", "voltgrav").json()["version"]
    references = {
        "ref_what": ["Laddpark för sopbilar", ""],
        "ref_where": ["Malmö", ""],
        "ref_when": ["2023", ""],
    }
    saved = post(client, company_id, **PROFILE, **references, version=str(version))
    assert saved.status_code == 303, saved.text[:500]
    landing = client.get(saved.headers["location"])
    assert 'data-testid="saved"' in landing.text
    assert re.search(r'data-challenge-id="\d+"', landing.text)
    body = world.get(f"/companies/{company_id}", "voltgrav").json()
    assert body["description"] == PROFILE["description"] and body["country"] == "SE"
    assert body["languages"] == ["sv", "en"] and body["employees"] == 40
    assert body["references"] == [
        {"what": "Laddpark för sopbilar", "where": "Malmö", "when": "2023"}
    ]
    form = client.get(f"/ui/companies/{company_id}/edit").text
    assert 'value="Laddpark för sopbilar"' in form


def test_suggest_codes_keeps_the_form(world: World) -> None:
    client = pages_as(world, "voltgrav")
    answer = post(client, world.ids["voltgrav"], **PROFILE, action="suggest")
    assert answer.status_code == 200
    assert 'data-testid="suggested-codes"' in answer.text
    assert PROFILE["website"] in answer.text


def test_a_conflicting_edit_keeps_what_was_typed(world: World) -> None:
    client = pages_as(world, "voltgrav")
    company_id = world.ids["voltgrav"]
    version = world.get(f"/companies/{company_id}", "voltgrav").json()["version"]
    theirs = world.patch(
        f"/companies/{company_id}",
        "voltgrav",
        json={"sector": "mobility"},
        headers={"If-Match": f'"{version}"'},
    )
    assert theirs.status_code == 200, theirs.text
    mine = {**PROFILE, "description": "Min beskrivning som inte får försvinna, alls."}
    answer = post(client, company_id, **mine, version=str(version))
    assert answer.status_code == 409 and 'data-testid="conflict"' in answer.text
    assert mine["description"] in answer.text
    assert f'name="version" value="{version + 1}"' in answer.text


def test_another_companys_profile_form_is_404(world: World) -> None:
    client = pages_as(world, "sitecharge")
    company_id = world.ids["voltgrav"]
    assert client.get(f"/ui/companies/{company_id}/edit").status_code == 404
    assert post(client, company_id, **PROFILE).status_code == 404
    for who in ("stockholm", "coordinator"):
        assert pages_as(world, who).get(f"/ui/companies/{company_id}/edit").status_code == 404


def test_a_form_without_its_token_is_refused(world: World) -> None:
    client = pages_as(world, "voltgrav")
    company_id = world.ids["voltgrav"]
    data = {**PROFILE, "description": "Förfalskad beskrivning av företaget", "csrf": "0" * 64}
    assert client.post(f"/ui/companies/{company_id}/edit", data=data).status_code == 403
    assert (
        world.get(f"/companies/{company_id}", "voltgrav").json()["description"]
        != data["description"]
    )


def test_errors_name_the_field(world: World) -> None:
    client = pages_as(world, "voltgrav")
    bad = {**PROFILE, "country": "Sweden", "languages": "svenska"}
    answer = post(client, world.ids["voltgrav"], **bad)
    assert answer.status_code == 422
    assert 'href="#f-country"' in answer.text and 'href="#f-languages"' in answer.text
    assert PROFILE["description"] in answer.text
    staff = post(client, world.ids["voltgrav"], **{**PROFILE, "employees": "many"})
    assert staff.status_code == 422 and 'href="#f-employees"' in staff.text
