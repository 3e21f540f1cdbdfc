"""The match-to-meeting pages over HTTP: the whole process through the forms (errors drawn
again naming the field), and a refusal for every new page route and role: anonymous visitors
go to sign-in (403 on a form), another city or company gets 404, a forged form 403."""

from __future__ import annotations

import itertools
import re

import pytest
from fastapi.testclient import TestClient
from httpx import Response

from api.pages.engagement_company import answer_form
from api.pages.engagement_view import Redraw
from klimatmatch.engagement.schemas import AnswerCreate
from tests.api.conftest import World
from tests.api.test_access import form_token, pages_as

counter = itertools.count(1)
WORKSHOP = {
    "stage": "workshop",
    "workshop_date": "2026-03-01",  # held: a pilot may follow
    "workshop_time": "09:00",
    "workshop_place": "Stadshuset, rum 3",
}
CLOSE = {"stage": "closed", "outcome": "pilot", "summary": "The team pilots at Värtahamnen."}


def new_challenge(world: World) -> int:
    body = {
        "title": f"Eldrivna maskiner på byggarbetsplatsen {next(counter)}",
        "description": "Vi söker eldrivna grävmaskiner och mobil laddning där elnätet är svagt.",
    }
    response = world.post("/challenges", "stockholm", json=body)
    assert response.status_code == 201, response.text
    return response.json()["id"]


def post(client: TestClient, path: str, **fields: object) -> Response:
    data = {"csrf": form_token(client), **fields}
    return client.post(path, data=data, follow_redirects=False)


def other_company(world: World, cid: int) -> int:
    shortlist = world.get(f"/challenges/{cid}/shortlist?k=5&explain=false", "coordinator").json()
    mine = {world.ids["voltgrav"], world.ids["sitecharge"]}
    return next(r["company_id"] for r in shortlist["results"] if r["company_id"] not in mine)


