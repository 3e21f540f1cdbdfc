"""A published challenge as a company reads it: the text, criteria, deadline and stage; how each
of its profiles matches (rank on its own list, strength, why); and its interest. The same page
at /ui/challenges/{id} (where a city or coordinator sees the shortlist) and at .../interest.
"""

from __future__ import annotations

from fastapi import Request
from fastapi.responses import HTMLResponse
from sqlalchemy.orm import Session

from api.pages.engagement_view import Redraw
from api.pages.rendering import render
from klimatmatch.catalogue import service as catalogue
from klimatmatch.core.errors import Forbidden
from klimatmatch.engagement import interest, stages
from klimatmatch.matching import review_queue
from klimatmatch.matching.own_matches import own_matches
from matcher import MatchEngine
from models import Challenge, User


def company_challenge(session: Session, user: User, challenge_id: int) -> Challenge:
    """A challenge the company may read (published); others' drafts are 404."""
    if not review_queue.own_companies(session=session, user=user):
        raise Forbidden("expressions of interest are made by company accounts")
    return catalogue.read_challenge(session=session, user=user, challenge_id=challenge_id)


def company_page(
    request: Request,
    session: Session,
    engine: MatchEngine,
    k: int,
    user: User,
    challenge_id: int,
) -> HTMLResponse:
    """The page, with how each profile matches on its list of `k` (both routes that show it)."""
    challenge = company_challenge(session, user, challenge_id)
    return interest_page(request, session, user, challenge, (engine, k))


def interest_page(
    request: Request,
    session: Session,
    user: User,
    challenge: Challenge,
    ranking: tuple[MatchEngine, int] | None = None,
    status_code: int = 200,
    redraw: Redraw | None = None,
) -> HTMLResponse:
    """`ranking` (the engine and the company list's k) adds how each profile matches."""
    profiles = review_queue.own_companies(session=session, user=user)
    own = {}
    for profile in profiles:
        rows = interest.for_company(session=session, user=user, company_id=profile.id)
        own[profile.id] = next((r for r in rows if r.challenge_id == challenge.id), None)
    matches = {}
    if ranking is not None:
        engine, k = ranking
        found = own_matches(
            session=session, engine=engine, user=user, challenge_id=challenge.id, k=k
        )
        matches = {m.profile.id: m.result for m in found}
    return render(
        request,
        "interest.html",
        user,
        status_code=status_code,
        challenge=challenge,
        public=stages.stage_public(challenge, session=session, user=user),
        stage=stages.current_stage(challenge),
        profiles=profiles,
        own=own,
        matches=matches,
        ranked=ranking is not None,
        redraw=redraw,
    )
