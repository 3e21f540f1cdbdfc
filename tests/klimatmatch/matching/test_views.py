"""The shortlist pages' view models, on the sample data with the model-free embedder."""

from __future__ import annotations

import pytest
from sqlalchemy.orm import Session

from klimatmatch.catalogue.service import Page
from klimatmatch.core.errors import InvalidInput, NotFound
from klimatmatch.index import indexing
from klimatmatch.matching import reviews, views
from klimatmatch.matching.schemas import ReviewCreate
from matcher import Embedder, Filters, MatchEngine
from matcher.controls import Controls
from tests.klimatmatch.engagement_world import People, challenge, people


@pytest.fixture
def world(session: Session, tfidf: Embedder) -> tuple[People, MatchEngine]:
    who = people(session)  # loads the sample
    engine = MatchEngine(tfidf)
    indexing.rebuild(session=session, engine=engine)
    return who, engine


def shortlist(
    session: Session, engine: MatchEngine, user: object, k: int = 5
) -> views.ChallengeView:
    return views.challenge_view(
        session=session,
        engine=engine,
        user=user,
        challenge_id=challenge(session).id,
        k=k,
        filters=Filters(),
        controls=Controls(),
    )


def test_the_challenge_view_gathers_the_run_profiles_decisions_and_history(
    session: Session, world: tuple[People, MatchEngine]
) -> None:
    who, engine = world
    first = shortlist(session, engine, who.coordinator)
    ids = [r.company_id for r in first.run.results]
    assert len(ids) == 5 and set(first.companies) == set(ids) == set(first.small)
    assert (first.unreviewed, first.history, first.can_review) == (5, [], True)
    assert first.challenge.external_id == "STH-01"
    assert all(r.strength is not None and 0 < r.strength < 1 for r in first.run.results)
    reviews.record_review(
        session=session,
        user=who.coordinator,
        data=ReviewCreate(
            challenge_id=first.challenge.id, company_id=ids[0], decision="accepted", reason="fit"
        ),
    )
    again = shortlist(session, engine, who.coordinator)
    assert again.unreviewed == 4 and [h.company_id for h in again.history] == [ids[0]]
    assert again.names == {ids[0]: first.companies[ids[0]].name}
    assert again.history[0].reason == "fit"
    city = shortlist(session, engine, who.stockholm)  # the city reads decisions, not notes
    assert city.can_review is False and city.history[0].reason == ""
    with pytest.raises(NotFound):
        shortlist(session, engine, who.malmo)


def test_the_challenge_list_shows_jobs_only_to_those_who_may_run_them(
    session: Session, world: tuple[People, MatchEngine]
) -> None:
    who, engine = world
    city = views.challenge_list_view(
        session=session,
        engine=engine,
        user=who.stockholm,
        k=5,
        page=Page(limit=100),
        chosen=views.QueueFilters(),
    )
    assert city.jobs == [] and city.total == len(city.rows) > 0
    assert all(row.challenge.organisation_id == who.stockholm.organisation_id for row in city.rows)
    assert city.options.cities == ["Stockholm"]
    staff = views.challenge_list_view(
        session=session,
        engine=engine,
        user=who.coordinator,
        k=5,
        page=Page(limit=3),
        chosen=views.QueueFilters(),
    )
    assert len(staff.rows) == 3 and staff.total > 3 and isinstance(staff.jobs, list)
    chosen = views.QueueFilters(city="Malmö")
    malmo = views.challenge_list_view(
        session=session,
        engine=engine,
        user=who.coordinator,
        k=5,
        page=Page(limit=100),
        chosen=chosen,
    )
    assert malmo.rows and {r.challenge.organisation_id for r in malmo.rows} == {
        who.malmo.organisation_id
    }


def test_opportunities_are_for_company_accounts_and_wait_for_approval(
    session: Session, world: tuple[People, MatchEngine]
) -> None:
    who, engine = world
    seen = views.opportunities_view(session=session, engine=engine, user=who.voltgrav, k=4)
    assert seen.profiles and len(seen.sections) == len(seen.profiles)
    for section in seen.sections:
        assert section.run is not None
        assert set(section.challenges) == {r.challenge_id for r in section.run.results}
    who.voltgrav.organisation.approved = False
    session.flush()
    waiting = views.opportunities_view(session=session, engine=engine, user=who.voltgrav, k=4)
    assert [(s.run, s.challenges) for s in waiting.sections] == [(None, {})] * len(seen.profiles)
    with pytest.raises(InvalidInput):
        views.opportunities_view(session=session, engine=engine, user=who.coordinator, k=4)


def test_compare_and_teams_views_name_what_their_pages_draw(
    session: Session, world: tuple[People, MatchEngine]
) -> None:
    who, engine = world
    run = shortlist(session, engine, who.coordinator).run
    pair_ids = [run.results[1].company_id, run.results[0].company_id]
    compared = views.compare_view(
        session=session,
        user=who.coordinator,
        company_ids=pair_ids,
        current=(engine, run.subject_id, len(run.results)),
    )
    assert [profile.id for _, profile in compared.pair] == pair_ids
    assert compared.challenge is not None and compared.challenge.id == run.subject_id
    assert compared.run.id is None  # comparing the current list stores nothing
    found = views.teams_view(
        session=session,
        engine=engine,
        user=who.coordinator,
        challenge_id=run.subject_id,
        size=2,
        k=2,
        filters=Filters(),
    )
    assert found.challenge.id == run.subject_id and found.requirements
    assert set(found.names) == {c.id for c in found.candidates}


def test_company_names_of_no_ids_asks_nothing() -> None:
    assert views.company_names(session=None, ids=[]) == {}  # type: ignore[arg-type]
