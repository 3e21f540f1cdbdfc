"""OCDS over HTTP: the packages are open data (no token) with drafts invisible, and only a
city (for itself) or a coordinator imports a release as a draft."""

from __future__ import annotations

import itertools
import json
from pathlib import Path

import pytest
from sqlalchemy import select

from models import Organisation
from tests.api.conftest import World
from tests.klimatmatch.ocds.schemas import assert_record_package, assert_release_package

TENDER = json.loads(
    (Path(__file__).parents[1] / "klimatmatch" / "ocds" / "tender_release.json").read_text(
        encoding="utf-8"
    )
)
counter = itertools.count(1)
PUBLIC = {
    ("get", "/ocds/challenges/{challenge_id}/releases"),
    ("get", "/ocds/challenges/{challenge_id}/record"),
    ("get", "/ocds/releases"),
    ("get", "/ocds/policy"),
}
"""Open data: anyone reads them, without a token."""
ROUTES = PUBLIC | {("post", "/ocds/import")}
CITIES = {"stockholm": "Stockholm", "malmo": "Malmö"}


def tender(**changes: object) -> dict:
    return {**TENDER, "ocid": f"ocds-213czf-import-{next(counter)}", **changes}


@pytest.mark.parametrize("who", ["anonymous", "voltgrav", "coordinator"])
def test_a_published_challenge_reads_as_valid_packages_by_anyone(world: World, who: str) -> None:
    cid = world.ids["mal_published"]
    releases = world.get(f"/ocds/challenges/{cid}/releases", who)
    assert releases.status_code == 200, releases.text
    assert_release_package(releases.json())
    assert releases.json()["releases"][0]["tag"] == ["planning"]
    record = world.get(f"/ocds/challenges/{cid}/record", who)
    assert_record_package(record.json())
    assert record.json()["records"][0]["ocid"] == f"ocds-klimatmatch-{cid}"


@pytest.mark.parametrize("who", ["anonymous", "stockholm", "coordinator"])
def test_a_draft_answers_as_a_missing_challenge_and_is_not_in_the_feed(
    world: World, who: str
) -> None:
    draft, missing = world.ids["sth_draft"], 2_000_000
    for kind in ("releases", "record"):
        refused = world.get(f"/ocds/challenges/{draft}/{kind}", who)
        absent = world.get(f"/ocds/challenges/{missing}/{kind}", who)
        assert refused.status_code == absent.status_code == 404
        assert refused.json()["detail"] == absent.json()["detail"].replace(str(missing), str(draft))
    ocids, page = set(), 1
    while page:
        package = world.get("/ocds/releases", who, params={"page": page}).json()
        assert_release_package(package)
        ocids |= {release["ocid"] for release in package["releases"]}
        page = page + 1 if "next" in package.get("links", {}) else 0
    assert f"ocds-klimatmatch-{draft}" not in ocids
    assert f"ocds-klimatmatch-{world.ids['mal_published']}" in ocids


def test_the_publication_policy_is_where_the_packages_say(world: World) -> None:
    package = world.get(f"/ocds/challenges/{world.ids['sth_published']}/releases", "anonymous")
    policy = package.json()["publicationPolicy"]
    assert policy.endswith("/ocds/policy")
    assert world.get("/ocds/policy", "anonymous").json()["ocidPrefix"] == "ocds-klimatmatch"


def test_eforms_fields_and_a_later_tender_travel_through_the_api(world: World) -> None:
    body = {
        "title": "Eldrivna arbetsmaskiner i Sege Park",
        "description": "Vi söker eldrivna arbetsmaskiner och laddning på byggarbetsplatsen.",
        "green_procurement": ["clim-mitig"],
        "green_criteria": "national, eu",
        "clean_vehicles": False,
        "nuts_code": "SE224",
    }
    made = world.post("/challenges", "malmo", json=body)
    assert made.status_code == 201, made.text
    cid = made.json()["id"]
    assert made.json()["green_criteria"] == ["national", "eu"]
    refused = world.patch(f"/challenges/{cid}", "malmo", json={"tender_ocid": "ocds-213czf-1"})
    assert refused.status_code == 422 and "tender_ocid" in refused.json()["detail"]
    close = {
        "stage": "closed",
        "outcome": "procurement",
        "summary": "Two suppliers fit; the city procures excavators next year.",
    }
    assert world.post(f"/challenges/{cid}/stage", "malmo", json=close).status_code == 200
    bad = world.patch(f"/challenges/{cid}", "malmo", json={"tender_ocid": "not an ocid"})
    assert bad.status_code == 422
    linked = world.patch(f"/challenges/{cid}", "malmo", json={"tender_ocid": "ocds-213czf-1"})
    assert linked.status_code == 200 and linked.json()["tender_ocid"] == "ocds-213czf-1"
    package = world.get(f"/ocds/challenges/{cid}/releases", "anonymous").json()
    assert_release_package(package)
    assert [r["tag"] for r in package["releases"]] == [
        ["planning"],
        ["planningUpdate"],
        ["planningUpdate"],
    ]
    latest = package["releases"][-1]
    assert latest["relatedProcesses"][0]["identifier"] == "ocds-213czf-1"
    assert latest["tender"]["eForms"]["cleanVehiclesDirective"] is False


@pytest.mark.parametrize(
    ("who", "city", "status"),
    [
        ("anonymous", None, 401),
        ("voltgrav", None, 403),
        ("voltgrav", "stockholm", 403),
        ("malmo", "stockholm", 403),
        ("coordinator", None, 422),
        ("coordinator", "stockholm", 201),
        ("admin", "malmo", 201),
        ("stockholm", None, 201),
        ("stockholm", "stockholm", 201),
    ],
)
def test_only_a_city_for_itself_or_staff_imports(
    world: World, who: str, city: str | None, status: int
) -> None:
    params = {"city_id": city_id(world, CITIES[city])} if city else {}
    response = world.post("/ocds/import", who, json=tender(), params=params)
    assert response.status_code == status, response.text
    if status == 201:
        made = response.json()
        assert made["status"] == "draft"
        assert made["city"] == CITIES[city or who]
        assert world.get(f"/ocds/challenges/{made['id']}/record", "anonymous").status_code == 404


def city_id(world: World, name: str) -> int:
    """A city's organisation id (no route lists organisations by name)."""
    with world.client.app.state.klimatmatch.sessions() as session:
        found = session.scalar(select(Organisation.id).where(Organisation.name == name))
    assert found is not None
    return found


def test_a_bad_import_names_the_json_path(world: World) -> None:
    broken = tender(tender={**TENDER["tender"], "tenderPeriod": {"endDate": "soon"}})
    response = world.post("/ocds/import", "stockholm", json=broken)
    assert response.status_code == 422
    assert response.json()["detail"].startswith("tender.tenderPeriod.endDate: 'soon'")
    not_json = world.client.post(
        "/ocds/import",
        headers={**world.auth("stockholm"), "Content-Type": "application/json"},
        content=b"{not json",
    )
    assert not_json.status_code == 422
