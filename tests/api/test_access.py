"""Every route, every role: what is allowed, and what is refused without leaking existence."""

from __future__ import annotations

import io
import itertools
import re

import pandas as pd
import pytest
from fastapi.testclient import TestClient

from tests.api.conftest import World, credentials
from tests.api.forms import with_pre_session

ROLES = ["stockholm", "malmo", "voltgrav", "coordinator", "admin"]
counter = itertools.count(1)


def new_challenge(world: World, who: str = "stockholm", **fields) -> dict:
    body = {
        "title": f"Eldrivna arbetsmaskiner {next(counter)}",
        "description": "Vi söker eldrivna grävmaskiner och laddning på byggarbetsplatsen.",
        **fields,
    }
    response = world.post("/challenges", who, json=body)
    assert response.status_code == 201, response.text
    return response.json()


def new_company(world: World, who: str = "voltgrav", **fields) -> dict:
    body = {
        "name": f"Voltgräv AB {next(counter)}",
        "country": "SE",
        "description": "Batteridrivna grävmaskiner och mobila laddcontainrar.",
        **fields,
    }
    response = world.post("/companies", who, json=body)
    assert response.status_code == 201, response.text
    return response.json()


@pytest.mark.parametrize("who", ROLES + ["anonymous"])
def test_list_challenges_hides_other_cities_drafts(world: World, who: str) -> None:
    response = world.get("/challenges", who, params={"status": "draft", "limit": 200})
    if who == "anonymous":
        assert response.status_code == 401
        return
    ids = {c["id"] for c in response.json()["data"]}
    assert (world.ids["sth_draft"] in ids) == (who in ("stockholm", "coordinator", "admin"))


@pytest.mark.parametrize(
    ("who", "status"),
    [
        ("stockholm", 200),
        ("malmo", 404),
        ("voltgrav", 404),
        ("coordinator", 200),
        ("admin", 200),
    ],
)
def test_read_draft_only_for_owner_and_staff(world: World, who: str, status: int) -> None:
    response = world.get(f"/challenges/{world.ids['sth_draft']}", who)
    assert response.status_code == status
    if status == 404:
        assert response.json()["detail"] == f"challenge {world.ids['sth_draft']} does not exist"


@pytest.mark.parametrize("who", ROLES)
def test_published_challenges_and_companies_are_readable_by_all(world: World, who: str) -> None:
    assert world.get(f"/challenges/{world.ids['mal_published']}", who).status_code == 200
    assert world.get(f"/companies/{world.ids['voltgrav']}", who).status_code == 200
    page = world.get("/companies", who, params={"country": "NO", "limit": 5}).json()
    assert page["count"] == 20 and len(page["data"]) == 5


@pytest.mark.parametrize(
    ("who", "status"),
    [
        ("stockholm", 201),
        ("voltgrav", 403),
        ("coordinator", 403),
        ("admin", 403),
        ("anonymous", 401),
    ],
)
def test_only_cities_post_challenges(world: World, who: str, status: int) -> None:
    response = world.post(
        "/challenges",
        who,
        json={"title": "Test challenge", "description": "A challenge about district heating."},
    )
    assert response.status_code == status


@pytest.mark.parametrize(
    ("who", "status"),
    [
        ("stockholm", 200),
        ("malmo", 403),
        ("voltgrav", 403),
        ("coordinator", 403),
        ("admin", 200),
    ],
)
def test_only_owner_or_admin_edits_and_archives_a_challenge(
    world: World, who: str, status: int
) -> None:
    challenge = new_challenge(world)
    response = world.patch(f"/challenges/{challenge['id']}", who, json={"theme": "construction"})
    assert response.status_code == status
    archived = world.post(f"/challenges/{challenge['id']}/archive", who)
    assert archived.status_code == status
    if status == 200:
        assert archived.json()["status"] == "archived"


def test_another_citys_draft_is_not_found_even_for_edits(world: World) -> None:
    response = world.patch(f"/challenges/{world.ids['sth_draft']}", "malmo", json={"theme": "x"})
    assert response.status_code == 404


