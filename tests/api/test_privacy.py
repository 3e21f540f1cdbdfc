"""A person's data rights over HTTP, as a story: a person invited to Klimatmatch accepts the
terms, works, exports what they made and erases their account; a coordinator who asked is
erased by an administrator; others' pages keep working with "a former user"."""

from __future__ import annotations

import io
import json
import re
import time
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass
from itertools import count
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine, select
from sqlalchemy.orm import Session

from api.app import create_app
from api.pages.auth import SESSION_COOKIE
from klimatmatch.accounts.service import create_user
from klimatmatch.core.settings import Settings
from models import Role, TermsAcceptance, User, create_db_engine
from models.engagement import ExpressionOfInterest, TeamMember
from tests.api.conftest import credentials, make_world
from tests.api.forms import with_pre_session

addresses = count(1)
EVA = {"email": "eva@voltgrav.example", "password": "Eva has a long password"}
KIM = {"email": "kim@c40.example", "password": "Kim has a long password"}


@dataclass
class Site:
    app: object
    settings: Settings
    db: Engine
    tokens: dict[str, str]
    ids: dict[str, int]

    def client(self) -> TestClient:
        return TestClient(self.app, client=(f"10.2.0.{next(addresses)}", 50000))

    def signed_in(self, data: dict[str, str]) -> TestClient:
        client = self.client()
        answer = client.post(
            "/ui/sign-in", data=with_pre_session(client, data), follow_redirects=False
        )
        assert answer.status_code == 303, answer.text
        return client

    def sign_in(self, data: dict[str, str]) -> int:
        """The status of the sign-in form posted from a fresh browser."""
        client = self.client()
        return client.post("/ui/sign-in", data=with_pre_session(client, data)).status_code

    def api(self, method: str, path: str, token: str, **kwargs) -> object:  # noqa: ANN003
        headers = {"Authorization": f"Bearer {token}"}
        return self.client().request(method, path, headers=headers, **kwargs)

    def mail_to(self, address: str) -> list[Path]:
        """The outbox's e-mails to `address`, once the mail job has written one."""
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            found = [
                path
                for path in self.settings.outbox_dir.glob("*.eml")
                if address in path.read_text(errors="replace")
            ]
            if found:
                return found
            time.sleep(0.05)
        raise AssertionError(f"no e-mail to {address} in the outbox")


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Site]:
    folder = tmp_path_factory.mktemp("privacy")
    settings = Settings(
        database_url=f"sqlite:///{folder / 'privacy.db'}",
        snapshot_dir=folder / "snapshots",
        embedder="tfidf",
        outbox_dir=folder / "outbox",  # no SMTP server: every e-mail is a file here
        export_dir=folder / "exports",
        public_url="http://testserver",
        privacy_controller="Nordic Solutions for C40, privacy@c40.example",
    )
    tokens, ids = make_world(settings.database_url)
    db = create_db_engine(settings.database_url)
    with Session(db) as session:
        _, tokens["kim"] = create_user(
            session=session,
            name="Kim Lund",
            role=Role.COORDINATOR,
            organisation="Nordic Solutions for C40",
            **KIM,
        )
        session.commit()
    app = create_app(settings)
    with TestClient(app):
        yield Site(app, settings, db, tokens, ids)
    db.dispose()


def csrf_of(client: TestClient, path: str = "/ui/account") -> str:
    found = re.search(r'name="csrf-token" content="([0-9a-f]{64})"', client.get(path).text)
    assert found
    return found.group(1)


def invited_eva(site: Site) -> TestClient:
    """The coordinator invites Eva to Voltgräv AB; she accepts the terms and is signed in."""
    coordinator = site.signed_in(credentials("coordinator"))
    body = {"email": EVA["email"], "name": "Eva", "role": "company", "organisation": "Voltgräv AB"}
    sent = coordinator.post(
        "/ui/people/invitations", data={**body, "csrf": csrf_of(coordinator, "/ui/people")}
    )
    assert sent.status_code == 200
    [mail] = site.mail_to(EVA["email"])
    link = re.search(r"http://testserver(/ui/invitations/\S+)", mail.read_text()).group(1)
    eva = site.client()
    typed = {"name": "Eva Ek", "password": EVA["password"]}
    unticked = eva.post(link, data=with_pre_session(eva, typed, link))
    assert unticked.status_code == 422 and "Tick the box to accept the terms" in unticked.text
    ticked = eva.post(
        link, data=with_pre_session(eva, {**typed, "terms": "true"}, link), follow_redirects=False
    )
    assert ticked.status_code == 303 and SESSION_COOKIE in eva.cookies
    return eva