def test_the_process_through_the_pages(world: World) -> None:
    cid, volt, site = new_challenge(world), world.ids["voltgrav"], world.ids["sitecharge"]
    voltgrav, sitecharge = pages_as(world, "voltgrav"), pages_as(world, "sitecharge")
    city, coordinator = pages_as(world, "stockholm"), pages_as(world, "coordinator")

    form = voltgrav.get(f"/ui/challenges/{cid}/interest")
    assert form.status_code == 200 and "I&#39;m interested" in form.text
    short = post(voltgrav, f"/ui/challenges/{cid}/interest/{volt}", pitch="Ja", partners="Acme")
    assert short.status_code == 422 and 'href="#pitch-' in short.text
    assert ">Acme</textarea>" in short.text  # drawn again as typed
    stated = post(
        voltgrav,
        f"/ui/challenges/{cid}/interest/{volt}",
        pitch="Eldrivna grävmaskiner på tre veckor.",
        partners=f"#{site}\nKlimatkonsult AB",
    )
    assert stated.status_code == 303
    partners = world.get(f"/companies/{volt}/interest", "voltgrav").json()["data"][0]["partners"]
    assert partners == [
        {"company_id": site, "name": "SiteCharge Nordic"},
        {"company_id": None, "name": "Klimatkonsult AB"},
    ]

    page = city.get(f"/ui/challenges/{cid}").text
    assert 'data-testid="stage">Open for interest<' in page
    assert "Start shortlisting" in page and "Close the challenge" in page
    assert "Eldrivna grävmaskiner på tre veckor." in page and "Klimatkonsult AB" in page
    assert post(city, f"/ui/challenges/{cid}/stage", stage="shortlisting").status_code == 303

    nobody = post(coordinator, f"/ui/challenges/{cid}/invitations")
    assert nobody.status_code == 422 and 'data-testid="form-error"' in nobody.text
    top = nobody.text.split("<h1>")[1].split('id="engagement"')[0]  # first, above everything
    assert "Tick at least one company to invite." in top and 'role="alert" tabindex="-1"' in top
    assert "List should have" not in nobody.text
    invited = coordinator.post(
        f"/ui/challenges/{cid}/invitations",
        data={"csrf": form_token(coordinator), "company_id": [volt, site], "note": "Two"},
        follow_redirects=False,
    )
    assert invited.status_code == 303
    rows = world.get(f"/challenges/{cid}/invitations", "coordinator").json()["data"]
    ids = {row["company_id"]: row["id"] for row in rows}
    silent = post(sitecharge, f"/ui/workshop-invitations/{ids[site]}/answer", answer="declined")
    assert silent.status_code == 422 and "reason is required to decline" in silent.text
    for client, company, answer in ((sitecharge, site, "declined"), (voltgrav, volt, "accepted")):
        answered = post(
            client,
            f"/ui/workshop-invitations/{ids[company]}/answer",
            answer=answer,
            reason="No containers free in March" if answer == "declined" else "",
        )
        assert answered.status_code == 303
    assert "No containers free in March" in city.get(f"/ui/challenges/{cid}").text
    assert "Two" not in city.get(f"/ui/challenges/{cid}").text.split('<h3 id="invitations">')[1]
    assert "Two" in coordinator.get(f"/ui/challenges/{cid}").text.split('<h3 id="invitations">')[1]

    undated = post(coordinator, f"/ui/challenges/{cid}/stage", **WORKSHOP | {"workshop_date": ""})
    assert undated.status_code == 422 and 'id="f-workshop_date"' in undated.text
    assert 'aria-invalid="true"' in undated.text
    assert post(coordinator, f"/ui/challenges/{cid}/stage", **WORKSHOP).status_code == 303
    stage = world.get(f"/challenges/{cid}/stage", "stockholm").json()
    assert stage["stage"] == "workshop" and stage["workshop_place"] == "Stadshuset, rum 3"
    assert "2026-03-01 09:00" in city.get(f"/ui/challenges/{cid}").text

    alone = post(coordinator, f"/ui/challenges/{cid}/teams", company_id=volt)
    assert alone.status_code == 422 and "Tick at least two companies for a team." in alone.text
    team = coordinator.post(
        f"/ui/challenges/{cid}/teams",
        data={"csrf": form_token(coordinator), "company_id": [volt, site], "lead": site},
        follow_redirects=False,
    )
    assert team.status_code == 303
    team_id = int(re.search(r"proposed=(\d+)", team.headers["location"]).group(1))
    assert "Teams proposed to you" in voltgrav.get("/ui/opportunities").text
    for client, company in ((voltgrav, volt), (sitecharge, site)):
        path = f"/ui/teams/{team_id}/members/{company}/answer"
        assert post(client, path, answer="accepted").status_code == 303
    teams = city.get(f"/ui/challenges/{cid}").text.split('<h2 id="teams">')[1]
    assert "Formed:</strong>" in teams and "SiteCharge Nordic (lead)" in teams

    unsaid = post(city, f"/ui/challenges/{cid}/stage", **CLOSE | {"summary": ""})
    assert unsaid.status_code == 422 and 'href="#f-summary"' in unsaid.text
    assert post(city, f"/ui/challenges/{cid}/stage", **CLOSE).status_code == 303
    closed = city.get(f"/ui/challenges/{cid}").text
    assert "A pilot. The team pilots at Värtahamnen." in closed
    history = world.get(f"/challenges/{cid}/stage/history", "stockholm").json()
    assert [h["to_stage"] for h in history] == ["shortlisting", "workshop", "closed"]
    after = voltgrav.get("/ui/opportunities").text.split("Workshop invitations")[1]
    assert f"/ui/workshop-invitations/{ids[volt]}/answer" not in after  # closed: no more answers