@pytest.mark.parametrize(
    ("who", "status"),
    [
        ("voltgrav", 201),
        ("stockholm", 403),
        ("coordinator", 403),
        ("anonymous", 401),
    ],
)
def test_only_companies_register_profiles(world: World, who: str, status: int) -> None:
    response = world.post(
        "/companies",
        who,
        json={"name": "New firm", "country": "SE", "description": "We install heat pumps."},
    )
    assert response.status_code == status


@pytest.mark.parametrize(
    ("who", "status"),
    [
        ("voltgrav", 200),
        ("sitecharge", 403),
        ("stockholm", 403),
        ("coordinator", 403),
        ("admin", 200),
    ],
)
def test_only_owner_or_admin_edits_and_deletes_a_profile(
    world: World, who: str, status: int
) -> None:
    company = new_company(world)
    edit = world.patch(f"/companies/{company['id']}", who, json={"sector": "machinery"})
    assert edit.status_code == status
    removal = world.delete(f"/companies/{company['id']}", who)
    assert removal.status_code == (204 if status == 200 else status)


@pytest.mark.parametrize(
    ("who", "status"),
    [
        ("stockholm", 200),
        ("malmo", 404),
        ("voltgrav", 404),
        ("coordinator", 200),
        ("admin", 200),
    ],
)
def test_shortlist_freezing_and_its_run_for_owner_city_and_staff(
    world: World, who: str, status: int
) -> None:
    path = f"/challenges/{world.ids['sth_published']}/shortlist"
    assert world.get(path, who).status_code == status
    frozen = world.post(path, who)
    assert frozen.status_code == (201 if status == 200 else status)
    run_id = world.post(path, "coordinator").json()["run_id"]
    assert world.get(f"/runs/{run_id}", who).status_code == status


@pytest.mark.parametrize(
    ("who", "status"),
    [
        ("voltgrav", 200),
        ("sitecharge", 403),
        ("stockholm", 403),
        ("coordinator", 200),
        ("admin", 200),
    ],
)
def test_opportunities_for_owner_company_and_staff(world: World, who: str, status: int) -> None:
    response = world.get(f"/companies/{world.ids['voltgrav']}/opportunities", who)
    assert response.status_code == status


@pytest.mark.parametrize(
    ("who", "status"),
    [
        ("coordinator", 201),
        ("admin", 201),
        ("stockholm", 403),
        ("voltgrav", 403),
        ("anonymous", 401),
    ],
)
def test_only_coordinators_review(world: World, who: str, status: int) -> None:
    response = world.post(
        "/reviews",
        who,
        json={
            "challenge_id": world.ids["sth_published"],
            "company_id": world.ids["voltgrav"],
            "decision": "maybe",
            "reason": "capacity",
            "note": "ask about fleet size",
        },
    )
    assert response.status_code == status


def test_review_history_keeps_every_decision_and_hides_notes_from_cities(world: World) -> None:
    challenge = new_challenge(world)
    shortlist = world.get(f"/challenges/{challenge['id']}/shortlist?k=3", "coordinator").json()
    first = shortlist["results"][0]
    for decision, note in (("maybe", "check references"), ("accepted", "strong fit")):
        created = world.post(
            "/reviews",
            "coordinator",
            json={
                "challenge_id": challenge["id"],
                "company_id": first["company_id"],
                "match_result_id": None,
                "decision": decision,
                "reason": "fit",
                "note": note,
            },
        )
        assert created.status_code == 201
    staff = world.get(f"/challenges/{challenge['id']}/reviews", "coordinator").json()
    assert [(r["decision"], r["note"], r["reviewer"]) for r in staff] == [
        ("maybe", "check references", "coordinator"),
        ("accepted", "strong fit", "coordinator"),
    ]
    city = world.get(f"/challenges/{challenge['id']}/reviews", "stockholm").json()
    assert [(r["decision"], r["note"], r["reason"]) for r in city] == [
        ("maybe", "", ""),
        ("accepted", "", ""),
    ]
    assert world.get(f"/challenges/{challenge['id']}/reviews", "malmo").status_code == 404
    assert world.get(f"/challenges/{challenge['id']}/reviews", "voltgrav").status_code == 404
    again = world.get(f"/challenges/{challenge['id']}/shortlist?k=3", "stockholm").json()
    assert again["results"][0]["decision"] == "accepted"


