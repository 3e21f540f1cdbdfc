"""What the match-to-meeting parts of the pages show, gathered from the services.

Kept apart from the routes (`api.pages.engagement`) so `api.pages.challenges` can call it in one
line without importing the routes that import it. A form drawn again after an error leaves its
typed values and errors on `request.state.engagement`, where these builders pick them up."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, NamedTuple
from zoneinfo import ZoneInfo

from fastapi import Request
from sqlalchemy import select
from sqlalchemy.orm import Session

from klimatmatch.core import access
from klimatmatch.engagement import interest, stages, teams, workshop
from klimatmatch.engagement.schemas import (
    InterestPublic,
    InvitationPublic,
    StageChangePublic,
    StagePublic,
    TeamPublic,
)
from klimatmatch.matching.reviews import latest_decisions
from models import Challenge, ChallengeStatus, CompanyProfile, Decision, MatchRun, User
from models.tables import ChallengeStage

WORKSHOP_ZONE = ZoneInfo("Europe/Stockholm")
"""Workshop times are typed and shown in Nordic (Stockholm) time."""
ORDER = list(ChallengeStage)


@dataclass
class Redraw:
    """A form that failed, drawn again: which one, what was typed, what is wrong."""

    form: str
    values: dict[str, Any] = field(default_factory=dict)
    errors: list[tuple[str, str]] = field(default_factory=list)


class Candidate(NamedTuple):
    """A company the coordinators may invite: from the shortlist (its rank) or one that stated
    interest by itself (no rank), with their latest review decision, if any."""

    company_id: int
    name: str
    rank: int | None
    decision: Decision | None = None


@dataclass
class ChallengeEngagement:
    """The stage, its allowed next steps, and who is in, for the city and coordinators."""

    challenge: Challenge
    stage: ChallengeStage
    public: StagePublic
    moves: list[ChallengeStage]
    history: list[StageChangePublic]
    interests: list[InterestPublic]
    invitations: list[InvitationPublic]
    teams: list[TeamPublic]
    candidates: list[Candidate]
    """Companies that may still be invited: not invited yet, not rejected by the coordinators."""
    organiser: bool
    inviting: bool
    redraw: Redraw | None


@dataclass
class CompanyEngagement:
    """One profile's interests (by challenge), invitations and teams."""

    interests: dict[int, InterestPublic]
    invitations: list[InvitationPublic]
    teams: list[TeamPublic]
    challenges: dict[int, Challenge]
    stages: dict[int, StagePublic]


def redraw_of(request: Request) -> Redraw | None:
    return getattr(request.state, "engagement", None)


def local_time(moment: datetime | None) -> str:
    """In Stockholm time; a time without its zone (SQLite keeps none) is shown as stored."""
    if moment is None:
        return ""
    if moment.tzinfo is not None:
        moment = moment.astimezone(WORKSHOP_ZONE)
    return moment.strftime("%Y-%m-%d %H:%M")


def allowed_moves(user: User, challenge: Challenge, stage: ChallengeStage) -> list[ChallengeStage]:
    """The steps the process allows from here that this user may take, in process order."""
    if not access.can_move_stage(user, challenge) or challenge.status is ChallengeStatus.ARCHIVED:
        return []
    moves = stages.TRANSITIONS[stage]
    if stage is ChallengeStage.DRAFT and not access.can_edit_challenge(user, challenge):
        moves = frozenset()  # opening a draft publishes it: the city's own step
    return sorted(moves, key=ORDER.index)


def for_challenge(
    *, request: Request, session: Session, user: User, challenge: Challenge, run: MatchRun
) -> ChallengeEngagement | None:
    """None for those who do not see what happens beside the shortlist; `run` is the
    shortlist the page shows, whose companies may be invited."""
    if not access.can_see_engagement(user, challenge):
        return None
    stage = stages.current_stage(challenge)
    cid = challenge.id
    ranks = {r.company_id: r.rank for r in run.results}
    interests = interest.for_challenge(
        session=session, user=user, challenge_id=cid, ranking=lambda: ranks
    )
    invitations = workshop.for_challenge(session=session, user=user, challenge_id=cid)
    invited = {row.company_id for row in invitations}
    names = dict(
        session.execute(
            select(CompanyProfile.id, CompanyProfile.name).where(CompanyProfile.id.in_(ranks))
        ).all()
    )
    decided = latest_decisions(session=session, challenge_ids=[cid])
    decision = {company: review.decision for (_, company), review in decided.items()}
    candidates = [Candidate(c, names[c], rank) for c, rank in ranks.items() if c not in invited]
    candidates += [
        Candidate(row.company_id, row.company, None)
        for row in interests
        if row.company_id not in ranks.keys() | invited and row.status.value == "active"
    ]
    candidates = [
        c._replace(decision=decision.get(c.company_id))
        for c in candidates
        if decision.get(c.company_id) is not Decision.REJECTED
    ]
    history = stages.history(session=session, user=user, challenge_id=cid)
    return ChallengeEngagement(
        challenge=challenge,
        stage=stage,
        public=stages.stage_public(challenge),
        moves=allowed_moves(user, challenge, stage),
        history=[StageChangePublic.model_validate(row) for row in history],
        interests=interests,
        invitations=invitations,
        teams=teams.for_challenge(session=session, user=user, challenge_id=cid),
        candidates=candidates,
        organiser=access.can_organise_workshop(user),
        inviting=stage in workshop.INVITING,
        redraw=redraw_of(request),
    )


def for_companies(
    *, session: Session, user: User, profiles: list[CompanyProfile]
) -> dict[int, CompanyEngagement]:
    """Profile id -> its own interests, invitations and teams (a company sees only its own)."""
    found: dict[int, CompanyEngagement] = {}
    for profile in profiles:
        if not access.can_see_opportunities(user, profile):
            continue
        pid = profile.id
        rows = interest.for_company(session=session, user=user, company_id=pid)
        invitations = workshop.for_company(session=session, user=user, company_id=pid)
        proposed = teams.for_company(session=session, user=user, company_id=pid)
        ids = {r.challenge_id for r in [*rows, *invitations, *proposed]}
        challenges = {
            c.id: c for c in session.scalars(select(Challenge).where(Challenge.id.in_(ids)))
        }
        found[pid] = CompanyEngagement(
            interests={r.challenge_id: r for r in rows},
            invitations=invitations,
            teams=proposed,
            challenges=challenges,
            stages={
                c.id: stages.stage_public(c, session=session, user=user)
                for c in challenges.values()
            },
        )
    return found