def test_the_page_puts_the_stage_and_its_next_step_first(world: World) -> None:
    """Where the challenge stands and what to do next come before the text and the shortlist,
    in words for each role; the long page has a table of contents to its sections."""
    cid = new_challenge(world)
    city, coordinator = pages_as(world, "stockholm"), pages_as(world, "coordinator")
    page = city.get(f"/ui/challenges/{cid}").text
    assert page.index('data-testid="stage-box"') < page.index('id="h-text"')
    assert page.index('data-testid="move-shortlisting"') < page.index('id="h-shortlist"')
    assert "read the interest companies state, then start shortlisting." in page
    toc = page.split('data-testid="toc"')[1].split("</nav>")[0]
    for anchor in ("#shortlist", "#interest", "#teams", "#stage-history"):
        assert f'href="{anchor}"' in toc and f'id="{anchor[1:]}"' in page
    assert post(city, f"/ui/challenges/{cid}/stage", stage="shortlisting").status_code == 303
    page = coordinator.get(f"/ui/challenges/{cid}").text
    assert 'data-testid="stage">Shortlisting<' in page
    assert "invite companies from the shortlist to the workshop." in page
    assert 'id="invitations"' in page  # the anchor an invitation's redirect lands on


def test_a_pilot_cannot_close_a_challenge_before_its_workshop(world: World) -> None:
    cid = new_challenge(world)
    city = pages_as(world, "stockholm")
    assert post(city, f"/ui/challenges/{cid}/stage", stage="shortlisting").status_code == 303
    ahead = WORKSHOP | {"workshop_date": "2999-03-01", "workshop_place": "https://meet.example/k"}
    assert post(city, f"/ui/challenges/{cid}/stage", **ahead).status_code == 303
    page = city.get(f"/ui/challenges/{cid}").text
    link = '<a href="https://meet.example/k" rel="noopener noreferrer nofollow">'
    assert link in page.split('data-testid="workshop-place"')[1]  # the meeting link is a link
    early = post(city, f"/ui/challenges/{cid}/stage", **CLOSE)
    assert early.status_code == 422 and 'href="#f-outcome"' in early.text
    assert "a pilot comes after the workshop, which is on 2999-03-01" in early.text
    closed = post(city, f"/ui/challenges/{cid}/stage", **CLOSE | {"outcome": "none"})
    assert closed.status_code == 303


def test_rejected_companies_are_not_offered_for_invitation(world: World) -> None:
    cid = new_challenge(world)
    coordinator = pages_as(world, "coordinator")
    assert post(coordinator, f"/ui/challenges/{cid}/stage", stage="shortlisting").status_code == 303
    shortlist = world.get(f"/challenges/{cid}/shortlist?k=5&explain=false", "coordinator")
    rejected, maybe = (r["company_id"] for r in shortlist.json()["results"][:2])
    for company, decision in ((rejected, "rejected"), (maybe, "maybe")):
        review = {"challenge_id": cid, "company_id": company, "decision": decision}
        assert world.post("/reviews", "coordinator", json=review).status_code == 201
    form = coordinator.get(f"/ui/challenges/{cid}").text.split('data-testid="invite-form"')[1]
    offered = [int(i) for i in re.findall(r'name="company_id" value="(\d+)"', form)]
    assert rejected not in offered and maybe in offered and len(offered) >= 3
    assert "Maybe" in form.split(f'id="invite-{maybe}"')[1].split("</li>")[0]


def test_a_suggested_team_is_proposed_from_the_teams_page(world: World) -> None:
    cid = new_challenge(world)
    coordinator = pages_as(world, "coordinator")
    before = coordinator.get(f"/ui/challenges/{cid}/teams?size=2&k=2").text
    assert "Propose this team" not in before and "while the challenge is shortlisting" in before
    assert (
        "Propose this team"
        not in pages_as(world, "stockholm").get(f"/ui/challenges/{cid}/teams?size=2&k=2").text
    )
    assert post(coordinator, f"/ui/challenges/{cid}/stage", stage="shortlisting").status_code == 303
    page = coordinator.get(f"/ui/challenges/{cid}/teams?size=2&k=2").text
    form = page.split('data-testid="propose-team"')[1].split("</form>")[0]
    members = [int(m) for m in re.findall(r'name="company_id" value="(\d+)"', form)]
    assert len(members) == 2
    proposed = coordinator.post(
        f"/ui/challenges/{cid}/teams",
        data={"csrf": form_token(coordinator), "company_id": members},
        follow_redirects=False,
    )
    assert proposed.status_code == 303
    team = world.get(f"/challenges/{cid}/teams", "coordinator").json()["data"][0]
    assert [m["company_id"] for m in team["members"]] == members  # lead first, as suggested
    assert team["status"] == "proposed"


