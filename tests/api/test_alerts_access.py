"""Alerts over the API, every role: a person sees and marks only their own notifications
(another's is 404), sets only their own frequency; and the whole path from a city publishing
a challenge (or a company stating interest) to the other side's inbox runs on the job queue."""

from __future__ import annotations

import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select

from api.app import create_app
from klimatmatch.alerts import service as alerts
from klimatmatch.core.settings import Settings
from models import User, create_db_engine, session_factory
from models.alerts import NotificationKind
from tests import mailbox
from tests.api.conftest import World, make_world
from tests.mailbox import Mailbox

smtp = mailbox.smtp
EVERYONE = ["stockholm", "malmo", "voltgrav", "sitecharge", "coordinator", "admin", "anonymous"]
PEOPLE = [who for who in EVERYONE if who != "anonymous"]


@pytest.fixture(scope="module")
def alert_world(tmp_path_factory: pytest.TempPathFactory, smtp: Mailbox) -> Iterator[World]:
    path: Path = tmp_path_factory.mktemp("alerts") / "api.db"
    settings = Settings(
        database_url=f"sqlite:///{path}",
        embedder="tfidf",
        smtp_host="127.0.0.1",
        smtp_port=smtp.port,
        smtp_tls="none",
    )
    tokens, ids = make_world(settings.database_url)
    db = create_db_engine(settings.database_url)
    with session_factory(db)() as session:  # one notification each, made as the jobs make them
        for who in PEOPLE:
            user = session.scalar(select(User).where(User.name == who))
            item = alerts.Item(NotificationKind.INTEREST, f"seed-{who}", f"For {who}", "Company")
            [row] = alerts.notify(session=session, users=[user], item=item)
            session.flush()
            ids[f"notification_{who}"] = row.id
        session.commit()
    db.dispose()
    with TestClient(create_app(settings)) as client:
        yield World(client, tokens, ids)


@pytest.mark.parametrize("who", EVERYONE)
def test_each_person_lists_only_their_own_notifications(alert_world: World, who: str) -> None:
    response = alert_world.get("/notifications", who)
    if who == "anonymous":
        assert response.status_code == 401
        return
    assert response.status_code == 200, response.text
    body = response.json()
    titles = {row["title"] for row in body["data"]}
    assert f"For {who}" in titles
    assert not {f"For {other}" for other in PEOPLE if other != who} & titles
    assert body["unread"] >= 1


@pytest.mark.parametrize("who", EVERYONE)
def test_only_the_owner_marks_a_notification_read(alert_world: World, who: str) -> None:
    notification = alert_world.ids["notification_voltgrav"]
    response = alert_world.post(f"/notifications/{notification}/read", who)
    expected = {"voltgrav": 200, "anonymous": 401}.get(who, 404)
    assert response.status_code == expected, response.text
    if who == "voltgrav":
        assert response.json()["read_at"] is not None


@pytest.mark.parametrize("who", EVERYONE)
def test_each_person_reads_and_sets_only_their_own_frequency(alert_world: World, who: str) -> None:
    if who == "anonymous":
        assert alert_world.get("/me/alerts", who).status_code == 401
        put = alert_world.client.put("/me/alerts", json={"frequency": "never"})
        assert put.status_code == 401
        return
    headers = alert_world.auth(who)
    assert alert_world.get("/me/alerts", who).json() == {"frequency": "immediate"}
    put = alert_world.client.put("/me/alerts", headers=headers, json={"frequency": "weekly"})
    assert put.status_code == 200 and put.json() == {"frequency": "weekly"}
    bad = alert_world.client.put("/me/alerts", headers=headers, json={"frequency": "hourly"})
    assert bad.status_code == 422
    assert alert_world.get("/me/alerts", who).json() == {"frequency": "weekly"}
    others = [other for other in PEOPLE if other != who]
    assert all(alert_world.get("/me/alerts", o).json()["frequency"] != "never" for o in others)
    back = alert_world.client.put("/me/alerts", headers=headers, json={"frequency": "immediate"})
    assert back.status_code == 200


def wait_for_kind(world: World, who: str, kind: str, timeout: float = 60) -> dict:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        rows = world.get("/notifications", who).json()["data"]
        found = [row for row in rows if row["kind"] == kind]
        if found:
            return found[0]
        time.sleep(0.2)
    raise AssertionError(f"no {kind} notification for {who}")


def test_publishing_alerts_the_fitting_company_and_interest_alerts_the_city(
    alert_world: World, smtp: Mailbox
) -> None:
    body = {
        "title": "Eldrivna grävmaskiner på byggarbetsplatsen",
        "description": "Vi söker eldrivna grävmaskiner och laddning av tunga fordon.",
        "status": "published",
    }
    created = alert_world.post("/challenges", "stockholm", json=body)
    assert created.status_code == 201, created.text
    challenge_id = created.json()["id"]
    match = wait_for_kind(alert_world, "voltgrav", "match")
    assert match["challenge_id"] == challenge_id and match["rank"] >= 1 and match["score"] > 0
    assert smtp.last_to("voltgrav@example.org")["List-Unsubscribe"]
    pitch = {"pitch": "Vi bygger om grävmaskiner till batteridrift på tre veckor."}
    path = f"/challenges/{challenge_id}/interest/{alert_world.ids['voltgrav']}"
    assert alert_world.client.put(path, headers=alert_world.auth("voltgrav"), json=pitch).is_success
    interest = wait_for_kind(alert_world, "stockholm", "interest")
    assert interest["challenge_id"] == challenge_id
    malmo = alert_world.get("/notifications", "malmo").json()["data"]
    assert not [row for row in malmo if row["challenge_id"] == challenge_id]


def test_the_unsubscribe_link_asks_first_and_the_button_stops_the_emails(
    alert_world: World, smtp: Mailbox
) -> None:
    link = wait_for_kind(alert_world, "voltgrav", "match") and smtp.last_to("voltgrav@example.org")[
        "List-Unsubscribe"
    ].strip("<>")
    path = link.removeprefix("http://127.0.0.1:8000")
    page = alert_world.client.get(path)
    assert page.status_code == 200 and "<form" in page.text
    assert alert_world.get("/me/alerts", "voltgrav").json() == {"frequency": "immediate"}
    done = alert_world.client.post(path)
    assert done.status_code == 200 and 'data-testid="unsubscribed"' in done.text
    assert alert_world.get("/me/alerts", "voltgrav").json() == {"frequency": "never"}
    assert alert_world.client.get("/ui/unsubscribe/" + "x" * 43).status_code == 404
