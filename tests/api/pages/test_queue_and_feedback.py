"""Pages a person can use, over HTTP: the review queue sorts by its column heads (newest first by
default) and shows each challenge's stage; "Any" means any; the city reads who decided without
the coordinators' reasons; suggested codes are chips; the registration promises no button it
lacks; every page links a favicon that is served under the pages' policy."""

from __future__ import annotations

import re

from tests.api.conftest import World
from tests.api.pages.test_city_pages import TEXT, post
from tests.api.test_access import pages_as

LINK = re.compile(r'<td><a href="/ui/challenges/(\d+)">')


def heads(page: str) -> dict[str, str]:
    """Each sortable column head's keys -> its aria-sort ('' when the list is not sorted by it)."""
    found = re.findall(r'<th scope="col" (?:aria-sort="(\w+)")?\s*data-sort="([\w ]+)"', page)
    return {keys: sort for sort, keys in found}


def test_the_queue_is_newest_first_and_sorts_by_its_column_heads(world: World) -> None:
    client = pages_as(world, "coordinator")
    listed = world.get("/challenges", "coordinator", params={"limit": 200}).json()["data"]
    published = [c for c in listed if c["status"] == "published"]
    first = client.get("/ui/challenges").text
    newest = sorted(published, key=lambda c: (c["created_at"], c["id"]), reverse=True)
    assert [int(i) for i in LINK.findall(first)] == [c["id"] for c in newest[:25]]
    assert heads(first) == {
        "title": "",
        "city": "",
        "newest oldest": "descending",
        "unreviewed": "",
    }
    assert (
        'href="/ui/challenges?city=&amp;theme=&amp;language=&amp;status=&amp;sort=oldest"' in first
    )
    oldest = client.get("/ui/challenges?sort=oldest").text
    assert [int(i) for i in LINK.findall(oldest)] == [c["id"] for c in newest[::-1][:25]]
    assert heads(oldest)["newest oldest"] == "ascending"
    assert 'sort=oldest&amp;page=2"' in oldest  # the pager keeps the order
    by_city = client.get("/ui/challenges?sort=city&status=any").text
    assert heads(by_city)["city"] == "ascending"
    assert '<input type="hidden" name="sort" value="city">' in by_city  # the filters keep it too
    assert client.get("/ui/challenges?sort=price").status_code == 422


def test_any_status_means_any_and_the_status_column_shows_the_stage(world: World) -> None:
    client = pages_as(world, "coordinator")
    default = client.get("/ui/challenges").text
    assert '<option value="any" >Any</option>' in default
    assert '<option value="published" selected>' in default
    every = client.get("/ui/challenges?status=any&sort=title").text
    assert '<option value="any" selected>Any</option>' in every
    assert 'data-status="draft"' in every + client.get("/ui/challenges?status=any&page=2").text
    assert 'data-status="draft"' not in default
    assert '<span class="stage stage-open">Open for interest</span>' in default
    city = pages_as(world, "stockholm").get("/ui/challenges").text
    assert '<option value="any" selected>Any</option>' in city and "published</option>" in city


def test_the_city_reads_who_decided_but_not_the_reasons(world: World) -> None:
    challenge, company = world.ids["sth_published"], world.ids["voltgrav"]
    review = {
        "challenge_id": challenge,
        "company_id": company,
        "decision": "maybe",
        "reason": "a reason for the coordinators",
    }
    assert world.post("/reviews", "coordinator", json=review).status_code == 201
    city = pages_as(world, "stockholm").get(f"/ui/challenges/{challenge}").text
    history = city.split('id="history"')[1].split("</tbody>")[0]
    assert "<td>a coordinator</td>" in history and "<td></td>" not in history
    assert "a reason for the coordinators" not in city
    staff = pages_as(world, "coordinator").get(f"/ui/challenges/{challenge}").text
    assert "<td>a reason for the coordinators</td>" in staff.split('id="history"')[1]
    reason = staff.split(f'id="reason-{company}"')[1].split(">")[0]
    assert 'value="a reason for the coordinators"' in reason  # kept in its box after saving


def test_preview_lands_on_the_preview_and_offers_codes_as_chips(world: World) -> None:
    client = pages_as(world, "stockholm")
    form = client.get("/ui/challenges/new").text
    assert 'formaction="/ui/challenges/new#preview"' in form
    page = post(client, "/ui/challenges/new", **TEXT, action="preview").text
    assert 'id="preview" tabindex="-1" autofocus data-focus' in page
    chips = page.split('data-testid="suggested-codes"')[1].split("</div>")[0]
    codes = re.findall(r'<button type="button" class="chip" data-cpv="(\d{8})"', chips)
    assert codes and "<noscript>" in chips  # a plain list without a script
    assert all(f"<li><code>{code}</code>" in chips.split("<noscript>")[1] for code in codes)


def test_registration_promises_no_suggest_button(world: World) -> None:
    page = pages_as(world, "anonymous").get("/ui/register").text
    assert "Suggest codes" not in page and 'id="f-cpv_codes"' in page


def test_every_page_links_a_favicon_that_is_served(world: World) -> None:
    client = pages_as(world, "coordinator")
    for path in ("/ui/challenges", "/ui/account", "/ui/sign-in"):
        assert '<link rel="icon" href="/ui/static/favicon.svg"' in client.get(path).text
    icon = client.get("/ui/static/favicon.svg")
    assert icon.status_code == 200 and icon.headers["content-type"].startswith("image/svg+xml")
