from __future__ import annotations

import pytest
from sqlalchemy.orm import Session

from klimatmatch.accounts.service import create_user
from klimatmatch.catalogue.service import Page
from klimatmatch.core.errors import InvalidInput, NotFound
from klimatmatch.index import indexing
from klimatmatch.matching import review_queue, reviews
from klimatmatch.matching import service as matching
from klimatmatch.matching.schemas import ReviewCreate
from klimatmatch.matching.topk_cache import TopKCache
from matcher import Embedder, MatchEngine
from models import Challenge, ChallengeStatus, Decision, Role, RunReason, User, crud
from tests.klimatmatch.index.test_indexing import load_sample


def indexed(session: Session, embedder: Embedder) -> MatchEngine:
    load_sample(session)
    engine = MatchEngine(embedder)
    indexing.rebuild(session=session, engine=engine)
    return engine


def user(session: Session, role: Role, organisation: str | None) -> User:
    created, _ = create_user(session=session, name=role.value, role=role, organisation=organisation)
    return created


def test_unreviewed_counts_follow_decisions_on_the_current_top_k(
    session: Session, tfidf: Embedder
) -> None:
    engine = indexed(session, tfidf)
    coordinator = user(session, Role.COORDINATOR, "Nordic Solutions for C40")
    challenge = crud.challenge_by_external_id(session=session, external_id="STH-01")
    top = [m.document.id for m in engine.shortlist(challenge.id, 5, explain=False)]
    for company_id, decision in [(top[0], "accepted"), (top[1], "rejected"), (top[0], "maybe")]:
        reviews.record_review(
            session=session,
            user=coordinator,
            data=ReviewCreate(challenge_id=challenge.id, company_id=company_id, decision=decision),
        )
    beyond = engine.shortlist(challenge.id, 20, explain=False)[-1].document.id
    reviews.record_review(  # a decision outside the top 5 does not count
        session=session,
        user=coordinator,
        data=ReviewCreate(challenge_id=challenge.id, company_id=beyond, decision=Decision.MAYBE),
    )
    rows, total = queue_of(session, engine, coordinator, city="Stockholm")
    by_id = {row.challenge.id: row for row in rows}
    assert (by_id[challenge.id].shortlisted, by_id[challenge.id].unreviewed) == (5, 3)
    assert all(row.challenge.status is ChallengeStatus.PUBLISHED for row in rows)
    assert total == len(rows) and all(
        row.unreviewed == 5 for row in rows if row is not by_id[challenge.id]
    )


def test_a_city_sees_only_its_own_challenges_in_every_status(
    session: Session, tfidf: Embedder
) -> None:
    engine = indexed(session, tfidf)
    stockholm = user(session, Role.CITY, "Stockholm")
    rows, _ = review_queue.review_queue(
        session=session, engine=engine, user=stockholm, k=5, page=Page(limit=100), city="Malmö"
    )
    assert rows and {row.challenge.organisation.name for row in rows} == {"Stockholm"}
    assert ChallengeStatus.DRAFT in {row.challenge.status for row in rows}
    options = review_queue.filter_options(session=session, user=stockholm)
    assert options.cities == ["Stockholm"] and options.languages == ["sv"]


def test_companies_have_no_review_queue_but_see_their_own_profiles(
    session: Session, tfidf: Embedder
) -> None:
    engine = indexed(session, tfidf)
    company = user(session, Role.COMPANY, "Voltgräv AB")
    with pytest.raises(NotFound):
        review_queue.review_queue(session=session, engine=engine, user=company, k=5, page=Page())
    assert [c.name for c in review_queue.own_companies(session=session, user=company)] == [
        "Voltgräv AB"
    ]
    coordinator = user(session, Role.COORDINATOR, None)
    assert review_queue.own_companies(session=session, user=coordinator) == []


def test_compare_takes_two_companies_of_the_same_run(session: Session, tfidf: Embedder) -> None:
    """A current (unsaved) shortlist and a frozen run compare alike; a stored run stays
    the city's and the coordinators'."""
    engine = indexed(session, tfidf)
    coordinator = user(session, Role.COORDINATOR, None)
    challenge = crud.challenge_by_external_id(session=session, external_id="STH-01")
    current = matching.challenge_shortlist(
        session=session, engine=engine, challenge_id=challenge.id, k=4, user=coordinator
    )
    first, second = current.results[0].company_id, current.results[3].company_id
    pair = review_queue.compared(session=session, run=current, company_ids=[second, first])
    assert [(result.rank, company.id) for result, company in pair] == [(4, second), (1, first)]
    with pytest.raises(InvalidInput, match="exactly two"):
        review_queue.compared(session=session, run=current, company_ids=[first, first])
    outsider = engine.shortlist(challenge.id, 20, explain=False)[-1].document.id
    with pytest.raises(InvalidInput, match=f"company {outsider} is not on the current shortlist"):
        review_queue.compared(session=session, run=current, company_ids=[first, outsider])
    frozen = matching.keep(session=session, run=current, reason=RunReason.FROZEN)
    session.commit()
    with pytest.raises(InvalidInput, match=f"company {outsider} is not on shortlist run"):
        review_queue.compared(session=session, run=frozen, company_ids=[first, outsider])
    malmo = user(session, Role.CITY, "Malmö")
    with pytest.raises(NotFound):
        matching.read_run(session=session, user=malmo, run_id=frozen.id)