def challenge_with_everything(site: Site, eva_key: str, staff: str = "kim") -> tuple[int, int]:
    """Eva states interest and answers; Kim reviews, moves the stage, invites and proposes a
    team: a record of every kind. Returns (challenge id, team id)."""
    volt, other = site.ids["voltgrav"], site.ids["sitecharge"]
    body = {"title": "Tysta eldrivna arbetsmaskiner", "description": "Vi söker eldrivna maskiner."}
    cid = site.api("POST", "/challenges", site.tokens["stockholm"], json=body).json()["id"]
    pitch = {"pitch": "Eva's own pitch: electric diggers in three weeks.", "partners": []}
    assert (
        site.api("PUT", f"/challenges/{cid}/interest/{volt}", eva_key, json=pitch).status_code
        == 201
    )
    review = {"challenge_id": cid, "company_id": volt, "decision": "accepted"}
    review |= {"reason": "Kim's reason: proven machines", "note": "Kim's note: call them"}
    assert site.api("POST", "/reviews", site.tokens[staff], json=review).status_code == 201
    stage = {"stage": "shortlisting"}
    assert (
        site.api("POST", f"/challenges/{cid}/stage", site.tokens[staff], json=stage).status_code
        == 200
    )
    invited = site.api(
        "POST",
        f"/challenges/{cid}/invitations",
        site.tokens[staff],
        json={"company_ids": [volt], "note": "Kim's invitation note"},
    ).json()["data"]
    answer = site.api(
        "POST",
        f"/workshop-invitations/{invited[0]['id']}/answer",
        eva_key,
        json={"answer": "accepted"},
    )
    assert answer.status_code == 200
    team = site.api(
        "POST",
        f"/challenges/{cid}/teams",
        site.tokens[staff],
        json={"company_ids": [other, volt], "note": "Kim's team note"},
    ).json()
    declined = site.api(
        "POST",
        f"/teams/{team['id']}/members/{volt}/answer",
        eva_key,
        json={"answer": "declined", "reason": "Eva's reason: no machines free"},
    )
    assert declined.status_code == 200, declined.text
    return cid, team["id"]


