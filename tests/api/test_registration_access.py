"""Registrations awaiting approval, on every route and for every role: only staff list, approve
and decline them; until approved, a profile is seen by its own company and staff only, and it
is in nobody's shortlist."""

from __future__ import annotations

import itertools
import re

import pytest
from fastapi.testclient import TestClient

from klimatmatch.accounts import service as accounts
from models import CompanyProfile, Organisation, OrganisationKind, Role
from tests.api.conftest import World
from tests.api.forms import with_pre_session
from tests.api.test_access import ROLES, form_token, pages_as

PASSWORD = "pending has a long password"
counter = itertools.count(1)


def pending_company(world: World) -> dict[str, int | str]:
    """A company that registered and confirmed its e-mail (the rows the service leaves)."""
    n = next(counter)
    state = world.client.app.state.klimatmatch
    with state.sessions() as session:
        organisation = Organisation(
            name=f"Väntande Laddning {n} AB", kind=OrganisationKind.COMPANY, approved=False
        )
        session.add(organisation)
        session.flush()
        user, _ = accounts.create_user(
            session=session,
            name=f"Pending {n}",
            role=Role.COMPANY,
            organisation=organisation.name,
            email=f"pending{n}@example.org",
            password=PASSWORD,
            api_key=False,
        )
        company = CompanyProfile(
            organisation_id=organisation.id,
            name=organisation.name,
            description="Batteridrivna grävmaskiner och mobila laddcontainrar på byggplatser.",
            country="SE",
        )
        session.add(company)
        session.commit()
        return {
            "organisation": organisation.id,
            "company": company.id,
            "email": user.email or "",
        }


def signed_in_as(world: World, email: str) -> TestClient:
    client = TestClient(world.client.app)
    fields = with_pre_session(client, {"email": email, "password": PASSWORD})
    signed = client.post("/ui/sign-in", data=fields, follow_redirects=False)
    assert signed.status_code == 303, signed.text
    return client


def shortlist_ids(world: World) -> list[int]:
    path = f"/challenges/{world.ids['sth_published']}/shortlist"
    body = world.get(path, "coordinator", params={"k": 200}).json()
    return [r["company_id"] for r in body["results"]]


API_ROUTES = [
    ("get", "/organisations/pending", {}),
    ("post", "/organisations/{organisation}/approval", {}),
    ("post", "/organisations/{organisation}/decline", {"json": {"reason": "no"}}),
]


@pytest.mark.parametrize(("method", "path", "kwargs"), API_ROUTES)
@pytest.mark.parametrize(
    ("who", "status"),
    [("stockholm", 403), ("malmo", 403), ("voltgrav", 403), ("anonymous", 401)],
)
def test_only_staff_list_approve_and_decline_registrations(
    world: World, method: str, path: str, kwargs: dict, who: str, status: int
) -> None:
    pending = pending_company(world)
    response = getattr(world, method)(path.format(**pending), who, **kwargs)
    assert response.status_code == status
    if status == 403:
        assert "coordinators and administrators" in response.json()["detail"]
    listed = world.get("/organisations/pending", "coordinator").json()
    assert pending["organisation"] in [o["id"] for o in listed]  # nothing changed


@pytest.mark.parametrize("who", ["coordinator", "admin"])
def test_staff_approve_and_the_next_shortlist_has_the_profile(world: World, who: str) -> None:
    pending = pending_company(world)
    listed = world.get("/organisations/pending", who).json()
    entry = next(o for o in listed if o["id"] == pending["organisation"])
    assert entry["contacts"] == [pending["email"]]
    assert [p["id"] for p in entry["profiles"]] == [pending["company"]]
    assert pending["company"] not in shortlist_ids(world)
    approved = world.post(f"/organisations/{pending['organisation']}/approval", who)
    assert approved.status_code == 200 and approved.json()["approved"] is True
    assert pending["company"] in shortlist_ids(world)
    again = world.post(f"/organisations/{pending['organisation']}/approval", who)
    assert again.status_code == 409
    assert world.post("/organisations/999999/approval", who).status_code == 404


def test_a_decline_needs_a_reason_and_stops_the_accounts(world: World) -> None:
    pending = pending_company(world)
    client = signed_in_as(world, str(pending["email"]))
    path = f"/organisations/{pending['organisation']}/decline"
    empty = world.post(path, "coordinator", json={"reason": ""})
    assert empty.status_code == 422 and "reason" in empty.text
    declined = world.post(path, "coordinator", json={"reason": "Inget organisationsnummer."})
    assert declined.status_code == 200 and declined.json()["approved"] is False
    assert client.get("/ui/opportunities", follow_redirects=False).status_code == 303
    listed = world.get("/organisations/pending", "coordinator").json()
    assert pending["organisation"] not in [o["id"] for o in listed]


