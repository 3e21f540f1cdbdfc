"""What the coordinators' and companies' shortlist pages draw, each gathered by one function.

A page route parses its form, calls one of these and renders the fields: the orchestration
(rank, load the profiles and decisions beside it; store a run only when someone acts on it)
stays below HTTP, where a test reaches it without a browser. Each match carries its strength
(a probability with fixed ends), so no view scales one list against its best."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, NamedTuple

from sqlalchemy import select
from sqlalchemy.orm import Session

from klimatmatch.catalogue.service import Page
from klimatmatch.core import access
from klimatmatch.core.errors import InvalidInput
from klimatmatch.index.indexing import is_small_or_new
from klimatmatch.jobs.schemas import JobPublic
from klimatmatch.jobs.service import active_jobs
from klimatmatch.matching import review_queue, reviews
from klimatmatch.matching import service as matching
from klimatmatch.matching.review_queue import FilterOptions, QueueRow
from klimatmatch.matching.schemas import ReviewCreate, ReviewPublic
from klimatmatch.matching.topk_cache import TopKCache
from matcher import Document, Filters, MatchEngine
from matcher.consortia import Team
from matcher.controls import Controls
from models import (
    Challenge,
    CompanyProfile,
    MatchResult,
    MatchRun,
    Review,
    Role,
    RunReason,
    User,
    crud,
)


@dataclass(frozen=True)
class QueueFilters:
    """What the challenges page's filter form chose; None means "any" (status: the default)."""

    city: str | None = None
    theme: str | None = None
    language: str | None = None
    status: review_queue.QueueStatus = None
    sort: str = "newest"


@dataclass(frozen=True)
class ChallengeListView:
    """The review queue: a page of challenges, the filters' choices, and the running jobs."""

    rows: list[QueueRow]
    total: int
    options: FilterOptions
    jobs: list[JobPublic]


@dataclass(frozen=True)
class ChallengeView:
    """One challenge's shortlist as served, with profiles, decisions and review history."""

    challenge: Challenge
    run: MatchRun
    companies: dict[int, CompanyProfile]
    small: dict[int, bool]
    decided: dict[tuple[int, int], Review]
    unreviewed: int
    history: list[ReviewPublic]
    names: dict[int, str]
    can_review: bool


class Opportunities(NamedTuple):
    """One profile's section; `run` is None while the profile awaits approval (not indexed)."""

    profile: CompanyProfile
    run: MatchRun | None
    challenges: dict[int, Challenge]


@dataclass(frozen=True)
class OpportunitiesView:
    profiles: list[CompanyProfile]
    sections: list[Opportunities]


@dataclass(frozen=True)
class CompareView:
    """Two companies of one stored shortlist side by side, scaled to the whole run."""

    run: MatchRun
    challenge: Challenge | None
    pair: list[tuple[MatchResult, CompanyProfile]]
    decided: dict[tuple[int, int], Review]


@dataclass(frozen=True)
class TeamsView:
    """Consortia for a challenge: its requirements, the candidates and the teams found."""

    challenge: Challenge
    requirements: list[str]
    candidates: list[Document]
    teams: list[Team]
    names: dict[int, str]


def challenge_list_view(
    *,
    session: Session,
    engine: MatchEngine,
    user: User,
    k: int,
    page: Page,
    chosen: QueueFilters,
    cache: TopKCache | None = None,
) -> ChallengeListView:
    """The challenges page; the job line only for those who may run jobs."""
    rows, total = review_queue.review_queue(
        session=session,
        engine=engine,
        user=user,
        k=k,
        page=page,
        city=chosen.city,
        theme=chosen.theme,
        language=chosen.language,
        status=chosen.status,
        sort=chosen.sort,
        cache=cache,
    )
    return ChallengeListView(
        rows=rows,
        total=total,
        options=review_queue.filter_options(session=session, user=user),
        jobs=active_jobs(session=session) if access.can_run_jobs(user) else [],
    )


def challenge_view(
    *,
    session: Session,
    engine: MatchEngine,
    user: User,
    challenge_id: int,
    k: int,
    filters: Filters,
    controls: Controls,
) -> ChallengeView:
    """Ranks (nothing is stored: a review stores the ranking it acts on, `review_current`),
    then gathers what the page shows beside it."""
    run = matching.challenge_shortlist(
        session=session,
        engine=engine,
        challenge_id=challenge_id,
        k=k,
        filters=filters,
        user=user,
        controls=controls,
    )
    challenge = crud.get_challenge(session=session, challenge_id=challenge_id)
    assert challenge is not None  # challenge_shortlist found it
    companies = _by_id(session, CompanyProfile, [r.company_id for r in run.results])
    decided = reviews.latest_decisions(session=session, challenge_ids=[challenge_id])
    history = reviews.history(session=session, user=user, challenge_id=challenge_id)
    return ChallengeView(
        challenge=challenge,
        run=run,
        companies=companies,
        small={cid: is_small_or_new(c) for cid, c in companies.items()},
        decided=decided,
        unreviewed=sum((challenge_id, r.company_id) not in decided for r in run.results),
        history=[reviews.review_public(review, user) for review in history],
        names=company_names(session=session, ids=[r.company_id for r in history]),
        can_review=access.can_review(user),
    )