def test_a_company_withdraws_and_sees_only_its_own(world: World) -> None:
    cid, volt = new_challenge(world), world.ids["voltgrav"]
    voltgrav = pages_as(world, "voltgrav")
    pitch = "Eldrivna grävmaskiner på tre veckor."
    assert post(voltgrav, f"/ui/challenges/{cid}/interest/{volt}", pitch=pitch).status_code == 303
    page = voltgrav.get(f"/ui/challenges/{cid}/interest").text
    assert 'data-testid="interest-status">Interest stated<' in page
    withdrawn = post(voltgrav, f"/ui/challenges/{cid}/interest/{volt}/withdraw")
    assert withdrawn.status_code == 303
    page = voltgrav.get(f"/ui/challenges/{cid}/interest").text
    assert 'data-testid="interest-status">Withdrawn<' in page
    other = pages_as(world, "sitecharge").get(f"/ui/challenges/{cid}/interest").text
    assert pitch not in other and "Voltgräv" not in other


@pytest.fixture(scope="module")
def engaged(world: World) -> dict[str, int]:
    """A challenge at shortlisting with Voltgräv invited and a team of Voltgräv and a company
    without an account: the objects the refusals aim at."""
    cid, volt = new_challenge(world), world.ids["voltgrav"]
    assert world.post(f"/challenges/{cid}/stage", "stockholm", json={"stage": "shortlisting"})
    body = {"company_ids": [volt]}
    invitation = world.post(f"/challenges/{cid}/invitations", "coordinator", json=body).json()
    body = {"company_ids": [volt, other_company(world, cid)]}
    team = world.post(f"/challenges/{cid}/teams", "coordinator", json=body).json()
    return {"challenge": cid, "invitation": invitation["data"][0]["id"], "team": team["id"]}


FORMS = [
    "/ui/challenges/{challenge}/stage",
    "/ui/challenges/{challenge}/invitations",
    "/ui/challenges/{challenge}/teams",
    "/ui/challenges/{challenge}/interest/{voltgrav}",
    "/ui/challenges/{challenge}/interest/{voltgrav}/withdraw",
    "/ui/workshop-invitations/{invitation}/answer",
    "/ui/teams/{team}/members/{voltgrav}/answer",
]


def concrete(path: str, world: World, engaged: dict[str, int]) -> str:
    return path.format(**engaged, voltgrav=world.ids["voltgrav"])


@pytest.mark.parametrize("path", FORMS)
def test_forms_refuse_anonymous_and_forged_posts(
    world: World, engaged: dict[str, int], path: str
) -> None:
    target = concrete(path, world, engaged)
    assert pages_as(world, "anonymous").post(target, data={"csrf": "0" * 64}).status_code == 403
    for who in ("stockholm", "voltgrav", "coordinator"):
        forged = pages_as(world, who).post(target, data={"csrf": "0" * 64, "answer": "accepted"})
        assert forged.status_code == 403 and "reload the page" in forged.text


def test_the_interest_page_sends_anonymous_visitors_to_sign_in(
    world: World, engaged: dict[str, int]
) -> None:
    path = f"/ui/challenges/{engaged['challenge']}/interest"
    response = pages_as(world, "anonymous").get(path, follow_redirects=False)
    assert response.status_code == 303
    assert response.headers["location"].startswith("/ui/sign-in?next=")


