"""What a reviewer works through: challenges with how much of their shortlist is undecided,
and the pieces the pages show beside a shortlist (companies compared, own profiles)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from klimatmatch.catalogue import service as catalogue
from klimatmatch.catalogue.service import Page
from klimatmatch.core import access
from klimatmatch.core.errors import InvalidInput, NotFound
from klimatmatch.matching import service as matching
from klimatmatch.matching.reviews import latest_decisions
from klimatmatch.matching.topk_cache import TopKCache
from matcher import MatchEngine
from models import (
    Challenge,
    ChallengeStatus,
    CompanyProfile,
    MatchResult,
    MatchRun,
    Organisation,
    Role,
    User,
    crud,
)


@dataclass(frozen=True)
class QueueRow:
    challenge: Challenge
    shortlisted: int  # companies on the current top-k (0 when the challenge is not indexed)
    reviewed: int  # of those, how many have a decision

    @property
    def unreviewed(self) -> int:
        return self.shortlisted - self.reviewed


@dataclass(frozen=True)
class FilterOptions:
    cities: list[str]
    themes: list[str]
    languages: list[str]


def review_queue(
    *,
    session: Session,
    engine: MatchEngine,
    user: User,
    k: int,
    page: Page,
    city: str | None = None,
    theme: str | None = None,
    language: str | None = None,
    status: ChallengeStatus | None = None,
    cache: TopKCache | None = None,
) -> tuple[list[QueueRow], int]:
    """Challenges a user reviews or owns, each with its current top-`k` and how much of it has
    a decision. Coordinators see published challenges unless they ask for a status; a city
    sees only its own, in every status; a company has no review queue. With a `cache`, a
    top-k is ranked once per data version and engine, then read."""
    if user.role is Role.COMPANY:
        raise NotFound("companies have no review queue; see the challenges that fit them")
    own = user.organisation_id if user.role is Role.CITY else None
    if own is None and status is None:
        status = ChallengeStatus.PUBLISHED
    challenges, total = catalogue.list_challenges(
        session=session,
        user=user,
        page=page,
        city=None if own is not None else city,
        theme=theme,
        language=language,
        status=status,
        organisation_id=own,
    )
    decided = latest_decisions(session=session, challenge_ids=[c.id for c in challenges])
    generation = (crud.data_version(session=session), engine.fingerprint, _reranker(engine))
    session.commit()  # release the database while the engine ranks
    cache = cache if cache is not None else TopKCache()
    rows = []
    for challenge in challenges:
        if challenge.id not in engine.challenges:
            rows.append(QueueRow(challenge, 0, 0))
            continue
        ids = cache.get(generation, (challenge.id, k), _top_ids(engine, challenge.id, k))
        reviewed = sum((challenge.id, company_id) in decided for company_id in ids)
        rows.append(QueueRow(challenge, len(ids), reviewed))
    return rows, total


def _top_ids(engine: MatchEngine, challenge_id: int, k: int) -> Callable[[], list[int]]:
    return lambda: [m.document.id for m in engine.shortlist(challenge_id, k, explain=False)]


def _reranker(engine: MatchEngine) -> str | None:
    return getattr(engine.reranker, "version", None)


def filter_options(*, session: Session, user: User) -> FilterOptions:
    """The values the queue's filters offer: those present among challenges the user sees."""
    query = select(Organisation.name, Challenge.theme, Challenge.language).join(
        Organisation, Challenge.organisation_id == Organisation.id
    )
    if user.role is Role.CITY:
        query = query.where(Challenge.organisation_id == user.organisation_id)
    elif not access.is_staff(user):
        query = query.where(Challenge.status == ChallengeStatus.PUBLISHED)
    rows = session.execute(query).all()
    return FilterOptions(
        cities=sorted({row[0] for row in rows}),
        themes=sorted({row[1] for row in rows if row[1]}),
        languages=sorted({row[2] for row in rows if row[2]}),
    )


def compared(
    *, session: Session, user: User, run_id: int, company_ids: list[int]
) -> tuple[MatchRun, list[tuple[MatchResult, CompanyProfile]]]:
    """Two results of one stored shortlist, with their profiles, for a side-by-side view."""
    if len(set(company_ids)) != 2:
        raise InvalidInput("choose exactly two different companies to compare")
    run = matching.read_run(session=session, user=user, run_id=run_id)
    results = {r.company_id: r for r in run.results}
    missing = [cid for cid in company_ids if cid not in results]
    if missing:
        raise InvalidInput(f"company {missing[0]} is not on shortlist run {run_id}")
    profiles = {
        c.id: c
        for c in session.scalars(select(CompanyProfile).where(CompanyProfile.id.in_(company_ids)))
    }
    gone = [cid for cid in company_ids if cid not in profiles]
    if gone:
        raise NotFound(f"company {gone[0]} has been deleted since the shortlist was made")
    return run, [(results[cid], profiles[cid]) for cid in company_ids]


def own_companies(*, session: Session, user: User) -> list[CompanyProfile]:
    """The profiles a company account speaks for."""
    if user.role is not Role.COMPANY or user.organisation_id is None:
        return []
    return list(
        session.scalars(
            select(CompanyProfile)
            .where(CompanyProfile.organisation_id == user.organisation_id)
            .order_by(CompanyProfile.id)
        )
    )
