"""The pages over HTTP without a browser: access, CSRF, errors, languages, both databases."""

from __future__ import annotations

import html
import re

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select

from api.app import create_app
from api.pages.auth import LANGUAGE_COOKIE, SESSION_COOKIE
from klimatmatch.core.settings import Settings
from models import User
from tests.api.conftest import World, credentials, make_world
from tests.api.forms import with_pre_session
from tests.conftest import POSTGRES_URL, reset_postgres


def signed_in(world: World, who: str) -> TestClient:
    """A client of its own (own cookies) on the shared app, signed in through the form."""
    client = TestClient(world.client.app)
    response = client.post(
        "/ui/sign-in", data=with_pre_session(client, credentials(who)), follow_redirects=False
    )
    assert response.status_code == 303
    return client


def csrf_of(client: TestClient, path: str = "/ui/challenges") -> str:
    page = client.get(path)
    found = re.search(r'name="csrf-token" content="([0-9a-f]{64})"', page.text)
    assert found, page.text[:500]
    return found.group(1)


def decisions(world: World, challenge_id: int) -> list[str]:
    history = world.get(f"/challenges/{challenge_id}/reviews", "coordinator")
    return [review["decision"] for review in history.json()]


def alert(page: str) -> str:
    found = re.search(r'role="alert"[^>]*>(.*?)</p>', page, re.S)
    return html.unescape(re.sub(r"<[^>]+>", "", found.group(1))).strip() if found else ""


def test_pages_send_an_anonymous_visitor_to_sign_in_and_back(world: World) -> None:
    client = TestClient(world.client.app)
    response = client.get("/ui/challenges?theme=waste", follow_redirects=False)
    assert response.status_code == 303
    assert response.headers["location"] == "/ui/sign-in?next=/ui/challenges%3Ftheme%3Dwaste"
    signed = client.post(
        "/ui/sign-in",
        data=with_pre_session(
            client, {**credentials("coordinator"), "next": "/ui/challenges?theme=waste"}
        ),
        follow_redirects=False,
    )
    assert signed.headers["location"] == "/ui/challenges?theme=waste"
    cookie = signed.headers["set-cookie"]
    assert f"{SESSION_COOKIE}=" in cookie and "HttpOnly" in cookie and "SameSite=lax" in cookie


@pytest.mark.parametrize("target", ["https://evil.example/", "//evil.example/x", "/docs"])
def test_sign_in_returns_only_to_our_own_pages(world: World, target: str) -> None:
    client = TestClient(world.client.app)
    signed = client.post(
        "/ui/sign-in",
        data=with_pre_session(client, {**credentials("coordinator"), "next": target}),
        follow_redirects=False,
    )
    assert signed.headers["location"] == "/ui/"


def test_sign_in_says_what_is_wrong(world: World) -> None:
    client = TestClient(world.client.app)
    wrong_password = {**credentials("admin"), "password": "nope nope"}
    wrong = client.post("/ui/sign-in", data=with_pre_session(client, wrong_password))
    assert wrong.status_code == 401 and alert(wrong.text) == "The e-mail or the password is wrong."
    empty = client.post(
        "/ui/sign-in", data=with_pre_session(client, {"email": "   ", "password": ""})
    )
    assert empty.status_code == 401 and alert(empty.text) == "Enter your e-mail and password."
    assert SESSION_COOKIE not in client.cookies


def test_the_page_cookie_never_authorises_the_api(world: World) -> None:
    client = signed_in(world, "coordinator")
    assert client.get("/ui/challenges").status_code == 200
    assert client.get("/challenges").status_code == 401


def test_a_review_without_the_forms_csrf_token_is_refused_and_not_stored(world: World) -> None:
    client = signed_in(world, "coordinator")
    challenge = world.ids["mal_published"]
    before = decisions(world, challenge)
    for headers in ({}, {"X-CSRF-Token": "0" * 64}):
        refused = client.post(
            f"/ui/challenges/{challenge}/reviews",
            data={"company_id": world.ids["voltgrav"], "decision": "accepted"},
            headers={"Accept": "application/json", **headers},
        )
        assert refused.status_code == 403 and "reload the page" in refused.json()["detail"]
    assert decisions(world, challenge) == before


