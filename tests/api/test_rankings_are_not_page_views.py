"""A shortlist is a function of the data, not of who looked at it: reading one (API or page)
stores nothing and moves no count; acting on one (freezing, exporting, reviewing) stores the
ranking once per data version, and the review points at the pair's row in it."""

from __future__ import annotations

import re

from sqlalchemy import func, select

from models import MatchResult, MatchRun, Review, RunReason
from tests.api.conftest import World
from tests.api.test_access import pages_as


def stored_runs(world: World) -> int:
    with world.client.app.state.klimatmatch.sessions() as session:
        return session.scalar(select(func.count()).select_from(MatchRun)) or 0


def funnel_totals(world: World) -> dict[str, int]:
    return world.get("/funnel", "coordinator").json()["totals"]


def test_opening_shortlists_changes_neither_runs_nor_the_funnel(world: World) -> None:
    runs, totals = stored_runs(world), funnel_totals(world)
    challenge, company = world.ids["sth_published"], world.ids["voltgrav"]
    pages = pages_as(world, "coordinator")
    for _ in range(3):
        assert world.get(f"/challenges/{challenge}/shortlist", "coordinator").status_code == 200
        assert world.get(f"/challenges/{challenge}/shortlist", "stockholm").status_code == 200
        assert world.get(f"/companies/{company}/opportunities", "voltgrav").status_code == 200
        assert pages.get(f"/ui/challenges/{challenge}").status_code == 200
        assert pages.get("/ui/challenges").status_code == 200
        assert pages_as(world, "voltgrav").get("/ui/opportunities").status_code == 200
    assert stored_runs(world) == runs
    assert funnel_totals(world) == totals


def test_the_funnel_counts_the_current_shortlist_of_every_challenge(world: World) -> None:
    """Matched is the top `default_k` of each indexed challenge, whether or not anyone looked:
    the challenges page's "n of k unreviewed" and the funnel agree."""
    rows = world.get("/funnel", "coordinator").json()["challenges"]
    published = [r for r in rows if r["stage"] != "draft" and r["challenge_id"]]
    assert published and all(r["matched"] == 10 for r in published if r["matched"])
    assert sum(r["matched"] > 0 for r in published) >= len(published) - 1


def test_exporting_stores_the_ranking_once_per_data_version(world: World) -> None:
    challenge = world.ids["mal_published"]
    before = stored_runs(world)
    for _ in range(2):
        response = world.get(f"/challenges/{challenge}/shortlist/export", "coordinator")
        assert response.status_code == 200
    assert stored_runs(world) == before + 1
    header = response.text.splitlines()[0].split(",")
    assert header[:3] == ["run_id", "challenge", "rank"] and "strength" in header
    with world.client.app.state.klimatmatch.sessions() as session:
        run = session.scalars(select(MatchRun).order_by(MatchRun.id.desc())).first()
        assert run is not None and run.reason is RunReason.EXPORTED and run.subject_id == challenge


def test_a_review_on_the_page_stores_the_ranking_it_was_taken_on(world: World) -> None:
    challenge = world.ids["mal_published"]
    pages = pages_as(world, "coordinator")
    page = pages.get(f"/ui/challenges/{challenge}").text
    company = int(re.search(r'data-company-id="(\d+)"', page).group(1))
    csrf = re.search(r'name="csrf" value="([0-9a-f]+)"', page).group(1)
    before = stored_runs(world)
    for decision in ("maybe", "accepted"):
        saved = pages.post(
            f"/ui/challenges/{challenge}/reviews",
            data={"csrf": csrf, "company_id": company, "decision": decision},
            follow_redirects=False,
        )
        assert saved.status_code == 303, saved.text
    assert stored_runs(world) <= before + 1  # the export above may already hold this ranking
    with world.client.app.state.klimatmatch.sessions() as session:
        review = session.scalars(select(Review).order_by(Review.id.desc())).first()
        assert review is not None and review.match_result_id is not None
        result = session.get(MatchResult, review.match_result_id)
        assert result is not None and result.company_id == company
        run = result.run
        assert run.subject_id == challenge and run.reason in {
            RunReason.REVIEWED,
            RunReason.EXPORTED,
        }
        assert any(r.company_id == company for r in run.results)
