"""ORM rows to response models (and the shortlist as a file); nothing leaves a route without one."""

from __future__ import annotations

from fastapi import Response
from sqlalchemy import select
from sqlalchemy.orm import Session

from klimatmatch.catalogue.schemas import ChallengePublic, CompanyPublic
from klimatmatch.matching import export
from klimatmatch.matching.reviews import latest_decisions
from klimatmatch.matching.schemas import MatchPublic, MatchRunPublic
from matcher import MatchEngine, Strength
from models import Challenge, CompanyProfile, Direction, MatchRun, User


def challenge_public(challenge: Challenge) -> ChallengePublic:
    return ChallengePublic.model_validate(
        {
            **{c: getattr(challenge, c) for c in ChallengePublic.model_fields if c != "city"},
            "city": challenge.organisation.name,
        }
    )


def company_public(company: CompanyProfile) -> CompanyPublic:
    return CompanyPublic.model_validate(company)


def run_public(session: Session, run: MatchRun, user: User) -> MatchRunPublic:
    """Current decisions are shown to coordinators and to the challenge's own city."""
    to_companies = run.direction is Direction.CHALLENGE_TO_COMPANIES
    table, column = (
        (CompanyProfile, CompanyProfile.name) if to_companies else (Challenge, Challenge.title)
    )
    ids = [r.company_id if to_companies else r.challenge_id for r in run.results]
    titles = dict(session.execute(select(table.id, column).where(table.id.in_(ids))).all())
    decisions = latest_decisions(
        session=session, challenge_ids=sorted({r.challenge_id for r in run.results})
    )
    if user.role.value == "company":
        decisions = {}
    results = [
        MatchPublic(
            rank=r.rank,
            challenge_id=r.challenge_id,
            company_id=r.company_id,
            title=titles.get(r.company_id if to_companies else r.challenge_id, ""),
            strength=r.strength,
            strength_level=None if r.strength is None else Strength.of(r.strength).value,
            score=r.score,
            components=r.components,
            explanation=r.explanation or None,
            decision=review.decision
            if (review := decisions.get((r.challenge_id, r.company_id)))
            else None,
        )
        for r in run.results
    ]
    return MatchRunPublic(
        run_id=run.id,
        direction=run.direction.value,
        subject_id=run.subject_id,
        model=run.model,
        parameters=run.parameters,
        data_version=run.data_version,
        created_at=run.created_at,
        results=results,
    )


def shortlist_file(
    session: Session,
    user: User,
    challenge_id: int,
    fmt: export.ExportFormat,
    run_id: int | None,
    current: tuple[MatchEngine, int],
) -> Response:
    """A stored run, or the current top k (`current`: engine and k; the export stores it as a
    run, being an act on it), with current decisions, as a download."""
    engine, k = current
    frame = export.shortlist_frame(
        session=session, user=user, challenge_id=challenge_id, run_id=run_id, engine=engine, k=k
    )
    filename = f"shortlist-challenge-{challenge_id}.{fmt.value}"
    return Response(
        export.render(frame, fmt),
        media_type=export.MEDIA_TYPES[fmt],
        headers={"Content-Disposition": f'attachment; filename="{filename}"'},
    )
