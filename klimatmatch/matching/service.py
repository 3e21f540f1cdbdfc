"""Shortlists: load the subject and rank with the engine. A ranking is not stored when it is
read (a GET has no side effect); `keep` stores it as a run when someone acts on it (freezes,
exports, reviews, invites), once per exact ranking: acting twice on the same data and
parameters refers to the same run."""

from __future__ import annotations

import dataclasses
from dataclasses import asdict

from sqlalchemy import select
from sqlalchemy.orm import Session

from klimatmatch.core import access
from klimatmatch.core.errors import Forbidden, NotFound
from matcher import Document, Filters, Match, MatchEngine
from matcher.consortia import Team
from matcher.controls import Controls
from models import (
    Challenge,
    CompanyProfile,
    Direction,
    MatchResult,
    MatchRun,
    RunReason,
    User,
    crud,
)
from models.tables import utcnow


def challenge_shortlist(
    *,
    session: Session,
    engine: MatchEngine,
    challenge_id: int,
    k: int,
    filters: Filters | None = None,
    user: User | None = None,
    explain: bool = True,
    controls: Controls | None = None,
) -> MatchRun:
    """Top `k` companies for a challenge as an unsaved match run (`keep` stores it).

    `user` None means a trusted local operator (the CLI)."""
    challenge = crud.get_challenge(session=session, challenge_id=challenge_id)
    if challenge is None or (user is not None and not access.can_see_shortlist(user, challenge)):
        raise NotFound(f"challenge {challenge_id} does not exist")
    if challenge_id not in engine.challenges:
        raise NotFound(f"challenge {challenge_id} is archived: it has no shortlist")
    session.commit()  # release the database while the engine works (SQLite has one writer)
    matches = engine.shortlist(challenge_id, k, filters, explain=explain, controls=controls)
    matches = _still_there(session, CompanyProfile, matches)
    run = _run(
        session, engine, Direction.CHALLENGE_TO_COMPANIES, challenge_id, k, filters, matches, user
    )
    if controls is not None and not controls.is_empty:
        run.parameters = {**run.parameters, "controls": asdict(controls)}
    return run


def company_opportunities(
    *,
    session: Session,
    engine: MatchEngine,
    company_id: int,
    k: int,
    filters: Filters | None = None,
    user: User | None = None,
) -> MatchRun:
    """Top `k` published challenges for a company profile, as an unsaved match run."""
    company = crud.get_company(session=session, company_id=company_id)
    if company is None or company_id not in engine.companies:
        raise NotFound(f"company {company_id} does not exist")
    if user is not None and not access.can_see_opportunities(user, company):
        raise Forbidden(f"the opportunities of company {company_id} are its own")
    published = access.published_only(filters)
    session.commit()  # release the database while the engine works
    matches = _still_there(session, Challenge, engine.opportunities(company_id, k, published))
    return _run(
        session, engine, Direction.COMPANY_TO_CHALLENGES, company_id, k, published, matches, user
    )


def _still_there(session: Session, table: type, matches: list[Match]) -> list[Match]:
    """Drop what another process deleted a moment ago, before this index heard of it (the
    replica follows within a second): a run never names a row that is gone."""
    ids = [m.document.id for m in matches]
    if not ids:
        return matches
    present = set(session.scalars(select(table.id).where(table.id.in_(ids))))
    if len(present) == len(ids):
        return matches
    kept = [m for m in matches if m.document.id in present]
    return [dataclasses.replace(m, rank=rank) for rank, m in enumerate(kept, start=1)]


def _run(
    session: Session,
    engine: MatchEngine,
    direction: Direction,
    subject_id: int,
    k: int,
    filters: Filters | None,
    matches: list[Match],
    user: User | None,
) -> MatchRun:
    run = MatchRun(
        direction=direction,
        subject_id=subject_id,
        model=engine.fingerprint,
        parameters={**engine.parameters, "k": k, "filters": _filters_json(filters)},
        data_version=crud.data_version(session=session),
        created_by_id=user.id if user is not None else None,
        created_at=utcnow(),
    )
    for match in matches:
        challenge_id, company_id = (
            (subject_id, match.document.id)
            if direction is Direction.CHALLENGE_TO_COMPANIES
            else (match.document.id, subject_id)
        )
        run.results.append(
            MatchResult(
                rank=match.rank,
                challenge_id=challenge_id,
                company_id=company_id,
                score=match.score,
                strength=getattr(match, "strength", None),
                components=match.components,
                explanation=asdict(match.explanation) if match.explanation else {},
            )
        )
    return run


def keep(*, session: Session, run: MatchRun, reason: RunReason) -> MatchRun:
    """Store a ranking someone acted on, or return the run that already holds the same
    ranking (same subject, direction, model, parameters and data version): a review and an
    export of one shortlist refer to one run. The caller commits."""
    if run.id is not None:
        return run
    candidates = session.scalars(
        select(MatchRun)
        .where(
            MatchRun.direction == run.direction,
            MatchRun.subject_id == run.subject_id,
            MatchRun.model == run.model,
            MatchRun.data_version == run.data_version,
        )
        .order_by(MatchRun.id.desc())
    )
    for found in candidates:
        if found.parameters == run.parameters:
            return found
    run.reason = reason
    session.add(run)
    session.flush()
    return run


def _filters_json(filters: Filters | None) -> dict[str, list]:
    if filters is None:
        return {}
    return {name: sorted(values) for name, values in asdict(filters).items() if values}


def read_run(*, session: Session, user: User, run_id: int) -> MatchRun:
    """A stored run, as it was served, for those who may see its subject."""
    run = crud.get_match_run(session=session, run_id=run_id)
    if run is None or not _may_see_run(session, user, run):
        raise NotFound(f"match run {run_id} does not exist")
    return run


def _may_see_run(session: Session, user: User, run: MatchRun) -> bool:
    if run.direction is Direction.CHALLENGE_TO_COMPANIES:
        challenge = crud.get_challenge(session=session, challenge_id=run.subject_id)
        return challenge is not None and access.can_see_shortlist(user, challenge)
    company = crud.get_company(session=session, company_id=run.subject_id)
    return company is not None and access.can_see_opportunities(user, company)


def challenge_consortia(
    *,
    session: Session,
    engine: MatchEngine,
    user: User,
    challenge_id: int,
    size: int,
    k: int,
    filters: Filters | None = None,
) -> tuple[Challenge, list[str], list[Document], list[Team]]:
    """Teams for a challenge, for those who may see its shortlist."""
    challenge = crud.get_challenge(session=session, challenge_id=challenge_id)
    if challenge is None or not access.can_see_shortlist(user, challenge):
        raise NotFound(f"challenge {challenge_id} does not exist")
    if challenge_id not in engine.challenges:
        raise NotFound(f"challenge {challenge_id} is archived: it has no consortia")
    session.commit()  # release the database while the engine works
    requirements, candidates, teams = engine.consortia(challenge_id, size, k, filters)
    return challenge, requirements, candidates, teams