def test_review_of_a_result_from_another_pair_is_refused(world: World) -> None:
    shortlist = world.post(f"/challenges/{world.ids['sth_published']}/shortlist?k=2", "coordinator")
    result_id_guess = shortlist.json()["run_id"]  # a run id is not a result of this pair
    response = world.post(
        "/reviews",
        "coordinator",
        json={
            "challenge_id": world.ids["mal_published"],
            "company_id": world.ids["voltgrav"],
            "decision": "rejected",
            "match_result_id": result_id_guess,
        },
    )
    assert response.status_code in (404, 422)
    assert "match_result_id" in response.json()["detail"]


def test_export_csv_and_xlsx_with_decisions(world: World) -> None:
    challenge = new_challenge(world)
    shortlist = world.get(f"/challenges/{challenge['id']}/shortlist?k=4", "coordinator").json()
    top = shortlist["results"][0]
    world.post(
        "/reviews",
        "coordinator",
        json={
            "challenge_id": challenge["id"],
            "company_id": top["company_id"],
            "decision": "accepted",
            "reason": "fit",
            "note": "call them",
        },
    )
    frozen = world.post(f"/challenges/{challenge['id']}/shortlist?k=4", "coordinator").json()
    csv = world.get(
        f"/challenges/{challenge['id']}/shortlist/export",
        "coordinator",
        params={"run_id": frozen["run_id"]},
    )
    assert csv.status_code == 200 and csv.headers["content-type"].startswith("text/csv")
    frame = pd.read_csv(io.StringIO(csv.text))
    assert list(frame["rank"]) == [1, 2, 3, 4] and set(frame["run_id"]) == {frozen["run_id"]}
    assert frame.loc[0, "decision"] == "accepted" and frame.loc[0, "note"] == "call them"
    current = pd.read_csv(
        io.StringIO(
            world.get(f"/challenges/{challenge['id']}/shortlist/export", "coordinator").text
        )
    )
    assert list(current["rank"]) == list(range(1, 11))  # the current top default_k
    xlsx = world.get(f"/challenges/{challenge['id']}/shortlist/export?format=xlsx", "coordinator")
    sheet = pd.read_excel(io.BytesIO(xlsx.content))
    assert sheet.loc[0, "company"] == top["title"]
    city = pd.read_csv(
        io.StringIO(world.get(f"/challenges/{challenge['id']}/shortlist/export", "stockholm").text)
    )
    assert city["note"].isna().all()
    assert (
        world.get(f"/challenges/{challenge['id']}/shortlist/export", "voltgrav").status_code == 404
    )


def test_if_match_refuses_a_stale_edit(world: World) -> None:
    challenge = new_challenge(world)
    path = f"/challenges/{challenge['id']}"
    etag = world.get(path, "stockholm").headers["etag"]
    first = world.patch(path, "stockholm", headers={"If-Match": etag}, json={"theme": "one"})
    assert first.status_code == 200 and first.headers["etag"] != etag
    stale = world.patch(path, "stockholm", headers={"If-Match": etag}, json={"theme": "two"})
    assert stale.status_code == 412
    assert world.get(path, "stockholm").json()["theme"] == "one"
    bad = world.patch(path, "stockholm", headers={"If-Match": "abc"}, json={"theme": "x"})
    assert bad.status_code == 422


