"""The OCDS parts of the pages: the challenge form's eForms fields (and the later tender's
ocid once closed with a procurement), and the import page for cities and coordinators."""

from __future__ import annotations

import json
import re

import pytest
from fastapi.testclient import TestClient

from tests.api.conftest import World
from tests.api.test_access import form_token, pages_as
from tests.api.test_ocds import TENDER, city_id, tender
from tests.klimatmatch.ocds.schemas import assert_release_package

TEXT = {
    "title": "Eldrivna sopbilar i Malmö",
    "description": "Malmö stad söker eldrivna sopbilar och laddning vid depån i Sege Park.",
}


def post(client: TestClient, path: str, data: dict, **kwargs: object) -> object:
    return client.post(
        path, data={"csrf": form_token(client), **data}, follow_redirects=False, **kwargs
    )


def upload(client: TestClient, document: object, **fields: str) -> object:
    content = document if isinstance(document, bytes) else json.dumps(document).encode()
    return post(
        client,
        "/ui/challenges/import",
        fields,
        files={"file": ("release.json", content, "application/json")},
    )


def test_the_form_keeps_the_eforms_fields_and_the_release_carries_them(world: World) -> None:
    client = pages_as(world, "malmo")
    form = client.get("/ui/challenges/new").text
    assert 'data-testid="eforms"' in form and 'name="tender_ocid"' not in form
    fields = {
        **TEXT,
        "nuts_code": "se224",
        "green_procurement": ["clim-mitig", "circ-econ"],
        "green_criteria": ["eu"],
        "clean_vehicles": "yes",
        "innovative_procurement": "Innovationspartnerskap för eldrivna fordon.",
        "action": "publish",
    }
    saved = post(client, "/ui/challenges/new", fields)
    assert saved.status_code == 303, saved.text[:800]
    cid = int(re.search(r"/challenges/(\d+)", saved.headers["location"]).group(1))
    body = world.get(f"/challenges/{cid}", "malmo").json()
    assert body["nuts_code"] == "SE224" and body["clean_vehicles"] is True
    assert body["green_procurement"] == ["clim-mitig", "circ-econ"]
    edit = client.get(f"/ui/challenges/{cid}/edit").text
    assert re.search(r'value="circ-econ" checked', edit)
    assert re.search(r'<option value="yes" selected>', edit)
    page = client.get(f"/ui/challenges/{cid}").text
    assert f'href="/ocds/challenges/{cid}/record"' in page
    package = client.get(f"/ocds/challenges/{cid}/releases").json()
    assert_release_package(package)
    assert package["releases"][-1]["tender"]["eForms"]["greenProcurementCriteria"] == ["eu"]


def test_a_bad_eforms_code_is_named_on_the_form(world: World) -> None:
    client = pages_as(world, "malmo")
    answer = post(
        client, "/ui/challenges/new", {**TEXT, "green_criteria": ["greenish"], "action": "draft"}
    )
    assert answer.status_code == 422
    assert 'href="#f-green_criteria"' in answer.text
    assert 'id="f-green_criteria"' in answer.text


def test_a_closed_procurement_links_its_tender_from_the_form(world: World) -> None:
    client = pages_as(world, "malmo")
    made = world.post("/challenges", "malmo", json=TEXT).json()
    close = {
        "stage": "closed",
        "outcome": "procurement",
        "summary": "The city procures electric refuse trucks in 2027.",
    }
    assert world.post(f"/challenges/{made['id']}/stage", "malmo", json=close).status_code == 200
    form = client.get(f"/ui/challenges/{made['id']}/edit").text
    assert 'name="tender_ocid"' in form
    version = re.search(r'name="version" value="(\d+)"', form).group(1)
    fields = {**TEXT, "tender_ocid": "ocds-213czf-malmo-77", "version": version}
    saved = post(client, f"/ui/challenges/{made['id']}/edit", {**fields, "action": "publish"})
    assert saved.status_code == 303, saved.text[:800]
    record = client.get(f"/ocds/challenges/{made['id']}/record").json()
    related = record["records"][0]["compiledRelease"]["relatedProcesses"]
    assert related[0]["identifier"] == "ocds-213czf-malmo-77"
    assert "ocds-213czf-malmo-77" in client.get(f"/ui/challenges/{made['id']}").text


def test_a_city_imports_a_release_file_as_its_draft(world: World) -> None:
    client = pages_as(world, "malmo")
    assert 'href="/ui/challenges/import"' in client.get("/ui/challenges").text
    form = client.get("/ui/challenges/import").text
    assert 'name="file"' in form and 'name="city_id"' not in form
    answer = upload(client, tender())
    assert answer.status_code == 303, answer.text[:800]
    cid = int(re.search(r"/challenges/(\d+)", answer.headers["location"]).group(1))
    body = world.get(f"/challenges/{cid}", "malmo").json()
    assert (body["status"], body["city"], body["title"]) == (
        "draft",
        "Malmö",
        TENDER["tender"]["title"],
    )
    assert 'data-testid="imported"' in client.get(answer.headers["location"]).text


def test_a_coordinator_imports_for_a_city_it_chooses(world: World) -> None:
    client = pages_as(world, "coordinator")
    form = client.get("/ui/challenges/import").text
    assert "Stockholm" in form and "Malmö" in form
    answer = upload(client, tender(), city_id=str(city_id(world, "Stockholm")))
    assert answer.status_code == 303, answer.text[:800]
    cid = int(re.search(r"/challenges/(\d+)", answer.headers["location"]).group(1))
    assert world.get(f"/challenges/{cid}", "stockholm").json()["status"] == "draft"


@pytest.mark.parametrize(
    ("document", "shown"),
    [
        (b"{not json", "The file is not JSON"),
        ({"ocid": "ocds-213czf-x", "tag": ["award"]}, "tag: [&#39;award&#39;]"),
        ({**TENDER, "tender": {"id": "1"}}, "tender.title: missing"),
    ],
)
def test_a_refused_file_is_answered_with_the_json_path(
    world: World, document: object, shown: str
) -> None:
    client = pages_as(world, "stockholm")
    answer = upload(client, document)
    assert answer.status_code == 422
    assert 'data-testid="form-error"' in answer.text and shown in answer.text


@pytest.mark.parametrize(("who", "status"), [("voltgrav", 403), ("anonymous", 303)])
def test_companies_and_strangers_cannot_import(world: World, who: str, status: int) -> None:
    client = pages_as(world, who)
    assert client.get("/ui/challenges/import", follow_redirects=False).status_code == status
    answer = upload(client, tender())
    assert answer.status_code in (status, 403)