def test_review_from_the_page_in_place_and_as_a_plain_form(world: World) -> None:
    client = signed_in(world, "coordinator")
    challenge = world.ids["mal_published"]
    csrf = csrf_of(client, f"/ui/challenges/{challenge}")
    saved = client.post(
        f"/ui/challenges/{challenge}/reviews",
        data={"company_id": world.ids["sitecharge"], "decision": "maybe", "reason": "ask"},
        headers={"Accept": "application/json", "X-CSRF-Token": csrf},
    )
    assert saved.status_code == 201
    assert saved.json()["label"] == "Maybe" and saved.json()["company"] == "SiteCharge Nordic"
    plain = client.post(
        f"/ui/challenges/{challenge}/reviews",
        data={
            "company_id": world.ids["sitecharge"],
            "decision": "rejected",
            "csrf": csrf,
            "back": f"/ui/challenges/{challenge}?k=5",
        },
        follow_redirects=False,
    )
    assert plain.status_code == 303
    assert plain.headers["location"] == (
        f"/ui/challenges/{challenge}?k=5#company-{world.ids['sitecharge']}"
    )
    assert decisions(world, challenge)[-2:] == ["maybe", "rejected"]


@pytest.mark.parametrize(
    ("data", "field"),
    [
        ({"decision": "perhaps"}, "decision"),
        ({"decision": "accepted", "reason": "x" * 301}, "reason"),
        ({"decision": "accepted", "company_id": "abc"}, "company_id"),
    ],
)
def test_a_bad_review_names_the_field(world: World, data: dict, field: str) -> None:
    client = signed_in(world, "coordinator")
    challenge = world.ids["mal_published"]
    csrf = csrf_of(client)
    before = decisions(world, challenge)
    response = client.post(
        f"/ui/challenges/{challenge}/reviews",
        data={"company_id": world.ids["voltgrav"], "csrf": csrf, **data},
    )
    assert response.status_code == 422 and field in alert(response.text)
    assert response.headers["content-type"].startswith("text/html")
    assert decisions(world, challenge) == before


def test_only_coordinators_review_and_cities_see_no_review_form(world: World) -> None:
    client = signed_in(world, "stockholm")
    challenge = world.ids["sth_published"]
    page = client.get(f"/ui/challenges/{challenge}")
    assert page.status_code == 200 and 'class="review"' not in page.text
    before = decisions(world, challenge)
    refused = client.post(
        f"/ui/challenges/{challenge}/reviews",
        data={"company_id": world.ids["voltgrav"], "decision": "accepted", "csrf": csrf_of(client)},
    )
    assert refused.status_code == 403 and "only coordinators" in alert(refused.text)
    assert decisions(world, challenge) == before


@pytest.mark.parametrize(
    ("who", "path", "status"),
    [
        ("stockholm", "/ui/challenges/{mal_published}", 404),
        ("stockholm", "/ui/challenges/{mal_published}/teams", 404),
        ("stockholm", "/ui/challenges/{mal_published}/export", 404),
        ("malmo", "/ui/challenges/{sth_draft}", 404),
        ("voltgrav", "/ui/challenges", 404),
        ("voltgrav", "/ui/challenges/{sth_draft}", 404),
        ("voltgrav", "/ui/challenges/999999", 404),
        ("voltgrav", "/ui/challenges/{sth_published}/export", 404),
        ("voltgrav", "/ui/challenges/{sth_published}/compare", 404),
        ("malmo", "/ui/challenges/{sth_published}/compare", 404),
        ("malmo", "/ui/challenges/{sth_draft}/compare", 404),
        ("coordinator", "/ui/opportunities", 422),
        ("coordinator", "/ui/challenges/999999", 404),
    ],
)
def test_pages_hide_what_is_not_yours(world: World, who: str, path: str, status: int) -> None:
    client = signed_in(world, who)
    response = client.get(path.format(**world.ids))
    assert response.status_code == status
    assert response.headers["content-type"].startswith("text/html") and alert(response.text)


def test_a_city_lists_its_drafts_and_a_coordinator_only_on_request(world: World) -> None:
    city = signed_in(world, "stockholm").get("/ui/challenges").text
    draft = f'href="/ui/challenges/{world.ids["sth_draft"]}"'
    assert (
        draft in city and 'href="/ui/challenges/{}"'.format(world.ids["mal_published"]) not in city
    )
    coordinator = signed_in(world, "coordinator")
    assert draft not in coordinator.get("/ui/challenges").text
    assert draft in coordinator.get("/ui/challenges?status=draft").text
    bad = coordinator.get("/ui/challenges?status=secret")
    assert bad.status_code == 422 and "status: 'secret'" in alert(bad.text)


@pytest.mark.parametrize(
    ("query", "field"),
    [
        ("k=abc", "k"),
        ("k=0", "k"),
        ("max_per_country=0", "max_per_country"),
        ("diversity=2", "diversity"),
        ("exclude=12x", "exclude"),
        ("country=Sweden", "country"),
    ],
)
def test_bad_shortlist_settings_get_an_error_page_naming_the_field(
    world: World, query: str, field: str
) -> None:
    client = signed_in(world, "coordinator")
    response = client.get(f"/ui/challenges/{world.ids['sth_published']}?{query}")
    assert response.status_code == 422 and field in alert(response.text)