def test_writes_reach_the_index_at_once(world: World) -> None:
    challenge = new_challenge(
        world,
        title="Vätgastankstationer för sopbilar",
        description="Vi söker vätgastankstationer för kommunens sopbilar.",
    )
    company = new_company(
        world,
        name="Vätgas Depå AB",
        description="Vi bygger vätgastankstationer för sopbilar och bussar.",
    )
    top = world.get(f"/challenges/{challenge['id']}/shortlist?k=1", "stockholm").json()
    assert top["results"][0]["company_id"] == company["id"]
    world.delete(f"/companies/{company['id']}", "voltgrav")
    after = world.get(f"/challenges/{challenge['id']}/shortlist?k=5", "stockholm").json()
    assert company["id"] not in {r["company_id"] for r in after["results"]}
    world.post(f"/challenges/{challenge['id']}/archive", "stockholm")
    gone = world.get(f"/challenges/{challenge['id']}/shortlist", "stockholm")
    assert gone.status_code == 404 and "archived" in gone.json()["detail"]


def test_companies_never_see_coordinators_decisions(world: World) -> None:
    world.post(
        "/reviews",
        "coordinator",
        json={
            "challenge_id": world.ids["sth_published"],
            "company_id": world.ids["voltgrav"],
            "decision": "rejected",
            "note": "internal",
        },
    )
    body = world.get(f"/companies/{world.ids['voltgrav']}/opportunities?k=50", "voltgrav").json()
    assert all(r["decision"] is None for r in body["results"])


def test_shortlist_filters_by_cpv_code_and_explains_shared_codes(world: World) -> None:
    challenge = new_challenge(world, cpv_codes=["43200000"])
    body = world.get(
        f"/challenges/{challenge['id']}/shortlist", "stockholm", params={"k": 5, "cpv": "43200000"}
    ).json()
    assert body["results"] and body["parameters"]["filters"]["cpv_codes"] == ["43200000"]
    assert all("43200000" in r["explanation"]["shared_codes"] for r in body["results"])
    bad = world.get(f"/challenges/{challenge['id']}/shortlist", "stockholm", params={"cpv": "x1"})
    assert bad.status_code == 422 and bad.json()["errors"][0]["field"].startswith("cpv")


@pytest.mark.parametrize(
    ("who", "status"),
    [
        ("stockholm", 200),
        ("malmo", 404),
        ("voltgrav", 404),
        ("coordinator", 200),
    ],
)
def test_consortia_cover_requirements_for_owner_and_staff(
    world: World, who: str, status: int
) -> None:
    path = f"/challenges/{world.ids['sth_published']}/consortia"
    response = world.get(path, who, params={"size": 3, "k": 2})
    assert response.status_code == status
    if status != 200:
        return
    body = response.json()
    assert len(body["requirements"]) >= 2 and len(body["teams"]) == 2
    best, second = body["teams"]
    assert best["value"] >= second["value"]
    assert len(best["members"]) == 3 and best["lead_company_id"] == best["members"][0]["company_id"]
    assert len(best["coverage"]) == len(body["requirements"])
    assert all(0.0 <= c <= 1.0 for c in best["coverage"])
    member_ids = {m["company_id"] for m in best["members"]}
    assert len(best["covered_by"]) == len(body["requirements"])
    assert set(best["covered_by"]) <= member_ids
    assert world.get(path, who, params={"size": 5}).status_code == 422


def test_shortlist_controls_cap_countries_and_keep_places_for_small_firms(world: World) -> None:
    path = f"/challenges/{world.ids['sth_published']}/shortlist"
    capped = world.get(path, "coordinator", params={"k": 8, "max_per_country": 2}).json()
    countries = [
        world.get(f"/companies/{r['company_id']}", "coordinator").json()["country"]
        for r in capped["results"]
    ]
    assert max(countries.count(c) for c in set(countries)) <= 2
    assert capped["parameters"]["controls"]["max_per_country"] == 2

    def small_firms(params: dict) -> int:
        body = world.get(path, "coordinator", params={"k": 5, **params}).json()
        return sum(
            1
            for r in body["results"]
            if (e := world.get(f"/companies/{r['company_id']}", "coordinator").json()["employees"])
            is None
            or e < 50
        )

    assert small_firms({}) < 5 <= small_firms({"min_small": 5})
    diverse = world.get(path, "coordinator", params={"k": 5, "diversity": 0.8}).json()
    assert len(diverse["results"]) == 5