def test_a_person_exports_every_kind_of_record_then_erases_the_account(site: Site) -> None:
    eva = invited_eva(site)
    made = eva.post("/ui/account/keys", data={"name": "Eva's sync", "csrf": csrf_of(eva)})
    eva_key = re.search(r'id="new-key" readonly value="([^"]+)"', made.text)
    assert eva_key, made.text[:300]
    eva_key = eva_key.group(1)
    cid, _ = challenge_with_everything(site, eva_key)

    exported = site.api("GET", "/me/export", eva_key)
    assert exported.status_code == 200 and exported.headers["content-type"] == "application/json"
    assert exported.headers["content-disposition"].startswith("attachment;")
    assert eva_key not in exported.text and eva.cookies[SESSION_COOKIE] not in exported.text
    assert "hash" not in exported.text
    data = exported.json()
    assert data["account"]["email"] == EVA["email"] and data["account"]["name"] == "Eva Ek"
    assert data["terms_accepted"][0]["version"] == site.settings.terms_version
    assert [key["name"] for key in data["api_keys"]] == ["Eva's sync"]
    assert data["sessions"] and data["sessions"][0]["address"].startswith("10.2.0.")
    assert data["interest"][0]["pitch"].startswith("Eva's own pitch")
    assert data["workshop_invitations"][0]["answer"] == "accepted"
    assert data["team_answers"][0]["reason"] == "Eva's reason: no machines free"
    assert {item["kind"] for item in data["inbox"]} >= {"invitation", "team"}
    assert any("invited" in mail["subject"] for mail in data["emails"])
    assert data["invitations_received"][0]["role"] == "company"

    # The same from the account page, by its session, as a zip with a CSV per kind
    page = eva.get("/ui/account")
    assert 'href="/me/export?format=zip"' in page.text
    archive = zipfile.ZipFile(io.BytesIO(eva.get("/me/export?format=zip").content))
    assert {"export.json", "interest.csv", "api_keys.csv", "emails.csv"} <= set(archive.namelist())
    assert "Eva's own pitch" in archive.read("interest.csv").decode()
    assert json.loads(archive.read("export.json"))["account"]["email"] == EVA["email"]

    kim = site.api("GET", "/me/export", site.tokens["kim"]).json()
    assert kim["reviews"][0]["note"] == "Kim's note: call them"
    assert kim["stage_changes"][0]["to_stage"] == "shortlisting"
    assert kim["workshop_invitations"][0]["note"] == "Kim's invitation note"
    assert kim["teams_proposed"][0]["note"] == "Kim's team note"

    # Erasure: the password and the box, then the account is gone
    csrf = csrf_of(eva)
    wrong = eva.post(
        "/ui/account/erase", data={"csrf": csrf, "password": "not hers", "confirm": "true"}
    )
    assert wrong.status_code == 422 and "The password is wrong." in wrong.text
    unticked = eva.post("/ui/account/erase", data={"csrf": csrf, "password": EVA["password"]})
    assert unticked.status_code == 422 and "Tick the box to confirm." in unticked.text
    erased = eva.post(
        "/ui/account/erase",
        data={"csrf": csrf, "password": EVA["password"], "confirm": "true"},
        follow_redirects=False,
    )
    assert erased.status_code == 303 and erased.headers["location"] == "/ui/privacy?erased=1"
    assert eva.get("/ui/account", follow_redirects=False).status_code == 303
    assert site.sign_in(EVA) == 401  # as for any unknown e-mail
    assert site.api("GET", "/me", eva_key).status_code == 401
    assert site.api("GET", "/me/export", eva_key).status_code == 401
    with Session(site.db) as session:
        assert session.scalar(select(User).where(User.email == EVA["email"])) is None
        accepted = select(TermsAcceptance).where(TermsAcceptance.user_id == data["account"]["id"])
        assert session.scalars(accepted).all() == []
        interest = session.scalar(
            select(ExpressionOfInterest).where(ExpressionOfInterest.challenge_id == cid)
        )
        assert interest.pitch == "" and interest.created_by_id is None  # kept, her words gone
        member = session.scalar(
            select(TeamMember).where(TeamMember.company_id == site.ids["voltgrav"])
        )
        assert (member.answer.value, member.reason) == ("declined", "")
        # the address is free: a new account may take it
        create_user(session=session, name="Eva", role=Role.CITY, organisation="Stockholm", **EVA)
        session.rollback()
    outbox = [path.read_text() for path in site.settings.outbox_dir.glob("*.eml")]
    assert not any(EVA["email"] in text for text in outbox)  # the export found some above


def test_an_erased_coordinator_is_a_former_user_on_others_pages(site: Site) -> None:
    cid, team_id = challenge_with_everything(site, site.tokens["voltgrav"])
    with Session(site.db) as session:
        kim_id = session.scalar(select(User.id).where(User.email == KIM["email"]))
    refused = site.api("POST", f"/users/{kim_id}/erasure", site.tokens["voltgrav"])
    assert refused.status_code == 403
    done = site.api("POST", f"/users/{kim_id}/erasure", site.tokens["admin"])
    assert done.status_code == 204
    assert site.api("GET", "/me", site.tokens["kim"]).status_code == 401
    assert site.sign_in(KIM) == 401

    city = site.signed_in(credentials("stockholm")).get(f"/ui/challenges/{cid}")
    assert city.status_code == 200 and "a former user" in city.text and "Kim Lund" not in city.text
    staff = site.signed_in(credentials("coordinator")).get(f"/ui/challenges/{cid}")
    assert staff.status_code == 200 and "a former user" in staff.text
    assert "Kim's reason" not in staff.text and "Kim's team note" not in staff.text
    teams = site.api("GET", f"/challenges/{cid}/teams", site.tokens["coordinator"]).json()
    assert [team["id"] for team in teams["data"]] == [team_id]  # the team others rely on stays
    reviews = site.api("GET", f"/challenges/{cid}/reviews", site.tokens["coordinator"]).json()
    assert [(r["reviewer"], r["decision"], r["reason"], r["note"]) for r in reviews] == [
        ("a former user", "accepted", "", "")
    ]