def test_empty_settings_mean_defaults(world: World) -> None:
    client = signed_in(world, "coordinator")
    query = "k=&diversity=0&max_per_country=&max_per_group=&min_small=0&country=&exclude="
    page = client.get(f"/ui/challenges/{world.ids['sth_published']}?{query}")
    assert page.status_code == 200 and page.text.count('class="match"') == 10


def test_the_page_export_is_the_api_export(world: World) -> None:
    client = signed_in(world, "coordinator")
    challenge = world.ids["sth_published"]
    client.get(f"/ui/challenges/{challenge}")  # stores the run being reviewed
    page_csv = client.get(f"/ui/challenges/{challenge}/export?format=csv")
    api_csv = world.get(f"/challenges/{challenge}/shortlist/export?format=csv", "coordinator")
    assert page_csv.status_code == 200 and page_csv.text == api_csv.text
    assert page_csv.headers["content-disposition"].endswith(f'challenge-{challenge}.csv"')
    xlsx = client.get(f"/ui/challenges/{challenge}/export?format=xlsx")
    assert xlsx.content[:2] == b"PK"


def test_a_company_reads_a_published_challenge_with_how_its_profiles_match(
    world: World,
) -> None:
    """/ui/challenges/{id} is, for a company, the challenge as it reads it: the text, the stage,
    and for each of its profiles the rank on its own list and the strength, as that list shows
    them; the list's titles link to it."""
    client = signed_in(world, "voltgrav")
    challenge = world.ids["sth_published"]
    listed = client.get("/ui/opportunities").text
    assert f'href="/ui/challenges/{challenge}"' in listed or "/ui/challenges/" in listed
    page = client.get(f"/ui/challenges/{challenge}")
    assert page.status_code == 200
    assert 'data-testid="own-match"' in page.text and 'data-testid="stage"' in page.text
    assert 'class="shortlist"' not in page.text  # not the city's shortlist
    opportunities = world.get(f"/companies/{world.ids['voltgrav']}/opportunities", "voltgrav")
    row = next((r for r in opportunities.json()["results"] if r["challenge_id"] == challenge), None)
    if row is not None:  # on its list: the same rank and strength on both pages
        assert f"Number {row['rank']} on the list" in page.text
        assert f'data-percent="{round(100 * row["strength"])}"' in page.text


def test_compare_needs_two_companies_of_the_shortlist(world: World) -> None:
    client = signed_in(world, "coordinator")
    challenge = world.ids["sth_published"]
    page = client.get(f"/ui/challenges/{challenge}").text
    assert f'action="/ui/challenges/{challenge}/compare"' in page
    ids = re.findall(r'<li class="match" id="company-(\d+)"', page)
    one = client.get(f"/ui/challenges/{challenge}/compare?company={ids[0]}")
    assert one.status_code == 422 and "exactly two" in alert(one.text)
    two = client.get(f"/ui/challenges/{challenge}/compare?company={ids[0]}&company={ids[1]}")
    assert two.status_code == 200 and two.text.count('class="match"') == 2
    run = world.post(f"/challenges/{challenge}/shortlist", "coordinator").json()["run_id"]
    frozen = client.get(f"/ui/runs/{run}/compare?company={ids[0]}&company={ids[1]}")
    assert frozen.status_code == 200 and frozen.text.count('class="match"') == 2
    assert signed_in(world, "malmo").get(f"/ui/runs/{run}/compare").status_code == 404


def test_the_interface_language_follows_the_choice_then_the_browser(world: World) -> None:
    client = signed_in(world, "coordinator")
    assert "Challenges to review" in client.get("/ui/challenges").text
    swedish = client.get("/ui/challenges", headers={"Accept-Language": "sv-SE,sv;q=0.9"})
    assert "Utmaningar att granska" in swedish.text and '<html lang="sv">' in swedish.text
    danish = client.get("/ui/challenges", headers={"Accept-Language": "da-DK"})
    assert "Utmaningar att granska" in danish.text
    chosen = client.get("/ui/language/en?next=/ui/challenges", headers={"Accept-Language": "sv"})
    assert "Challenges to review" in chosen.text
    assert client.get("/ui/language/fi").status_code == 422


