"""How a company's own profiles match one challenge, as its list of challenges shows them: the
same rank, strength and evidence, so the challenge's page and "Challenges that fit us" agree."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy.orm import Session

from klimatmatch.matching import review_queue
from klimatmatch.matching import service as matching
from matcher import MatchEngine
from models import CompanyProfile, MatchResult, User


@dataclass(frozen=True)
class OwnMatch:
    profile: CompanyProfile
    result: MatchResult | None
    """The challenge's row on the profile's own top `k`; None when it is not there (or the
    profile awaits approval and is not ranked yet)."""


def own_matches(
    *, session: Session, engine: MatchEngine, user: User, challenge_id: int, k: int
) -> list[OwnMatch]:
    found = []
    for profile in review_queue.own_companies(session=session, user=user):
        if not profile.approved or profile.id not in engine.companies:
            found.append(OwnMatch(profile, None))
            continue
        run = matching.company_opportunities(
            session=session, engine=engine, company_id=profile.id, k=k, user=user
        )
        row = next((r for r in run.results if r.challenge_id == challenge_id), None)
        found.append(OwnMatch(profile, row))
    return found