def opportunities_view(
    *, session: Session, engine: MatchEngine, user: User, k: int
) -> OpportunitiesView:
    """For a company account: the published challenges that fit each of its profiles."""
    profiles = review_queue.own_companies(session=session, user=user)
    if not profiles and user.role is not Role.COMPANY:
        raise InvalidInput("the challenges that fit a company are for company accounts")
    sections = [_opportunities(session, engine, user, profile, k) for profile in profiles]
    return OpportunitiesView(profiles=profiles, sections=sections)


def _opportunities(
    session: Session, engine: MatchEngine, user: User, profile: CompanyProfile, k: int
) -> Opportunities:
    if not profile.approved:  # awaiting approval: not in the index yet
        return Opportunities(profile, None, {})
    run = matching.company_opportunities(
        session=session, engine=engine, company_id=profile.id, k=k, user=user
    )
    challenges = _by_id(session, Challenge, [r.challenge_id for r in run.results])
    return Opportunities(profile, run, challenges)


def compare_view(
    *,
    session: Session,
    user: User,
    company_ids: list[int],
    run_id: int | None = None,
    current: tuple[MatchEngine, int, int] | None = None,
) -> CompareView:
    """Two companies of a stored run (`run_id`), or of the current shortlist (`current`:
    the engine, the challenge and k), scaled to the whole list."""
    if run_id is not None:
        run = matching.read_run(session=session, user=user, run_id=run_id)
    else:
        assert current is not None
        engine, challenge_id, k = current
        run = matching.challenge_shortlist(
            session=session, engine=engine, challenge_id=challenge_id, k=k, user=user
        )
    pair = review_queue.compared(session=session, run=run, company_ids=company_ids)
    return CompareView(
        run=run,
        challenge=crud.get_challenge(session=session, challenge_id=run.subject_id),
        pair=pair,
        decided=reviews.latest_decisions(session=session, challenge_ids=[run.subject_id]),
    )


def review_current(
    *, session: Session, engine: MatchEngine, user: User, data: ReviewCreate, k: int
) -> Review:
    """A decision taken on the current shortlist: the ranking is stored (once per data
    version) and the review refers to the pair's result in it, so what the reviewer saw can
    be read again. A company not on it (found by a filter) is reviewed without a result."""
    challenge = crud.get_challenge(session=session, challenge_id=data.challenge_id)
    if access.can_review(user) and challenge is not None and data.challenge_id in engine.challenges:
        ranked = matching.challenge_shortlist(
            session=session, engine=engine, challenge_id=data.challenge_id, k=k, user=user
        )
        run = matching.keep(session=session, run=ranked, reason=RunReason.REVIEWED)
        result = next((r for r in run.results if r.company_id == data.company_id), None)
        data = data.model_copy(update={"match_result_id": result.id if result else None})
    return reviews.record_review(session=session, user=user, data=data)


def teams_view(
    *,
    session: Session,
    engine: MatchEngine,
    user: User,
    challenge_id: int,
    size: int,
    k: int,
    filters: Filters,
) -> TeamsView:
    challenge, requirements, candidates, found = matching.challenge_consortia(
        session=session,
        engine=engine,
        user=user,
        challenge_id=challenge_id,
        size=size,
        k=k,
        filters=filters,
    )
    return TeamsView(
        challenge=challenge,
        requirements=requirements,
        candidates=candidates,
        teams=found,
        names=company_names(session=session, ids=[c.id for c in candidates]),
    )


def _by_id(session: Session, table: Any, ids: list[int]) -> dict[int, Any]:
    return {row.id: row for row in session.scalars(select(table).where(table.id.in_(ids)))}


def company_names(*, session: Session, ids: list[int]) -> dict[int, str]:
    """Names for ids (a deleted company is simply absent)."""
    if not ids:
        return {}
    rows = session.execute(
        select(CompanyProfile.id, CompanyProfile.name).where(CompanyProfile.id.in_(set(ids)))
    )
    return dict(rows.all())