@pytest.mark.parametrize("who", ROLES)
def test_a_pending_profile_is_seen_by_its_company_and_staff_only(world: World, who: str) -> None:
    pending = pending_company(world)
    visible = who in ("coordinator", "admin")
    response = world.get(f"/companies/{pending['company']}", who)
    assert response.status_code == (200 if visible else 404)
    listed = world.get("/companies", who, params={"limit": 200, "country": "SE"}).json()
    assert (pending["company"] in [c["id"] for c in listed["data"]]) == visible
    own = signed_in_as(world, str(pending["email"]))
    page = own.get("/ui/opportunities")
    assert page.status_code == 200 and 'data-testid="awaiting-approval"' in page.text
    assert own.get(f"/ui/companies/{pending['company']}/edit").status_code == 200


@pytest.mark.parametrize(
    ("who", "status"),
    [("stockholm", 403), ("malmo", 403), ("voltgrav", 403), ("coordinator", 200), ("admin", 200)],
)
def test_only_staff_review_registrations_on_the_pages(world: World, who: str, status: int) -> None:
    pending = pending_company(world)
    client = pages_as(world, who)
    page = client.get("/ui/registrations")
    assert page.status_code == status
    if status == 200:
        assert f'data-organisation-id="{pending["organisation"]}"' in page.text
        return
    csrf = form_token(client)
    base = f"/ui/registrations/{pending['organisation']}"
    assert client.post(f"{base}/approve", data={"csrf": csrf}).status_code == 403
    declined = client.post(f"{base}/decline", data={"csrf": csrf, "reason": "x"})
    assert declined.status_code == 403
    assert pending["company"] not in shortlist_ids(world)


@pytest.mark.parametrize("path", ["/ui/registrations/1/approve", "/ui/registrations/1/decline"])
def test_registration_forms_refuse_anonymous_and_forged_posts(world: World, path: str) -> None:
    assert pages_as(world, "anonymous").post(path, data={"csrf": "0" * 64}).status_code == 403
    forged = pages_as(world, "coordinator").post(path, data={"csrf": "0" * 64, "reason": "x"})
    assert forged.status_code == 403 and "reload the page" in forged.text


def test_anonymous_visitors_are_sent_to_sign_in_for_the_review_page(world: World) -> None:
    response = pages_as(world, "anonymous").get("/ui/registrations", follow_redirects=False)
    assert response.status_code == 303
    assert response.headers["location"].startswith("/ui/sign-in?next=")


def test_the_registration_form_names_each_refused_field_and_keeps_what_was_typed(
    world: World,
) -> None:
    client = pages_as(world, "anonymous")
    assert client.get("/ui/register").status_code == 200
    typed = {
        "name": "Nytt Bolag AB",
        "person": "Eva",
        "email": "eva@nytt.example",
        "password": "a long enough password",
        "description": "kort",
        "country": "Sverige",
        "terms": "true",
    }
    refused = client.post("/ui/register", data=typed)
    assert refused.status_code == 422
    assert 'href="#f-description"' in refused.text and 'href="#f-country"' in refused.text
    assert 'value="Nytt Bolag AB"' in refused.text and "a long enough password" not in refused.text
    taken = client.post(
        "/ui/register",
        data=typed
        | {"description": "Laddning för tunga fordon.", "country": "SE", "name": "Voltgräv AB"},
    )
    assert taken.status_code == 409 and 'href="#f-name"' in taken.text
    assert client.get("/ui/register/not-a-token").status_code == 200  # a page with a button
    assert client.post("/ui/register/not-a-token").status_code == 403  # no pre-session
    filled = with_pre_session(client, {}, page="/ui/register/not-a-token")
    assert client.post("/ui/register/not-a-token", data=filled).status_code == 404


def test_a_pending_company_cannot_state_interest_until_approved(world: World) -> None:
    pending = pending_company(world)
    client = signed_in_as(world, str(pending["email"]))
    key = client.post("/ui/account/keys", data={"name": "script", "csrf": form_token(client)}).text
    token = re.search(r"km_[A-Za-z0-9_-]+", key).group(0)
    path = f"/challenges/{world.ids['sth_published']}/interest/{pending['company']}"
    body = {"pitch": "Vi bygger laddning för tunga fordon i hamnen."}
    headers = {"Authorization": f"Bearer {token}"}
    refused = world.client.put(path, json=body, headers=headers)
    assert refused.status_code == 403 and "approval" in refused.json()["detail"]
    world.post(f"/organisations/{pending['organisation']}/approval", "coordinator")
    assert world.client.put(path, json=body, headers=headers).status_code == 201