def test_a_persons_language_is_a_setting_of_their_account(world: World) -> None:
    """Chosen once, the pages follow it whatever the browser says (and the e-mails read the
    same setting: tests/klimatmatch/alerts/test_company_news.py)."""
    client = signed_in(world, "sitecharge")
    english = client.get("/ui/inbox", headers={"Accept-Language": "en"})
    assert '<html lang="en">' in english.text
    assert client.post("/ui/language", data={"code": "sv"}).status_code == 403  # no CSRF token
    token = csrf_of(client, "/ui/inbox")
    chosen = client.post(
        "/ui/language",
        data={"csrf": token, "code": "sv", "next": "/ui/inbox"},
        follow_redirects=False,
    )
    assert chosen.status_code == 303 and chosen.headers["location"] == "/ui/inbox"
    client.cookies.set(LANGUAGE_COOKIE, "en")  # the account's setting wins over a cookie
    page = client.get("/ui/inbox", headers={"Accept-Language": "en"})
    assert '<html lang="sv">' in page.text and 'action="/ui/language"' in page.text
    with world.client.app.state.klimatmatch.sessions() as session:
        assert session.scalar(select(User.language).where(User.name == "sitecharge")) == "sv"
    anonymous = TestClient(world.client.app).post("/ui/language", data={"code": "sv"})
    assert anonymous.status_code == 403  # no session, no form token: refused before anything
    refused = client.post("/ui/language", data={"csrf": token, "code": "xx"})
    assert refused.status_code == 422 and "language" in refused.text
    client.post("/ui/language", data={"csrf": token, "code": "en"})


def test_signing_out_needs_the_form_and_ends_the_session(world: World) -> None:
    client = signed_in(world, "coordinator")
    assert client.post("/ui/sign-out").status_code == 403
    out = client.post("/ui/sign-out", data={"csrf": csrf_of(client)}, follow_redirects=False)
    assert out.status_code == 303 and SESSION_COOKIE not in client.cookies
    assert client.get("/ui/challenges", follow_redirects=False).status_code == 303


def test_pages_on_postgresql() -> None:
    reset_postgres().dispose()
    tokens, ids = make_world(POSTGRES_URL)
    settings = Settings(database_url=POSTGRES_URL, embedder="tfidf")
    with TestClient(create_app(settings)) as client:
        client.post("/ui/sign-in", data=with_pre_session(client, credentials("coordinator")))
        assert "Fossilfria byggarbetsplatser" in client.get("/ui/challenges?city=Stockholm").text
        page = client.get(f"/ui/challenges/{ids['sth_published']}").text
        csrf = re.search(r'name="csrf-token" content="([0-9a-f]{64})"', page).group(1)
        saved = client.post(
            f"/ui/challenges/{ids['sth_published']}/reviews",
            data={"company_id": ids["voltgrav"], "decision": "accepted", "csrf": csrf},
            headers={"Accept": "application/json"},
        )
        assert saved.status_code == 201
        listed = client.get("/ui/challenges?city=Stockholm").text
        assert "9 of 10 unreviewed" in listed
        exported = client.get(f"/ui/challenges/{ids['sth_published']}/export").text
        assert "Voltgräv AB" in exported and ",accepted," in exported
    reset_postgres().dispose()


def test_teams_page_names_lead_coverage_and_who_covers_each_requirement(world: World) -> None:
    """MAL-01 asks for fewer than four things, so a team of four has a member that is best on
    none (pigeonhole): the page must say so rather than pretend all four are needed."""
    client = signed_in(world, "coordinator")
    challenge = world.ids["mal_published"]
    page = client.get(f"/ui/challenges/{challenge}/teams?size=4&k=2")
    assert page.status_code == 200
    assert page.text.count('data-testid="team"') == 2 and "(lead)" in page.text
    body = world.get(
        f"/challenges/{challenge}/consortia", "coordinator", params={"size": 4, "k": 2}
    ).json()
    assert 2 <= len(body["requirements"]) < 4
    best = body["teams"][0]
    names = {m["company_id"]: m["name"] for m in best["members"]}
    idle = [name for cid, name in names.items() if cid not in best["covered_by"]]
    first_team = page.text.split('data-testid="team"')[1]
    assert idle and 'data-testid="idle"' in first_team
    assert all(name in first_team.split('data-testid="idle"')[1] for name in idle)
    rows = first_team.split("<tbody>")[1].split("</tbody>")[0].count("<tr>")
    assert rows == len(body["requirements"])
    assert client.get(f"/ui/challenges/{challenge}/teams?size=5").status_code == 422


def test_the_queue_pages_through_every_challenge_once(world: World) -> None:
    client = signed_in(world, "coordinator")
    first = client.get("/ui/challenges").text
    second = client.get("/ui/challenges?page=2").text
    link = re.compile(r'<td><a href="/ui/challenges/(\d+)">')
    ids = [int(i) for i in link.findall(first) + link.findall(second)]
    published = world.get("/challenges", "coordinator", params={"limit": 200}).json()["data"]
    expected = sorted(c["id"] for c in published if c["status"] == "published")
    assert len(link.findall(first)) == 25 and sorted(ids) == expected
    assert 'rel="next"' in first and 'rel="prev"' in second and 'rel="next"' not in second
    assert client.get("/ui/challenges?page=0").status_code == 422
