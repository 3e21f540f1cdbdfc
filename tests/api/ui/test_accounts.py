"""Accounts over HTTP on the pages: invitations and resets through a real SMTP server, limits
on guessing, sessions that end, API keys, and deactivation."""

from __future__ import annotations

import re
import time
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import timedelta
from itertools import count
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine, select
from sqlalchemy.orm import InstrumentedAttribute, Session

from api.app import create_app
from api.ui.auth import SESSION_COOKIE
from klimatmatch.settings import Settings
from models import Invitation, PasswordReset, SignInFailure, User, create_db_engine
from models.tables import utcnow
from tests import mailbox
from tests.api.conftest import credentials, make_world
from tests.mailbox import Mailbox

smtp = mailbox.smtp  # the fixture: a real SMTP server in this process

addresses = count(1)


@dataclass
class Site:
    app: object
    db: Engine
    mailbox: Mailbox
    tokens: dict[str, str]

    def client(self) -> TestClient:
        """A browser of its own: own cookies, own address (limits are per address)."""
        return TestClient(self.app, client=(f"10.1.0.{next(addresses)}", 50000))

    def signed_in(self, who: str) -> TestClient:
        client = self.client()
        response = client.post("/ui/sign-in", data=credentials(who), follow_redirects=False)
        assert response.status_code == 303, response.text
        return client

    def user_id(self, email: str) -> int:
        with self.db.connect() as connection:
            return connection.scalar(select(User.id).where(User.email == email))


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory, smtp: Mailbox) -> Iterator[Site]:
    path: Path = tmp_path_factory.mktemp("accounts") / "accounts.db"
    settings = Settings(
        database_url=f"sqlite:///{path}",
        embedder="tfidf",
        smtp_host="127.0.0.1",
        smtp_port=smtp.port,
        smtp_tls="none",
        public_url="http://testserver",
    )
    tokens, _ = make_world(settings.database_url)
    db = create_db_engine(settings.database_url)
    app = create_app(settings)
    with TestClient(app):
        yield Site(app, db, smtp, tokens)
    db.dispose()


def csrf_of(client: TestClient, path: str = "/ui/account") -> str:
    page = client.get(path)
    found = re.search(r'name="csrf-token" content="([0-9a-f]{64})"', page.text)
    assert found, page.text[:300]
    return found.group(1)


def invite(site: Site, who: str, email: str, role: str = "city", org: str = "Stockholm", **extra):  # noqa: ANN003, ANN201
    client = site.signed_in(who)
    data = {
        "email": email,
        "role": role,
        "organisation": org,
        "csrf": csrf_of(client, "/ui/people"),
    }
    return client.post("/ui/people/invitations", data={**data, **extra}, follow_redirects=False)


def path_of(link: str) -> str:
    return urlsplit(link).path


def shift(site: Site, column: InstrumentedAttribute, delta: timedelta) -> None:
    """Moves the clock for every row of a table by moving its stored time back."""
    with Session(site.db) as session:
        for row in session.scalars(select(column.class_)):
            setattr(row, column.key, getattr(row, column.key) - delta)
        session.commit()


def test_an_invitation_mail_carries_a_single_use_link_that_sets_a_password(site: Site) -> None:
    sent = invite(site, "coordinator", "Lena@Stockholm.se", name="Lena", language="sv")
    assert sent.status_code == 303 and sent.headers["location"].endswith(
        "invited=lena@stockholm.se"
    )
    message = site.mailbox.last_to("lena@stockholm.se")
    assert message["Subject"] == "Du är inbjuden till Klimatmatch"
    assert "som stad för Stockholm" in message.get_payload(decode=True).decode()
    link = path_of(site.mailbox.link_to("lena@stockholm.se"))

    browser = site.client()
    form = browser.get(link)
    assert form.status_code == 200 and "lena@stockholm.se" in form.text
    assert form.headers["referrer-policy"] == "no-referrer"
    short = browser.post(link, data={"name": "Lena", "password": "short"})
    assert short.status_code == 422 and "10 to 200 characters" in short.text
    accepted = browser.post(
        link, data={"name": "Lena Berg", "password": "a good long password"}, follow_redirects=False
    )
    assert accepted.status_code == 303 and SESSION_COOKIE in browser.cookies
    assert "Our challenges" in browser.get("/ui/challenges").text
    assert "Lena Berg" in browser.get("/ui/account").text

    again = site.client().get(link)
    assert again.status_code == 410 and "used already" in again.text
    taken = site.client().post(link, data={"password": "another long password"})
    assert taken.status_code == 410
    assert site.signed_in.__self__ is site  # the new person signs in like anyone else
    relog = site.client().post(
        "/ui/sign-in",
        data={"email": "LENA@stockholm.se", "password": "a good long password"},
        follow_redirects=False,
    )
    assert relog.status_code == 303