def test_consortia_when_filters_leave_no_candidate(world: World) -> None:
    """Found by the fuzzer: a country filter that matches nobody."""
    path = f"/challenges/{world.ids['sth_published']}/consortia"
    body = world.get(path, "coordinator", params={"country": "0"}).json()
    assert body["teams"] == [] and body["requirements"]


JOB_ROUTES = [
    ("post", "/jobs", {"json": {"kind": "reindex"}}),
    ("post", "/jobs/import", {"files": {"file": ("challenges.csv", b"title\nx\n", "text/csv")}}),
    ("get", "/jobs", {}),
    ("get", "/jobs/00000000-0000-0000-0000-000000000000", {}),
]


@pytest.mark.parametrize(("method", "path", "kwargs"), JOB_ROUTES)
@pytest.mark.parametrize(
    ("who", "status"), [("stockholm", 403), ("voltgrav", 403), ("anonymous", 401)]
)
def test_only_staff_run_and_read_jobs(
    world: World, method: str, path: str, kwargs: dict, who: str, status: int
) -> None:
    response = getattr(world, method)(path, who, **kwargs)
    assert response.status_code == status
    if status == 403:
        assert response.json()["detail"] == "jobs are for coordinators and administrators"


@pytest.mark.parametrize("who", ["coordinator", "admin"])
def test_staff_read_jobs(world: World, who: str) -> None:
    assert world.get("/jobs", who).status_code == 200
    assert world.get("/jobs/00000000-0000-0000-0000-000000000000", who).status_code == 404


def pages_as(world: World, who: str) -> TestClient:
    """A browser of its own on the world's app, signed in through the form (none: anonymous)."""
    client = TestClient(world.client.app)
    if who != "anonymous":
        signed = client.post(
            "/ui/sign-in", data=with_pre_session(client, credentials(who)), follow_redirects=False
        )
        assert signed.status_code == 303, signed.text
    return client


def form_token(client: TestClient) -> str:
    found = re.search(r'name="csrf-token" content="([0-9a-f]{64})"', client.get("/ui/account").text)
    return found.group(1) if found else ""


ACCOUNT_PAGES = ["/ui/account", "/ui/people"]
ACCOUNT_FORMS = [
    "/ui/account/keys",
    "/ui/account/password",
    "/ui/account/sessions/1/end",
    "/ui/account/keys/1/revoke",
    "/ui/people/invitations",
    "/ui/people/1/deactivate",
]


@pytest.mark.parametrize("path", ACCOUNT_PAGES)
def test_account_pages_send_anonymous_visitors_to_sign_in(world: World, path: str) -> None:
    response = pages_as(world, "anonymous").get(path, follow_redirects=False)
    assert response.status_code == 303
    assert response.headers["location"].startswith("/ui/sign-in?next=")


@pytest.mark.parametrize("path", ACCOUNT_FORMS)
def test_account_forms_refuse_anonymous_and_forged_posts(world: World, path: str) -> None:
    assert pages_as(world, "anonymous").post(path, data={"csrf": "0" * 64}).status_code == 403
    forged = pages_as(world, "admin").post(path, data={"csrf": "0" * 64, "name": "x"})
    assert forged.status_code == 403 and "reload the page" in forged.text


@pytest.mark.parametrize(
    ("who", "status"),
    [("stockholm", 403), ("voltgrav", 403), ("coordinator", 200), ("admin", 200)],
)
def test_only_staff_see_people_and_invite(world: World, who: str, status: int) -> None:
    client = pages_as(world, who)
    assert client.get("/ui/people").status_code == status
    if status == 403:
        body = {"email": "new@example.org", "role": "city", "organisation": "Stockholm"}
        refused = client.post("/ui/people/invitations", data={**body, "csrf": form_token(client)})
        assert refused.status_code == 403


