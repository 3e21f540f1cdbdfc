"""Who may use the data-rights routes, role by role: nobody reads another's export, only staff
erase people (coordinators no administrators), only administrators erase organisations, and
without a session or key nothing is erased or exported. Every refusal leaves the person whole."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from models import Job, JobState, User, create_db_engine
from tests.api.conftest import World
from tests.api.test_access import form_token, pages_as

ROLES = ["stockholm", "voltgrav", "coordinator", "admin"]


def user_id(world: World, name: str) -> int:
    people = pages_as(world, "admin").get("/ui/people").text
    return int(re.search(rf'data-user-id="(\d+)">\s*<td>{name}</td>', people).group(1))


def still_there(world: World, who: str) -> bool:
    return world.get("/me", who).status_code == 200


def test_an_export_needs_a_key_or_a_session(world: World) -> None:
    assert world.get("/me/export", "anonymous").status_code == 401
    world.client.cookies.set("klimatmatch_session", "kms_forged")
    try:
        assert world.client.get("/me/export").status_code == 401
    finally:
        world.client.cookies.clear()
    assert world.get("/me/export", "malmo").json()["account"]["name"] == "malmo"


@pytest.mark.parametrize("who", ROLES)
def test_nobody_reads_anothers_export_job(world: World, who: str) -> None:
    """An export job of malmo's (as a job would have made it) is not found for anyone else."""
    url = str(world.client.app.state.klimatmatch.settings.database_url)
    engine = create_db_engine(url)
    with Session(engine) as session:
        owner = session.scalars(select(User).where(User.name == "malmo")).one()
        job = Job(
            id=f"export-of-malmo-{who}",
            kind="export",
            arguments={"user_id": owner.id, "format": "json", "name": "abc"},
            state=JobState.DONE,
            created_by_id=owner.id,
        )
        session.add(job)
        session.commit()
    engine.dispose()
    assert world.get(f"/me/exports/export-of-malmo-{who}", who).status_code == 404
    assert world.get(f"/me/exports/export-of-malmo-{who}", "anonymous").status_code == 401
    gone = world.get(f"/me/exports/export-of-malmo-{who}", "malmo")  # its file was never written
    assert gone.status_code == 404 and "ask for a new one" in gone.text


@pytest.mark.parametrize(
    ("who", "status"), [("stockholm", 403), ("voltgrav", 403), ("anonymous", 401)]
)
def test_cities_companies_and_strangers_erase_nobody(world: World, who: str, status: int) -> None:
    target = user_id(world, "malmo")
    assert world.post(f"/users/{target}/erasure", who).status_code == status
    client = pages_as(world, who)
    refused = client.post(
        f"/ui/people/{target}/erase", data={"csrf": form_token(client), "confirm": "true"}
    )
    assert refused.status_code == 403
    assert still_there(world, "malmo")


def test_a_coordinator_does_not_erase_an_administrator_nor_themselves(world: World) -> None:
    admin, coordinator = user_id(world, "admin"), user_id(world, "coordinator")
    assert world.post(f"/users/{admin}/erasure", "coordinator").status_code == 403
    myself = world.post(f"/users/{coordinator}/erasure", "coordinator")
    assert myself.status_code == 422 and "account page" in myself.text
    assert still_there(world, "admin") and still_there(world, "coordinator")
    assert world.post("/users/999999/erasure", "admin").status_code == 404


@pytest.mark.parametrize(
    ("who", "status"),
    [("stockholm", 403), ("voltgrav", 403), ("coordinator", 403), ("anonymous", 401)],
)
def test_only_administrators_erase_an_organisation(world: World, who: str, status: int) -> None:
    page = world.get(f"/companies/{world.ids['sitecharge']}", "admin").json()
    assert world.post("/organisations/1/erasure", who).status_code == status
    assert world.get(f"/companies/{world.ids['sitecharge']}", "admin").json() == page


def test_erasing_forms_refuse_anonymous_and_forged_posts(world: World) -> None:
    for path in ("/ui/account/erase", f"/ui/people/{user_id(world, 'malmo')}/erase"):
        assert pages_as(world, "anonymous").post(path, data={"csrf": "0" * 64}).status_code == 403
        forged = pages_as(world, "admin").post(path, data={"csrf": "0" * 64, "confirm": "true"})
        assert forged.status_code == 403
    assert still_there(world, "malmo") and still_there(world, "admin")


def test_an_unticked_staff_erasure_erases_nobody(world: World) -> None:
    client = pages_as(world, "coordinator")
    target = user_id(world, "malmo")
    answer = client.post(f"/ui/people/{target}/erase", data={"csrf": form_token(client)})
    assert "Tick the box to confirm that the person asked" in answer.text
    assert still_there(world, "malmo")


def test_the_privacy_page_needs_no_session(world: World) -> None:
    assert pages_as(world, "anonymous").get("/ui/privacy").status_code == 200
