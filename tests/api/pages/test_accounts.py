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
from httpx import Response
from sqlalchemy import Engine, select
from sqlalchemy.orm import InstrumentedAttribute, Session

from api.app import create_app
from api.pages.auth import SESSION_COOKIE
from klimatmatch.accounts import passwords
from klimatmatch.core.settings import Settings
from models import Invitation, PasswordReset, SignInFailure, User, create_db_engine
from models.tables import utcnow
from tests import mailbox
from tests.api.conftest import credentials, make_world
from tests.api.forms import with_pre_session
from tests.mailbox import Mailbox, Message

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
        response = client.post(
            "/ui/sign-in", data=with_pre_session(client, credentials(who)), follow_redirects=False
        )
        assert response.status_code == 303, response.text
        return client

    def sign_in(self, data: dict[str, str], **kwargs) -> Response:  # noqa: ANN003
        """The sign-in form posted from a fresh browser of its own."""
        client = self.client()
        return client.post("/ui/sign-in", data=with_pre_session(client, data), **kwargs)

    def user_id(self, email: str) -> int:
        with self.db.connect() as connection:
            return connection.scalar(select(User.id).where(User.email == email))

    def mail_after(self, seen: int, address: str, count: int = 1) -> list[Message]:
        """The messages to `address` past the first `seen` in the mailbox, once there are
        `count` of them: the mail job sends them a moment after the page answered."""
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            new = [m for m in self.mailbox.messages[seen:] if m["To"] == address]
            if len(new) >= count:
                return new
            time.sleep(0.02)
        raise AssertionError(f"fewer than {count} new messages to {address}")


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory, smtp: Mailbox) -> Iterator[Site]:
    path: Path = tmp_path_factory.mktemp("accounts") / "accounts.db"
    settings = Settings(
        database_url=f"sqlite:///{path}",
        snapshot_dir=path.parent / "snapshots",  # not the checkout's var/
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
    assert sent.status_code == 303 and "lena" not in sent.headers["location"].lower()
    assert "lena@stockholm.se" in site.signed_in("coordinator").get(sent.headers["location"]).text
    message = site.mailbox.last_to("lena@stockholm.se")
    assert message["Subject"] == "Du är inbjuden till Klimatmatch"
    assert "som stad för Stockholm" in message.get_payload(decode=True).decode()
    link = path_of(site.mailbox.link_to("lena@stockholm.se"))

    browser = site.client()
    form = browser.get(link)
    assert form.status_code == 200 and "lena@stockholm.se" in form.text
    assert form.headers["referrer-policy"] == "same-origin"  # no Referer to other sites
    typed = {"name": "Lena", "password": "short", "terms": "true"}
    short = browser.post(link, data=with_pre_session(browser, typed))
    assert short.status_code == 422 and "10 to 200 characters" in short.text
    filled = with_pre_session(
        browser, {"name": "Lena Berg", "password": "a good long password", "terms": "true"}
    )
    accepted = browser.post(link, data=filled, follow_redirects=False)
    assert accepted.status_code == 303 and SESSION_COOKIE in browser.cookies
    ours = browser.get("/ui/challenges", headers={"Accept-Language": "en"}).text
    assert "Våra utmaningar" in ours  # invited in Swedish: her pages speak Swedish too
    assert "Lena Berg" in browser.get("/ui/account").text

    again = site.client().get(link)
    assert again.status_code == 410 and "used already" in again.text
    late = site.client()
    taken = late.post(link, data=with_pre_session(late, {"password": "another long password"}))
    assert taken.status_code == 410
    assert site.signed_in.__self__ is site  # the new person signs in like anyone else
    relog = site.sign_in(
        {"email": "LENA@stockholm.se", "password": "a good long password"},
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
    filled = with_pre_session(browser, {"password": "voltgrav's new password"}, page=link)
    done = browser.post(link, data=filled, follow_redirects=False)
    assert done.status_code == 303 and browser.get("/ui/opportunities").status_code == 200
    assert elsewhere.get("/ui/opportunities", follow_redirects=False).status_code == 303
    old = site.sign_in(credentials("voltgrav"))
    assert old.status_code == 401
    late = site.client()
    again = late.post(link, data=with_pre_session(late, {"password": "yet another password"}))
    assert again.status_code == 410 and "used already" in again.text

    seen = len(site.mailbox.messages)
    site.client().post("/ui/forgot-password", data={"email": "voltgrav@example.org"})
    [mail] = site.mail_after(seen, "voltgrav@example.org")
    second = path_of(mailbox.LINK.search(mail.get_content()).group(0))
    assert second != link
    shift(site, PasswordReset.expires_at, timedelta(hours=2))
    assert site.client().get(second).status_code == 410
    late = site.client()
    restored = late.post(second, data=with_pre_session(late, credentials("voltgrav")))
    assert restored.status_code == 410


def test_guessing_is_slowed_then_refused_and_says_nothing_about_the_email(
    site: Site, monkeypatch: pytest.MonkeyPatch
) -> None:
    frozen = utcnow()  # a pause ends when `shift` says, not when a slow machine's second passes
    monkeypatch.setattr("klimatmatch.accounts.sign_in.utcnow", lambda: frozen)

    def answers(email: str) -> list[tuple[int, str]]:
        client = site.client()
        seen = []
        for _ in range(4):
            wrong = {"email": email, "password": "wrong guess"}
            response = client.post("/ui/sign-in", data=with_pre_session(client, wrong))
            page = re.sub(r"[0-9a-f]{64}", "TOKEN", response.text)  # each browser's own
            seen.append((response.status_code, page.replace(email, "EMAIL")))
        return seen

    known = answers("malmo@example.org")
    slowed = site.sign_in(credentials("malmo"))  # the right password
    assert slowed.status_code == 429 and slowed.headers["retry-after"] == "1"
    assert [status for status, _ in known] == [401, 401, 401, 429]
    assert "Wait 1 s and try again." in known[3][1]
    assert answers("nobody-here@example.org") == known  # same statuses, same pages

    for _ in range(7):  # wait out each pause (1, 2, 4 ... s) and fail again: ten in the window
        shift(site, SignInFailure.at, timedelta(seconds=70))
        wrong = {"email": "malmo@example.org", "password": "wrong guess"}
        assert site.sign_in(wrong).status_code == 401
    shift(site, SignInFailure.at, timedelta(seconds=70))
    locked = site.sign_in(credentials("malmo"))
    assert locked.status_code == 429 and 60 < int(locked.headers["retry-after"]) <= 900
    shift(site, SignInFailure.at, timedelta(minutes=16))  # the window has passed
    again = site.sign_in(credentials("malmo"), follow_redirects=False)
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
    again = site.sign_in(credentials("stockholm"))
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
    seen = len(site.mailbox.messages)
    pages = [
        site.client().post("/ui/forgot-password", data={"email": address}).text for _ in range(5)
    ]
    assert len(set(pages)) == 1
    site.mail_after(seen, address, count=3)
    time.sleep(0.5)  # let the mail job send anything still queued
    assert len(site.mail_after(seen, address)) == 3
    shift(site, PasswordReset.created_at, timedelta(hours=2))  # an hour later: one more
    site.client().post("/ui/forgot-password", data={"email": address})
    assert len(site.mail_after(seen, address, count=4)) == 4


def test_registration_does_the_same_work_and_answers_the_same_whether_the_email_is_known(
    site: Site,
) -> None:
    """An attacker timing the form learns nothing: one argon2 hash either way, no e-mail sent
    during the request (the mail job sends it), and the same page."""
    hasher = passwords.password_hasher()

    def register(email: str, company: str) -> tuple[int, str, int]:
        form = {
            "name": company,
            "person": "Eva",
            "email": email,
            "password": "a long enough password",
            "description": "Snabbladdning för tunga ellastbilar vid hamnar och terminaler.",
            "country": "SE",
            "terms": "true",
        }
        before = hasher.computations
        answer = site.client().post("/ui/register", data=form)
        work = hasher.computations - before
        page = re.sub(r"[0-9a-f]{64}", "TOKEN", answer.text).replace(email, "EMAIL")
        return answer.status_code, page, work

    for n in range(3):  # several times over, each a new address (limits are per address)
        seen = len(site.mailbox.messages)
        known = register("admin@example.org", f"Ett bolag {n} AB")
        new = register(f"eva{n}@nytt.example", f"Nytt bolag {n} AB")
        assert known == new and new[0] == 200 and new[2] == 1
        assert "EMAIL" in new[1]
        [exists] = site.mail_after(seen, "admin@example.org")
        assert "has an account already" in exists.get_content()
        [confirm] = site.mail_after(seen, f"eva{n}@nytt.example")
        assert "/ui/register/" in confirm.get_content()


def test_wrong_current_passwords_are_counted_with_failed_sign_ins(
    site: Site, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Guessing the current password on the account page is guessing a sign-in: it slows the
    same way, then 429, sign-in elsewhere sees the failures, and a right one clears them."""
    frozen = utcnow()  # a pause ends when `shift` says, not when a slow machine's second passes
    monkeypatch.setattr("klimatmatch.accounts.sign_in.utcnow", lambda: frozen)
    client, password = site.signed_in("admin"), credentials("admin")["password"]

    def change(current: str) -> Response:
        data = {"current_password": current, "new_password": password, "csrf": csrf_of(client)}
        return client.post("/ui/account/password", data=data, follow_redirects=False)

    answers = [change("a wrong guess") for _ in range(4)]
    assert [a.status_code for a in answers] == [422, 422, 422, 429]
    assert answers[3].headers["retry-after"] == "1"
    assert "too many wrong tries. Wait 1 s" in answers[3].text
    assert change(password).status_code == 429  # paused: even the right one waits
    assert site.sign_in(credentials("admin")).status_code == 429  # sign-in counts them too
    for _ in range(7):  # wait out each pause and guess again: ten in the window
        shift(site, SignInFailure.at, timedelta(seconds=70))
        assert change("a wrong guess").status_code == 422
    shift(site, SignInFailure.at, timedelta(seconds=70))
    locked = change(password)
    assert locked.status_code == 429 and 60 < int(locked.headers["retry-after"]) <= 900
    shift(site, SignInFailure.at, timedelta(minutes=16))  # the window has passed
    assert change(password).status_code == 303
    with Session(site.db) as session:
        left = session.scalars(select(SignInFailure.key).where(SignInFailure.key.like("account:%")))
        assert "account:admin@example.org" not in list(left)  # the right one cleared them