@pytest.mark.parametrize(
    ("who", "expected"),
    [
        ("malmo", {"stage": 404, "invitations": 404, "teams": 404}),
        ("stockholm", {"stage": 409, "invitations": 403, "teams": 403}),
        ("voltgrav", {"stage": 404, "invitations": 404, "teams": 404}),
        ("sitecharge", {"stage": 404, "invitations": 404, "teams": 404}),
    ],
)
def test_who_moves_invites_and_proposes(
    world: World, engaged: dict[str, int], who: str, expected: dict[str, int]
) -> None:
    """Another city and the companies do not see the engagement (404); the city sees it and
    moves its stage, but invitations and teams are the coordinators' (403)."""
    client, cid = pages_as(world, who), engaged["challenge"]
    moved = post(client, f"/ui/challenges/{cid}/stage", stage="shortlisting")
    assert moved.status_code == expected["stage"]  # the owner: shortlisting -> itself is 409
    volt = world.ids["voltgrav"]
    invite = post(client, f"/ui/challenges/{cid}/invitations", company_id=volt)
    assert invite.status_code == expected["invitations"]
    team = client.post(
        f"/ui/challenges/{cid}/teams",
        data={"csrf": form_token(client), "company_id": [volt, world.ids["sitecharge"]]},
        follow_redirects=False,
    )
    assert team.status_code == expected["teams"]
    assert world.get(f"/challenges/{cid}/invitations", "coordinator").json()["count"] == 1


@pytest.mark.parametrize(
    ("who", "interest", "withdraw", "invitation", "team", "page"),
    [
        ("sitecharge", 404, 404, 404, 404, 200),
        ("stockholm", 403, 403, 403, 404, 403),
        ("malmo", 403, 403, 404, 404, 403),
        ("coordinator", 403, 403, 403, 403, 403),
    ],
)
def test_nobody_speaks_for_another_company(
    world: World,
    engaged: dict[str, int],
    who: str,
    interest: int,
    withdraw: int,
    invitation: int,
    team: int,
    page: int,
) -> None:
    """Voltgräv's interest, invitation and place in a team are its own: another company gets
    404; a city or a coordinator is not a company (403); nothing changes."""
    client, cid, volt = pages_as(world, who), engaged["challenge"], world.ids["voltgrav"]
    pitch = "Eldrivna grävmaskiner på tre veckor."
    path = f"/ui/challenges/{cid}/interest/{volt}"
    assert post(client, path, pitch=pitch).status_code == interest
    assert post(client, path + "/withdraw").status_code == withdraw
    answer = f"/ui/workshop-invitations/{engaged['invitation']}/answer"
    assert post(client, answer, answer="declined", reason="Nej").status_code == invitation
    member = f"/ui/teams/{engaged['team']}/members/{volt}/answer"
    assert post(client, member, answer="declined", reason="Nej").status_code == team
    assert client.get(f"/ui/challenges/{cid}/interest").status_code == page
    rows = world.get(f"/challenges/{cid}/invitations", "coordinator").json()["data"]
    assert rows[0]["answer"] == "pending"
    teams = world.get(f"/challenges/{cid}/teams", "coordinator").json()["data"]
    assert teams[0]["status"] == "proposed"


def test_another_citys_draft_is_not_found_on_the_interest_page(world: World) -> None:
    client = pages_as(world, "voltgrav")
    assert client.get(f"/ui/challenges/{world.ids['sth_draft']}/interest").status_code == 404


def test_answer_form_returns_the_answer_or_the_form_to_draw_again() -> None:
    assert isinstance(answer_form("team-1-2", "accepted", ""), AnswerCreate)
    redraw = answer_form("team-1-2", "maybe", "because")
    assert isinstance(redraw, Redraw)
    assert redraw.form == "team-1-2" and redraw.values == {"reason": "because"} and redraw.errors
