"""The funnel over HTTP, played on a fresh challenge: each step counts distinct companies, the
time to a first answer is measured from the opening, and only staff and the owning city see it."""

from __future__ import annotations

import io

import pandas as pd
import pytest

from tests.api.conftest import World
from tests.api.test_access import pages_as
from tests.api.test_engagement import new_challenge, put


def row_of(world: World, who: str, challenge_id: int) -> dict | None:
    body = world.get("/funnel", who).json()
    return next((r for r in body["challenges"] if r["challenge_id"] == challenge_id), None)


@pytest.fixture(scope="module")
def played(world: World) -> int:
    """A challenge taken through the process: its current top 10 matched, one reviewed, both
    invited (one accepts, one declines), one interested, one team formed, closed as a pilot."""
    cid, volt, site = new_challenge(world), world.ids["voltgrav"], world.ids["sitecharge"]
    for _ in range(2):  # opened twice, with another k: the funnel counts the current top 10
        world.get(f"/challenges/{cid}/shortlist", "coordinator", params={"k": 5})
    review = {"challenge_id": cid, "company_id": volt, "decision": "accepted"}
    assert world.post("/reviews", "coordinator", json=review).status_code == 201
    pitch = {"pitch": "Eldrivna grävmaskiner på tre veckor."}
    assert put(world, f"/challenges/{cid}/interest/{volt}", "voltgrav", pitch).status_code == 201
    world.post(f"/challenges/{cid}/stage", "stockholm", json={"stage": "shortlisting"})
    invited = world.post(
        f"/challenges/{cid}/invitations", "coordinator", json={"company_ids": [volt, site]}
    ).json()["data"]
    ids = {row["company_id"]: row["id"] for row in invited}
    world.post(f"/workshop-invitations/{ids[volt]}/answer", "voltgrav", json={"answer": "accepted"})
    world.post(
        f"/workshop-invitations/{ids[site]}/answer",
        "sitecharge",
        json={"answer": "declined", "reason": "Fully booked"},
    )
    team = world.post(f"/challenges/{cid}/teams", "coordinator", json={"company_ids": [site, volt]})
    for who, company in (("voltgrav", volt), ("sitecharge", site)):
        world.post(
            f"/teams/{team.json()['id']}/members/{company}/answer", who, json={"answer": "accepted"}
        )
    close = {"stage": "closed", "outcome": "pilot", "summary": "A pilot at Värtahamnen."}
    assert world.post(f"/challenges/{cid}/stage", "stockholm", json=close).status_code == 200
    return cid


def test_each_step_counts_distinct_companies(world: World, played: int) -> None:
    row = row_of(world, "coordinator", played)
    assert row is not None
    assert (row["matched"], row["reviewed"], row["interested"]) == (10, 1, 1)  # the top 10
    assert (row["invited"], row["accepted"], row["declined"]) == (2, 1, 1)
    assert (row["teams_proposed"], row["teams_formed"]) == (1, 1)
    assert (row["stage"], row["outcome"], row["city"]) == ("closed", "pilot", "Stockholm")
    assert row["hours_to_first_answer"] is not None and 0 <= row["hours_to_first_answer"] < 1
    body = world.get("/funnel", "admin").json()
    assert body["totals"]["teams_formed"] >= 1 and body["outcomes"]["pilot"] >= 1
    assert body["totals"]["matched"] >= row["matched"]


@pytest.mark.parametrize(("who", "sees"), [("stockholm", True), ("malmo", False)])
def test_a_city_sees_the_funnel_of_its_own_challenges(
    world: World, played: int, who: str, sees: bool
) -> None:
    response = world.get("/funnel", who)
    assert response.status_code == 200
    assert (row_of(world, who, played) is not None) == sees
    cities = {r["city"] for r in response.json()["challenges"]}
    assert cities == {"Stockholm" if who == "stockholm" else "Malmö"}


@pytest.mark.parametrize("path", ["/funnel", "/funnel/export"])
@pytest.mark.parametrize(("who", "status"), [("voltgrav", 403), ("anonymous", 401)])
def test_companies_and_anonymous_callers_are_refused(
    world: World, path: str, who: str, status: int
) -> None:
    response = world.get(path, who)
    assert response.status_code == status
    if status == 403:
        assert response.json()["detail"] == "the funnel is for coordinators and cities"


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_the_funnel_exports_one_row_per_challenge(world: World, played: int, fmt: str) -> None:
    response = world.get("/funnel/export", "coordinator", params={"format": fmt})
    assert response.status_code == 200
    assert f'filename="funnel.{fmt}"' in response.headers["content-disposition"]
    content = io.BytesIO(response.content)
    frame = pd.read_csv(content) if fmt == "csv" else pd.read_excel(content, sheet_name="funnel")
    row = frame[frame["challenge_id"] == played].iloc[0]
    assert (row["invited"], row["accepted"], row["teams_formed"], row["outcome"]) == (
        2,
        1,
        1,
        "pilot",
    )
    assert len(frame) == len(world.get("/funnel", "coordinator").json()["challenges"])


@pytest.mark.parametrize(
    ("who", "status"),
    [("stockholm", 200), ("malmo", 200), ("voltgrav", 403), ("coordinator", 200), ("admin", 200)],
)
def test_the_funnel_page_for_staff_and_cities(
    world: World, played: int, who: str, status: int
) -> None:
    page = pages_as(world, who).get("/ui/funnel")
    assert page.status_code == status
    if status == 200:
        assert (f'data-challenge-id="{played}"' in page.text) == (who != "malmo")
        assert 'href="/ui/funnel"' in page.text  # in the menu


def test_anonymous_visitors_are_sent_to_sign_in_for_the_funnel_page(world: World) -> None:
    response = pages_as(world, "anonymous").get("/ui/funnel", follow_redirects=False)
    assert response.status_code == 303 and response.headers["location"].startswith("/ui/sign-in")


@pytest.mark.parametrize(
    ("who", "status"),
    [("stockholm", 200), ("coordinator", 200), ("voltgrav", 403), ("anonymous", 303)],
)
@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_the_funnel_page_downloads_with_the_page_session(
    world: World, played: int, who: str, status: int, fmt: str
) -> None:
    """The page's download links work for a signed-in person (the API's export takes keys)."""
    page = pages_as(world, who)
    if who != "anonymous":
        assert f'href="/ui/funnel/export?format={fmt}"' in page.get("/ui/funnel").text or (
            status == 403
        )
    response = page.get(f"/ui/funnel/export?format={fmt}", follow_redirects=False)
    assert response.status_code == status
    if status == 200:
        assert f'filename="funnel.{fmt}"' in response.headers["content-disposition"]
        content = io.BytesIO(response.content)
        frame = pd.read_csv(content) if fmt == "csv" else pd.read_excel(content, "funnel")
        assert (played in set(frame["challenge_id"])) == (who in {"stockholm", "coordinator"})
