"""Labelled (challenge, company) pairs from everything people do after a match, with their source.

A coordinator's review is the strongest evidence and overrides the rest; a formed team, an
accepted workshop invitation and an expression of interest say the company saw itself in the
challenge. Where a challenge drew interest, the other companies of its latest stored shortlist
said nothing: weak negatives. A declined invitation is no label at all: it is about calendars,
not fit, and as a negative it taught the re-ranker that the top of the list is wrong (every
declined company had been invited from the top; measured in benchmarks/bench_labels.py). One
label per pair, from its strongest source (a review overrides what the company did)."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from klimatmatch.matching.reviews import latest_decisions
from models import Decision, Direction, MatchResult, MatchRun, Review
from models.engagement import (
    Answer,
    ExpressionOfInterest,
    InterestStatus,
    Team,
    TeamMember,
    TeamStatus,
    WorkshopInvitation,
)

SOURCE_WEIGHTS = {
    "review": 1.0,
    "team": 0.8,
    "invitation_accepted": 0.7,
    "interest": 0.5,
    "no_interest": 0.2,
}
"""Weights by the strength of each source, as first reasoned. Measured held out
(benchmarks/bench_labels.py, simulated behaviour) they lost to equal weights on three of four
sets (swefaq 0.635 vs 0.696), so the service counts every label once (`WEIGHTS`); the source
still decides which label a pair gets."""

WEIGHTS = dict.fromkeys(SOURCE_WEIGHTS, 1.0)


@dataclass(frozen=True)
class Label:
    challenge_id: int
    company_id: int
    label: int
    source: str

    @property
    def weight(self) -> float:
        return WEIGHTS[self.source]


def labelled_pairs(*, session: Session) -> list[Label]:
    """Every pair with a label, the strongest source first wins."""
    found: dict[tuple[int, int], Label] = {}
    for label in _by_strength(session):
        found.setdefault((label.challenge_id, label.company_id), label)
    return sorted(found.values(), key=lambda x: (x.challenge_id, x.company_id))


def _by_strength(session: Session) -> Iterable[Label]:
    challenge_ids = sorted(set(session.scalars(select(Review.challenge_id))))
    for (challenge_id, company_id), review in latest_decisions(
        session=session, challenge_ids=challenge_ids
    ).items():
        if review.decision is not Decision.MAYBE:
            accepted = int(review.decision is Decision.ACCEPTED)
            yield Label(challenge_id, company_id, accepted, "review")
    formed = session.execute(
        select(Team.challenge_id, TeamMember.company_id)
        .join(TeamMember, TeamMember.team_id == Team.id)
        .where(Team.status == TeamStatus.FORMED)
    )
    for challenge_id, company_id in formed:
        yield Label(challenge_id, company_id, 1, "team")
    accepted = session.execute(
        select(WorkshopInvitation.challenge_id, WorkshopInvitation.company_id).where(
            WorkshopInvitation.answer == Answer.ACCEPTED
        )
    )
    for challenge_id, company_id in accepted:
        yield Label(challenge_id, company_id, 1, "invitation_accepted")
    interested = session.execute(
        select(ExpressionOfInterest.challenge_id, ExpressionOfInterest.company_id).where(
            ExpressionOfInterest.status == InterestStatus.ACTIVE
        )
    )
    for challenge_id, company_id in interested:
        yield Label(challenge_id, company_id, 1, "interest")
    yield from _silent(session)


def _silent(session: Session) -> Iterable[Label]:
    """The companies of the latest stored shortlist of a challenge that drew interest."""
    drew = select(ExpressionOfInterest.challenge_id).where(
        ExpressionOfInterest.status == InterestStatus.ACTIVE
    )
    latest = (
        select(func.max(MatchRun.id))
        .where(
            MatchRun.direction == Direction.CHALLENGE_TO_COMPANIES,
            MatchRun.subject_id.in_(drew),
        )
        .group_by(MatchRun.subject_id)
    )
    rows = session.execute(
        select(MatchResult.challenge_id, MatchResult.company_id).where(
            MatchResult.run_id.in_(latest)
        )
    )
    for challenge_id, company_id in rows:
        yield Label(challenge_id, company_id, 0, "no_interest")
