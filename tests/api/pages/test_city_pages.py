"""A city's challenge form over HTTP: preview, save, publish, a conflicting edit that keeps the
typed text, 404 for another city's draft and edit form, CSRF, errors that name the field."""

from __future__ import annotations

import re

from fastapi.testclient import TestClient

from tests.api.conftest import World
from tests.api.test_access import form_token, pages_as

TEXT = {
    "title": "Laddning för tunga fordon i hamnen",
    "description": (
        "Stockholms hamn behöver laddinfrastruktur för tunga ellastbilar. Vi söker företag som "
        "kan bygga och drifta snabbladdare för lastbilar vid terminalerna."
    ),
    "theme": "mobility",
    "criteria": "Minst tio lastbilar laddas per dag",
    "deadline": "2027-03-01",
    "location": "Frihamnen",
    "contact": "Anna Berg, anna@stockholm.example",
}


def post(client: TestClient, path: str, **fields: str) -> object:
    return client.post(path, data={"csrf": form_token(client), **fields}, follow_redirects=False)


def test_preview_shows_requirements_suggestions_and_companies(world: World) -> None:
    client = pages_as(world, "stockholm")
    assert 'href="/ui/challenges/new"' in client.get("/ui/challenges").text
    page = post(client, "/ui/challenges/new", **TEXT, action="preview")
    assert page.status_code == 200
    assert 'data-testid="preview-requirements"' in page.text
    assert "Vi söker företag" in page.text
    assert re.search(r'data-testid="preview-companies".*?data-company-id="\d+"', page.text, re.S)
    assert '<option value="sv" selected>' in page.text  # guessed
    assert TEXT["criteria"] in page.text  # everything typed is drawn again


def test_publish_then_edit_and_archive(world: World) -> None:
    client = pages_as(world, "stockholm")
    saved = post(client, "/ui/challenges/new", **TEXT, action="publish")
    assert saved.status_code == 303, saved.text[:500]
    challenge_id = int(re.search(r"/challenges/(\d+)", saved.headers["location"]).group(1))
    body = world.get(f"/challenges/{challenge_id}", "stockholm").json()
    assert body["status"] == "published" and body["location"] == "Frihamnen"
    assert body["deadline"] == "2027-03-01" and body["language"] == "sv"
    assert world.get(f"/challenges/{challenge_id}/shortlist", "coordinator").json()["results"]
    page = client.get(f"/ui/challenges/{challenge_id}").text
    assert f'href="/ui/challenges/{challenge_id}/edit"' in page and "Frihamnen" in page
    edited = post(
        client,
        f"/ui/challenges/{challenge_id}/edit",
        **{**TEXT, "title": "Laddning i hamnen"},
        version="1",
        action="draft",
    )
    assert edited.status_code == 303
    assert world.get(f"/challenges/{challenge_id}", "stockholm").json()["status"] == "draft"
    archived = post(client, f"/ui/challenges/{challenge_id}/archive", version="2")
    assert archived.status_code == 303
    assert world.get(f"/challenges/{challenge_id}", "stockholm").json()["status"] == "archived"


def test_a_conflicting_edit_keeps_what_was_typed(world: World) -> None:
    client = pages_as(world, "stockholm")
    challenge_id = world.ids["sth_published"]
    form = client.get(f"/ui/challenges/{challenge_id}/edit").text
    version = re.search(r'name="version" value="(\d+)"', form).group(1)
    theirs = world.patch(
        f"/challenges/{challenge_id}",
        "stockholm",
        json={"theme": "energy"},
        headers={"If-Match": f'"{version}"'},
    )
    assert theirs.status_code == 200, theirs.text
    mine = {**TEXT, "title": "Min egen rubrik som inte får försvinna"}
    answer = post(
        client, f"/ui/challenges/{challenge_id}/edit", **mine, version=version, action="publish"
    )
    assert answer.status_code == 409
    assert 'data-testid="conflict"' in answer.text
    assert "Min egen rubrik som inte får försvinna" in answer.text
    assert TEXT["criteria"] in answer.text and TEXT["contact"] in answer.text
    newer = re.search(r'name="version" value="(\d+)"', answer.text).group(1)
    assert int(newer) == int(version) + 1
    assert world.get(f"/challenges/{challenge_id}", "stockholm").json()["title"] != mine["title"]


def test_another_citys_draft_and_edit_form_are_404(world: World) -> None:
    client = pages_as(world, "malmo")
    for challenge_id in (world.ids["sth_draft"], world.ids["sth_published"]):
        assert client.get(f"/ui/challenges/{challenge_id}/edit").status_code == 404
        refused = post(client, f"/ui/challenges/{challenge_id}/edit", **TEXT, action="publish")
        assert refused.status_code == 404
        assert post(client, f"/ui/challenges/{challenge_id}/archive").status_code == 404
    assert client.get(f"/ui/challenges/{world.ids['sth_draft']}").status_code == 404


def test_only_cities_write_challenges(world: World) -> None:
    for who in ("voltgrav", "coordinator"):
        assert pages_as(world, who).get("/ui/challenges/new").status_code == 403


def test_a_form_without_its_token_is_refused(world: World) -> None:
    client = pages_as(world, "stockholm")
    before = world.get("/challenges", "stockholm").json()["count"]
    forged = client.post("/ui/challenges/new", data={**TEXT, "csrf": "0" * 64, "action": "publish"})
    assert forged.status_code == 403
    assert world.get("/challenges", "stockholm").json()["count"] == before


def test_errors_name_the_field_and_keep_the_text(world: World) -> None:
    client = pages_as(world, "stockholm")
    bad = {**TEXT, "title": "x", "cpv_codes": "1234"}
    answer = post(client, "/ui/challenges/new", **bad, action="publish")
    assert answer.status_code == 422
    assert 'href="#f-title"' in answer.text and 'href="#f-cpv_codes"' in answer.text
    assert 'id="f-title" name="title" type="text" value="x"' in answer.text
    assert TEXT["description"] in answer.text