def test_a_large_export_is_produced_by_a_job_only_its_person_downloads(site: Site) -> None:
    jobbed = create_app(site.settings.model_copy(update={"export_inline_rows": 0}))
    with TestClient(jobbed) as client:

        def get(path: str, who: str, **kwargs):  # noqa: ANN003, ANN202
            return client.get(
                path, headers={"Authorization": f"Bearer {site.tokens[who]}"}, **kwargs
            )

        queued = get("/me/export?format=zip", "voltgrav")
        assert queued.status_code == 202 and queued.json()["kind"] == "export"
        location = queued.headers["location"]
        jobbed.state.jobs.join(10_000)
        assert get(location, "sitecharge").status_code == 404  # someone else's export
        assert get(location, "admin").status_code == 404
        assert client.get(location).status_code == 401
        done = get(location, "voltgrav")
        assert done.status_code == 200 and done.headers["content-type"] == "application/zip"
        archive = zipfile.ZipFile(io.BytesIO(done.content))
        assert json.loads(archive.read("export.json"))["account"]["name"] == "voltgrav"
        page = TestClient(jobbed)
        page.post("/ui/sign-in", data=with_pre_session(page, credentials("sitecharge")))
        redirected = page.get("/me/export", follow_redirects=False)
        assert redirected.status_code == 303
        assert redirected.headers["location"].startswith("/ui/account?export=")
        assert "being prepared" in page.get(redirected.headers["location"]).text
        bad = get("/me/export?format=xml", "voltgrav")
        assert bad.status_code == 422 and "format" in bad.text


def test_the_privacy_page_states_the_retention_and_the_controller(site: Site) -> None:
    page = site.client().get("/ui/privacy")
    assert page.status_code == 200
    assert "privacy@c40.example" in page.text
    assert "365 days" in page.text and "90 days after the session ended" in page.text
    assert 'href="/ui/privacy"' in site.client().get("/ui/sign-in").text  # the footer


def test_an_administrator_erases_an_organisation_and_others_pages_keep_working(
    site: Site,
) -> None:
    """Last in this module: SiteCharge Nordic is gone afterwards."""
    other = site.ids["sitecharge"]
    cid, team_id = challenge_with_everything(site, site.tokens["voltgrav"], "coordinator")
    organisation = site.api("GET", f"/companies/{other}", site.tokens["admin"]).json()
    assert organisation["name"] == "SiteCharge Nordic"
    with Session(site.db) as session:
        org_id = session.scalar(select(User.organisation_id).where(User.name == "sitecharge"))
    assert (
        site.api("POST", f"/organisations/{org_id}/erasure", site.tokens["coordinator"]).status_code
        == 403
    )
    done = site.api("POST", f"/organisations/{org_id}/erasure", site.tokens["admin"])
    assert done.status_code == 204

    assert site.sign_in(credentials("sitecharge")) == 401
    assert site.api("GET", "/me", site.tokens["sitecharge"]).status_code == 401
    profile = site.api("GET", f"/companies/{other}", site.tokens["admin"]).json()
    assert profile["name"] == f"Former organisation {org_id}" and profile["description"] == ""
    assert site.api("GET", f"/companies/{other}", site.tokens["stockholm"]).status_code == 404
    shortlist = site.api(
        "GET", f"/challenges/{cid}/shortlist?k=50&explain=false", site.tokens["coordinator"]
    ).json()
    assert other not in {row["company_id"] for row in shortlist["results"]}
    teams = site.api("GET", f"/challenges/{cid}/teams", site.tokens["coordinator"]).json()
    assert [team["id"] for team in teams["data"]] == [team_id]
    page = site.signed_in(credentials("coordinator")).get(f"/ui/challenges/{cid}")
    assert page.status_code == 200 and "SiteCharge Nordic" not in page.text