def test_an_expired_invitation_is_refused_with_a_clear_message(site: Site) -> None:
    assert (
        invite(site, "admin", "late@example.org", role="company", org="Voltgräv AB").status_code
        == 303
    )
    link = path_of(site.mailbox.link_to("late@example.org"))
    shift(site, Invitation.expires_at, timedelta(days=8))
    refused = site.client().get(link)
    assert refused.status_code == 410 and "expired" in refused.text
    assert site.client().get("/ui/invitations/not-a-real-token").status_code == 404


def test_inviting_follows_the_roles(site: Site) -> None:
    assert invite(site, "coordinator", "boss@example.org", role="admin", org="").status_code == 403
    assert invite(site, "admin", "boss@example.org", role="admin", org="").status_code == 303
    exists = invite(site, "admin", "stockholm@example.org")
    assert exists.status_code == 409 and "exists already" in exists.text
    wrong_kind = invite(site, "coordinator", "x@example.org", role="city", org="Voltgräv AB")
    assert wrong_kind.status_code == 422


def test_a_reset_link_works_once_ends_other_sessions_and_expires(site: Site) -> None:
    elsewhere = site.signed_in("voltgrav")
    sent = site.client().post("/ui/forgot-password", data={"email": "VOLTGRAV@example.org"})
    unknown = site.client().post("/ui/forgot-password", data={"email": "nobody@example.org"})
    assert sent.status_code == unknown.status_code == 200 and sent.text == unknown.text
    with pytest.raises(AssertionError):
        site.mailbox.last_to("nobody@example.org", timeout=0.2)
    assert (
        site.mailbox.last_to("voltgrav@example.org")["Subject"] == "A new password for Klimatmatch"
    )
    link = path_of(site.mailbox.link_to("voltgrav@example.org"))

    browser = site.client()
    assert browser.get(link).status_code == 200
    done = browser.post(link, data={"password": "voltgrav's new password"}, follow_redirects=False)
    assert done.status_code == 303 and browser.get("/ui/opportunities").status_code == 200
    assert elsewhere.get("/ui/opportunities", follow_redirects=False).status_code == 303
    old = site.client().post("/ui/sign-in", data=credentials("voltgrav"))
    assert old.status_code == 401
    again = site.client().post(link, data={"password": "yet another password"})
    assert again.status_code == 410 and "used already" in again.text

    site.client().post("/ui/forgot-password", data={"email": "voltgrav@example.org"})
    second = path_of(site.mailbox.link_to("voltgrav@example.org"))
    assert second != link
    shift(site, PasswordReset.expires_at, timedelta(hours=2))
    assert site.client().get(second).status_code == 410
    restored = site.client().post(second, data={"password": credentials("voltgrav")["password"]})
    assert restored.status_code == 410


def test_guessing_is_slowed_then_refused_and_says_nothing_about_the_email(
    site: Site, monkeypatch: pytest.MonkeyPatch
) -> None:
    frozen = utcnow()  # a pause ends when `shift` says, not when a slow machine's second passes
    monkeypatch.setattr("klimatmatch.services.sign_in.utcnow", lambda: frozen)

    def answers(email: str) -> list[tuple[int, str]]:
        client = site.client()
        seen = []
        for _ in range(4):
            response = client.post("/ui/sign-in", data={"email": email, "password": "wrong guess"})
            seen.append((response.status_code, response.text.replace(email, "EMAIL")))
        return seen

    known = answers("malmo@example.org")
    slowed = site.client().post("/ui/sign-in", data=credentials("malmo"))  # the right password
    assert slowed.status_code == 429 and slowed.headers["retry-after"] == "1"
    assert [status for status, _ in known] == [401, 401, 401, 429]
    assert "Wait 1 s and try again." in known[3][1]
    assert answers("nobody-here@example.org") == known  # same statuses, same pages

    for _ in range(7):  # wait out each pause (1, 2, 4 ... s) and fail again: ten in the window
        shift(site, SignInFailure.at, timedelta(seconds=70))
        wrong = {"email": "malmo@example.org", "password": "wrong guess"}
        assert site.client().post("/ui/sign-in", data=wrong).status_code == 401
    shift(site, SignInFailure.at, timedelta(seconds=70))
    locked = site.client().post("/ui/sign-in", data=credentials("malmo"))
    assert locked.status_code == 429 and 60 < int(locked.headers["retry-after"]) <= 900
    shift(site, SignInFailure.at, timedelta(minutes=16))  # the window has passed
    again = site.client().post("/ui/sign-in", data=credentials("malmo"), follow_redirects=False)
    assert again.status_code == 303


def test_signing_out_makes_the_old_cookie_useless(site: Site) -> None:
    client = site.signed_in("coordinator")
    cookie = client.cookies[SESSION_COOKIE]
    out = client.post("/ui/sign-out", data={"csrf": csrf_of(client)}, follow_redirects=False)
    assert out.status_code == 303
    replay = site.client()
    replay.cookies.set(SESSION_COOKIE, cookie)
    refused = replay.get("/ui/challenges", follow_redirects=False)
    assert refused.status_code == 303 and refused.headers["location"].startswith("/ui/sign-in")
    api = replay.get("/ui/challenges", headers={"Accept": "application/json"})
    assert api.status_code == 401