@pytest.mark.parametrize("who", ["stockholm", "voltgrav", "coordinator"])
def test_only_administrators_deactivate(world: World, who: str) -> None:
    client = pages_as(world, who)
    people = pages_as(world, "admin").get("/ui/people").text
    target = re.search(r'data-user-id="(\d+)">\s*<td>malmo</td>', people)
    response = client.post(
        f"/ui/people/{target.group(1)}/deactivate", data={"csrf": form_token(client)}
    )
    assert response.status_code == 403
    assert world.get("/me", "malmo").status_code == 200


def test_a_coordinator_may_not_invite_an_administrator(world: World) -> None:
    client = pages_as(world, "coordinator")
    body = {"email": "root@example.org", "role": "admin", "csrf": form_token(client)}
    refused = client.post("/ui/people/invitations", data=body)
    assert refused.status_code == 403 and "cannot invite" in refused.text


@pytest.mark.parametrize("who", ROLES)
def test_nobody_ends_anothers_session_or_revokes_anothers_key(world: World, who: str) -> None:
    owner = pages_as(world, "sitecharge")
    page = owner.get("/ui/account").text
    session_id = re.search(r'data-session-id="(\d+)"', page).group(1)
    key_id = re.search(r'data-key-id="(\d+)"', page).group(1)
    client = pages_as(world, who)
    csrf = form_token(client)
    ended = client.post(f"/ui/account/sessions/{session_id}/end", data={"csrf": csrf})
    revoked = client.post(f"/ui/account/keys/{key_id}/revoke", data={"csrf": csrf})
    assert ended.status_code == revoked.status_code == 404
    assert owner.get("/ui/account").status_code == 200
    assert world.get("/me", "sitecharge").status_code == 200


@pytest.mark.parametrize(
    ("path", "status"),
    [
        ("/ui/sign-in", 200),
        ("/ui/forgot-password", 200),
        ("/ui/reset/not-a-token", 404),
        ("/ui/invitations/not-a-token", 404),
    ],
)
def test_sign_in_reset_and_invitation_pages_need_no_session(
    world: World, path: str, status: int
) -> None:
    assert pages_as(world, "anonymous").get(path).status_code == status


CITY_AND_COMPANY_PAGES = ["/ui/challenges/new", "/ui/challenges/1/edit", "/ui/companies/1/edit"]
CITY_AND_COMPANY_FORMS = [
    "/ui/challenges/new",
    "/ui/challenges/1/edit",
    "/ui/challenges/1/archive",
    "/ui/companies/1/edit",
]


@pytest.mark.parametrize("path", CITY_AND_COMPANY_PAGES)
def test_city_and_company_forms_send_anonymous_visitors_to_sign_in(world: World, path: str) -> None:
    response = pages_as(world, "anonymous").get(path, follow_redirects=False)
    assert response.status_code == 303
    assert response.headers["location"].startswith("/ui/sign-in?next=")


@pytest.mark.parametrize("path", CITY_AND_COMPANY_FORMS)
def test_city_and_company_forms_refuse_anonymous_and_forged_posts(world: World, path: str) -> None:
    assert pages_as(world, "anonymous").post(path, data={"csrf": "0" * 64}).status_code == 403
    assert pages_as(world, "stockholm").post(path, data={"csrf": "0" * 64}).status_code == 403


@pytest.mark.parametrize(
    ("who", "new", "edit", "profile"),
    [
        ("stockholm", 200, 200, 404),
        ("malmo", 200, 404, 404),
        ("voltgrav", 403, 404, 200),
        ("sitecharge", 403, 404, 404),
        ("coordinator", 403, 404, 404),
    ],
)
def test_who_opens_which_form(world: World, who: str, new: int, edit: int, profile: int) -> None:
    client = pages_as(world, who)
    assert client.get("/ui/challenges/new").status_code == new
    assert client.get(f"/ui/challenges/{world.ids['sth_published']}/edit").status_code == edit
    assert client.get(f"/ui/companies/{world.ids['voltgrav']}/edit").status_code == profile