def test_the_queue_ranks_each_challenge_once_per_data_version(
    session: Session, tfidf: Embedder
) -> None:
    """Read again, the queue ranks nothing; after a profile changes, it ranks afresh and the
    new company on a shortlist counts as unreviewed."""
    engine = indexed(session, tfidf)
    coordinator = user(session, Role.COORDINATOR, "Nordic Solutions for C40")
    cache = TopKCache()

    def queue() -> dict[str, int]:
        rows, _ = review_queue.review_queue(
            session=session,
            engine=engine,
            user=coordinator,
            k=5,
            page=Page(limit=100),
            city="Stockholm",
            cache=cache,
        )
        return {row.challenge.external_id: row.unreviewed for row in rows}

    challenge = crud.challenge_by_external_id(session=session, external_id="STH-01")
    top = [m.document.id for m in engine.shortlist(challenge.id, 5, explain=False)]
    reviews.record_review(
        session=session,
        user=coordinator,
        data=ReviewCreate(challenge_id=challenge.id, company_id=top[0], decision="accepted"),
    )
    first = queue()
    ranked = cache.misses
    assert first["STH-01"] == 4 and ranked == len(first)
    assert queue() == first and cache.misses == ranked and cache.hits == ranked
    reviewed = crud.get_company(session=session, company_id=top[0])
    reviewed.description = "Återvinning av plastförpackningar från skolkök."
    session.flush()  # a write: the data version moves on
    indexing.upsert_company(session=session, engine=engine, company=reviewed)
    after = queue()
    assert cache.misses == 2 * ranked
    assert after["STH-01"] == 5  # the accepted company left the top 5; its stand-in is new


def test_a_new_generation_drops_the_old_entries() -> None:
    cache = TopKCache(max_entries=2)
    calls: list[int] = []

    def compute(value: int):  # noqa: ANN202
        return lambda: calls.append(value) or [value]

    assert cache.get("v1", "a", compute(1)) == [1] and cache.get("v1", "a", compute(9)) == [1]
    cache.get("v1", "b", compute(2))
    cache.get("v1", "c", compute(3))  # evicts "a", the least recently used
    assert len(cache) == 2 and cache.get("v1", "a", compute(4)) == [4]
    assert cache.get("v2", "b", compute(5)) == [5] and len(cache) == 1
    assert calls == [1, 2, 3, 4, 5]


def queue_of(
    session: Session, engine: MatchEngine, coordinator: User, **chosen: object
) -> tuple[list[review_queue.QueueRow], int]:
    """The coordinator's queue with the top 5 of each challenge, all on one page unless asked."""
    page = chosen.pop("page", Page(limit=100))
    return review_queue.review_queue(
        session=session, engine=engine, user=coordinator, k=5, page=page, **chosen
    )


def test_the_queue_sorts_by_each_column_and_any_status_means_every_one(
    session: Session, tfidf: Embedder
) -> None:
    engine = indexed(session, tfidf)
    coordinator = user(session, Role.COORDINATOR, "Nordic Solutions for C40")

    def queue(sort: str, status: str | None = None) -> list[Challenge]:
        return [
            row.challenge
            for row in queue_of(session, engine, coordinator, sort=sort, status=status)[0]
        ]

    newest = [(c.created_at, c.id) for c in queue("newest")]
    assert newest == sorted(newest, reverse=True) and len(newest) > 2
    assert [(c.created_at, c.id) for c in queue("oldest")] == newest[::-1]
    initials = [c.title[0].lower() for c in queue("title") if c.title[0].isascii()]
    assert initials == sorted(initials)
    cities = [c.organisation.name.lower() for c in queue("city")]
    assert [n for n in cities if n.isascii()] == sorted(n for n in cities if n.isascii())
    assert {c.status for c in queue("newest")} == {ChallengeStatus.PUBLISHED}
    every = {c.status for c in queue("newest", review_queue.ANY_STATUS)}
    assert {ChallengeStatus.DRAFT, ChallengeStatus.ARCHIVED} <= every
    with pytest.raises(InvalidInput, match="sort: 'price' is not one of newest, oldest"):
        queue("price")


def test_sorted_by_what_is_undecided_the_least_reviewed_come_first(
    session: Session, tfidf: Embedder
) -> None:
    engine = indexed(session, tfidf)
    coordinator = user(session, Role.COORDINATOR, "Nordic Solutions for C40")
    challenge = crud.challenge_by_external_id(session=session, external_id="STH-01")
    top = engine.shortlist(challenge.id, 5, explain=False)[0].document.id
    reviews.record_review(
        session=session,
        user=coordinator,
        data=ReviewCreate(challenge_id=challenge.id, company_id=top, decision="accepted"),
    )
    rows, total = queue_of(session, engine, coordinator, sort="unreviewed")
    assert [row.unreviewed for row in rows] == sorted((r.unreviewed for r in rows), reverse=True)
    assert rows[-1].challenge.id == challenge.id and rows[-1].unreviewed == 4
    last = Page(limit=3, offset=total - 3)
    tail, same = queue_of(session, engine, coordinator, sort="unreviewed", page=last)
    assert same == total and [r.challenge.id for r in tail] == [r.challenge.id for r in rows[-3:]]
