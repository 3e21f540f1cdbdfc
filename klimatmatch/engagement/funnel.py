"""The funnel from match to outcome, per challenge and overall: how many companies were matched,
reviewed, invited, came, stated interest, formed teams, and what the challenge ended in.

A company is "matched" when it is on the challenge's current shortlist (its top `k` for this
data version), whether or not anyone opened it: viewing a shortlist changes nothing here. Other
counts are of distinct companies. The time to a first answer runs from the challenge's opening
(its first move to `open`, else its creation) to the first expression of interest or answered
invitation: how long cities wait before the market speaks. Coordinators see every challenge,
a city its own."""

from __future__ import annotations

import statistics
from collections import defaultdict
from dataclasses import asdict, dataclass
from datetime import datetime

import pandas as pd
from sqlalchemy import select
from sqlalchemy.orm import Session

from klimatmatch.accounts.service import aware
from klimatmatch.core import access
from klimatmatch.core.errors import Forbidden
from klimatmatch.matching import current
from klimatmatch.matching.topk_cache import TopKCache
from matcher import MatchEngine
from models import Challenge, ChallengeStatus, Review, Role, User
from models.engagement import (
    Answer,
    ExpressionOfInterest,
    InterestStatus,
    StageChange,
    Team,
    TeamStatus,
    WorkshopInvitation,
)
from models.tables import ChallengeStage

STEPS = ("matched", "reviewed", "invited", "accepted", "interested", "teams_formed")


@dataclass(frozen=True)
class ChallengeFunnel:
    challenge_id: int
    title: str
    city: str
    stage: str
    outcome: str
    matched: int
    reviewed: int
    invited: int
    accepted: int
    declined: int
    interested: int
    teams_proposed: int
    teams_formed: int
    hours_to_first_answer: float | None


@dataclass(frozen=True)
class Funnel:
    challenges: list[ChallengeFunnel]
    totals: dict[str, int]
    outcomes: dict[str, int]
    median_hours_to_first_answer: float | None


def funnel(
    *,
    session: Session,
    user: User,
    engine: MatchEngine,
    k: int,
    cache: TopKCache | None = None,
) -> Funnel:
    if not (access.is_staff(user) or user.role is Role.CITY):
        raise Forbidden("the funnel is for coordinators and cities")
    query = select(Challenge).where(Challenge.status != ChallengeStatus.DRAFT)
    if not access.is_staff(user):
        query = query.where(Challenge.organisation_id == (user.organisation_id or -1))
    challenges = list(session.scalars(query.order_by(Challenge.id)))
    ids = [c.id for c in challenges]
    tops = current.top_ids(session=session, engine=engine, challenge_ids=ids, k=k, cache=cache)
    matched = {challenge_id: set(companies) for challenge_id, companies in tops.items()}
    reviewed = _distinct(
        session, select(Review.challenge_id, Review.company_id).where(Review.challenge_id.in_(ids))
    )
    invitations = list(
        session.scalars(select(WorkshopInvitation).where(WorkshopInvitation.challenge_id.in_(ids)))
    )
    interest = list(
        session.scalars(
            select(ExpressionOfInterest).where(ExpressionOfInterest.challenge_id.in_(ids))
        )
    )
    teams = list(session.scalars(select(Team).where(Team.challenge_id.in_(ids))))
    opened = _opened(session, ids)
    rows = [
        _row(challenge, matched, reviewed, invitations, interest, teams, opened)
        for challenge in challenges
    ]
    totals = {step: sum(getattr(r, step) for r in rows) for step in STEPS}
    outcomes: dict[str, int] = defaultdict(int)
    for row in rows:
        if row.outcome:
            outcomes[row.outcome] += 1
    waits = [r.hours_to_first_answer for r in rows if r.hours_to_first_answer is not None]
    median = round(statistics.median(waits), 1) if waits else None
    return Funnel(rows, totals, dict(outcomes), median)


def frame(result: Funnel) -> pd.DataFrame:
    """One row per challenge, for the CSV/XLSX export."""
    columns = list(ChallengeFunnel.__dataclass_fields__)
    return pd.DataFrame([asdict(row) for row in result.challenges], columns=columns)


def _distinct(session: Session, query: select) -> dict[int, set[int]]:
    found: dict[int, set[int]] = defaultdict(set)
    for challenge_id, company_id in session.execute(query.distinct()):
        found[challenge_id].add(company_id)
    return found


def _opened(session: Session, ids: list[int]) -> dict[int, datetime]:
    rows = session.execute(
        select(StageChange.challenge_id, StageChange.changed_at)
        .where(StageChange.challenge_id.in_(ids), StageChange.to_stage == ChallengeStage.OPEN)
        .order_by(StageChange.changed_at.desc())
    )
    return {challenge_id: aware(at) for challenge_id, at in rows}  # the earliest wins


def _row(
    challenge: Challenge,
    matched: dict[int, set[int]],
    reviewed: dict[int, set[int]],
    invitations: list[WorkshopInvitation],
    interest: list[ExpressionOfInterest],
    teams: list[Team],
    opened: dict[int, datetime],
) -> ChallengeFunnel:
    mine = [i for i in invitations if i.challenge_id == challenge.id]
    stated = [e for e in interest if e.challenge_id == challenge.id]
    proposed = [t for t in teams if t.challenge_id == challenge.id]
    answers = [aware(i.answered_at) for i in mine if i.answered_at is not None]
    answers += [aware(e.created_at) for e in stated]
    start = opened.get(challenge.id) or aware(challenge.created_at)
    waited = [(moment - start).total_seconds() / 3600 for moment in answers if moment >= start]
    return ChallengeFunnel(
        challenge_id=challenge.id,
        title=challenge.title,
        city=challenge.organisation.name if challenge.organisation else "",
        stage=challenge.stage.value,
        outcome=challenge.outcome.value if challenge.outcome else "",
        matched=len(matched.get(challenge.id, ())),
        reviewed=len(reviewed.get(challenge.id, ())),
        invited=len({i.company_id for i in mine}),
        accepted=len({i.company_id for i in mine if i.answer is Answer.ACCEPTED}),
        declined=len({i.company_id for i in mine if i.answer is Answer.DECLINED}),
        interested=len({e.company_id for e in stated if e.status is InterestStatus.ACTIVE}),
        teams_proposed=len(proposed),
        teams_formed=sum(t.status is TeamStatus.FORMED for t in proposed),
        hours_to_first_answer=round(min(waited), 1) if waited else None,
    )
