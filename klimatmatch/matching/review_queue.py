"""What a reviewer works through: challenges with how much of their shortlist is undecided,
and the pieces the pages show beside a shortlist (companies compared, own profiles)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from sqlalchemy import select
from sqlalchemy.orm import Session

from klimatmatch.catalogue import service as catalogue
from klimatmatch.catalogue.service import Page
from klimatmatch.core import access
from klimatmatch.core.errors import InvalidInput, NotFound
from klimatmatch.matching import current
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


QUEUE_SORTS = ("newest", "oldest", "title", "city", "unreviewed")
"""How the review queue may be sorted; newest first unless asked (a new challenge leads)."""
ANY_STATUS = "any"
"""The status filter's "any": every status, where a coordinator's default is published."""
QueueStatus = ChallengeStatus | Literal["any"] | None
MOST_ROWS = 10_000
"""Sorting by what is undecided ranks every challenge the filters keep, at most this many."""


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
    status: QueueStatus = None,
    sort: str = "newest",
    cache: TopKCache | None = None,
) -> tuple[list[QueueRow], int]:
    """Challenges a user reviews or owns, each with its current top-`k` and how much of it has
    a decision, sorted by `sort` (one of `QUEUE_SORTS`). Coordinators see published challenges
    unless they ask for a status (`ANY_STATUS`: all); a city sees only its own, in every
    status; a company has no review queue. With a `cache`, a top-k is ranked once per data
    version and engine, then read."""
    if user.role is Role.COMPANY:
        raise NotFound("companies have no review queue; see the challenges that fit them")
    if sort not in QUEUE_SORTS:
        raise InvalidInput(f"sort: {sort!r} is not one of {', '.join(QUEUE_SORTS)}")
    own = user.organisation_id if user.role is Role.CITY else None
    if own is None and status is None:
        status = ChallengeStatus.PUBLISHED
    by_undecided = sort == "unreviewed"
    challenges, total = catalogue.list_challenges(
        session=session,
        user=user,
        page=Page(limit=MOST_ROWS) if by_undecided else page,
        city=None if own is not None else city,
        theme=theme,
        language=language,
        status=None if status == ANY_STATUS else status,
        organisation_id=own,
        order="newest" if by_undecided else sort,
    )
    rows = _rows(session, engine, challenges, k, cache)
    if by_undecided:  # most undecided first; among equals, newest first (a stable sort)
        rows = sorted(rows, key=lambda row: -row.unreviewed)[page.offset : page.offset + page.limit]
    return rows, total


def _rows(
    session: Session,
    engine: MatchEngine,
    challenges: list[Challenge],
    k: int,
    cache: TopKCache | None,
) -> list[QueueRow]:
    decided = latest_decisions(session=session, challenge_ids=[c.id for c in challenges])
    tops = current.top_ids(
        session=session, engine=engine, challenge_ids=[c.id for c in challenges], k=k, cache=cache
    )
    rows = []
    for challenge in challenges:
        ids = tops[challenge.id]
        reviewed = sum((challenge.id, company_id) in decided for company_id in ids)
        rows.append(QueueRow(challenge, len(ids), reviewed))
    return rows


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
    *, session: Session, run: MatchRun, company_ids: list[int]
) -> list[tuple[MatchResult, CompanyProfile]]:
    """Two results of one shortlist (stored or current), with their profiles, side by side."""
    if len(set(company_ids)) != 2:
        raise InvalidInput("choose exactly two different companies to compare")
    results = {r.company_id: r for r in run.results}
    missing = [cid for cid in company_ids if cid not in results]
    if missing:
        where = f"shortlist run {run.id}" if run.id is not None else "the current shortlist"
        raise InvalidInput(f"company {missing[0]} is not on {where}")
    profiles = {
        c.id: c
        for c in session.scalars(select(CompanyProfile).where(CompanyProfile.id.in_(company_ids)))
    }
    gone = [cid for cid in company_ids if cid not in profiles]
    if gone:
        raise NotFound(f"company {gone[0]} has been deleted since the shortlist was made")
    return [(results[cid], profiles[cid]) for cid in company_ids]


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