def test_the_account_page_lists_sessions_and_ends_one(site: Site) -> None:
    laptop, phone = site.signed_in("malmo"), site.signed_in("malmo")
    page = laptop.get("/ui/account")
    rows = re.findall(r'data-session-id="(\d+)"', page.text)
    assert len(rows) >= 2 and "this browser" in page.text
    phone_row = max(rows, key=int)
    ended = laptop.post(
        f"/ui/account/sessions/{phone_row}/end",
        data={"csrf": csrf_of(laptop)},
        follow_redirects=False,
    )
    assert ended.status_code == 303
    assert phone.get("/ui/account", follow_redirects=False).status_code == 303
    assert laptop.get("/ui/account").status_code == 200
    other = site.signed_in("stockholm")
    rows_of_other = re.findall(r'data-session-id="(\d+)"', other.get("/ui/account").text)
    foreign = laptop.post(
        f"/ui/account/sessions/{rows_of_other[0]}/end", data={"csrf": csrf_of(laptop)}
    )
    assert foreign.status_code == 404
    assert other.get("/ui/account").status_code == 200


def test_api_keys_made_on_the_account_page_call_the_api_until_revoked(site: Site) -> None:
    client = site.signed_in("sitecharge")
    made = client.post("/ui/account/keys", data={"name": "nightly sync", "csrf": csrf_of(client)})
    assert made.status_code == 201 and made.headers["cache-control"] == "no-store"
    key = re.search(r'data-testid="new-key"[^>]*value="(km_[^"]+)"|value="(km_[^"]+)"', made.text)
    secret = key.group(1) or key.group(2)
    api = TestClient(site.app)
    assert (
        api.get("/me", headers={"Authorization": f"Bearer {secret}"}).json()["name"] == "sitecharge"
    )
    assert secret not in client.get("/ui/account").text  # shown once
    key_id = re.findall(r'data-key-id="(\d+)"', client.get("/ui/account").text)[-1]
    revoked = client.post(f"/ui/account/keys/{key_id}/revoke", data={"csrf": csrf_of(client)})
    assert revoked.status_code == 200
    assert api.get("/me", headers={"Authorization": f"Bearer {secret}"}).status_code == 401


def test_a_deactivated_person_loses_sessions_and_keys_at_once(site: Site) -> None:
    person = site.signed_in("stockholm")
    token = site.tokens["stockholm"]
    api = TestClient(site.app)
    assert api.get("/me", headers={"Authorization": f"Bearer {token}"}).status_code == 200
    admin = site.signed_in("admin")
    user_id = site.user_id("stockholm@example.org")
    done = admin.post(
        f"/ui/people/{user_id}/deactivate", data={"csrf": csrf_of(admin, "/ui/people")}
    )
    assert done.status_code == 200 and "deactivated" in done.text
    assert person.get("/ui/challenges", follow_redirects=False).status_code == 303
    assert api.get("/me", headers={"Authorization": f"Bearer {token}"}).status_code == 401
    again = site.client().post("/ui/sign-in", data=credentials("stockholm"))
    assert again.status_code == 401
    myself = admin.post(
        f"/ui/people/{site.user_id('admin@example.org')}/deactivate", data={"csrf": csrf_of(admin)}
    )
    assert myself.status_code == 422


def test_changing_the_password_ends_the_other_sessions(site: Site) -> None:
    here, there = site.signed_in("sitecharge"), site.signed_in("sitecharge")
    wrong = here.post(
        "/ui/account/password",
        data={
            "current_password": "nope",
            "new_password": "a brand new password",
            "csrf": csrf_of(here),
        },
    )
    assert wrong.status_code == 422 and "current password is wrong" in wrong.text
    changed = here.post(
        "/ui/account/password",
        data={
            "current_password": credentials("sitecharge")["password"],
            "new_password": "a brand new password",
            "csrf": csrf_of(here),
        },
    )
    assert changed.status_code == 200 and "other sessions have ended" in changed.text
    assert there.get("/ui/account", follow_redirects=False).status_code == 303
    assert here.get("/ui/account").status_code == 200


def test_reset_mails_are_limited_per_account_with_the_same_answer(site: Site) -> None:
    """Nobody can flood a person's inbox: three links an hour, and the page says the same."""
    address = "sitecharge@example.org"
    before = sum(m["To"] == address for m in site.mailbox.messages)
    pages = [
        site.client().post("/ui/forgot-password", data={"email": address}).text for _ in range(5)
    ]
    assert len(set(pages)) == 1
    site.mailbox.last_to(address)
    time.sleep(0.3)  # let the server deliver anything still in flight
    assert sum(m["To"] == address for m in site.mailbox.messages) - before == 3
    shift(site, PasswordReset.created_at, timedelta(hours=2))  # an hour later: one more
    site.client().post("/ui/forgot-password", data={"email": address})
    time.sleep(0.3)
    assert sum(m["To"] == address for m in site.mailbox.messages) - before == 4
