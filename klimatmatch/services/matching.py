"""Shortlists: load the subject, rank with the engine, and persist the run as served."""

from __future__ import annotations

from dataclasses import asdict

from matcher import Filters, Match, MatchEngine
from sqlalchemy.orm import Session

from klimatmatch.errors import NotFound
from models import ChallengeStatus, Direction, MatchResult, MatchRun, crud


def challenge_shortlist(
    *, session: Session, engine: MatchEngine, challenge_id: int, k: int,
    filters: Filters | None = None,
) -> MatchRun:
    """Top `k` companies for a challenge, stored as a match run (the caller commits)."""
    challenge = crud.get_challenge(session=session, challenge_id=challenge_id)
    if challenge is None or challenge_id not in engine.challenges:
        raise NotFound(f"challenge {challenge_id} does not exist or is archived")
    matches = engine.shortlist(challenge_id, k, filters)
    return _store_run(session, engine, Direction.CHALLENGE_TO_COMPANIES, challenge_id, k,
                      filters, matches)


def company_opportunities(
    *, session: Session, engine: MatchEngine, company_id: int, k: int,
    filters: Filters | None = None,
) -> MatchRun:
    """Top `k` published challenges for a company profile, stored as a match run."""
    if crud.get_company(session=session, company_id=company_id) is None or (
        company_id not in engine.companies
    ):
        raise NotFound(f"company {company_id} does not exist")
    filters = filters or Filters()
    published = Filters(
        countries=filters.countries, sectors=filters.sectors, languages=filters.languages,
        statuses=frozenset({ChallengeStatus.PUBLISHED.value}), exclude_ids=filters.exclude_ids,
    )
    matches = engine.opportunities(company_id, k, published)
    return _store_run(session, engine, Direction.COMPANY_TO_CHALLENGES, company_id, k,
                      published, matches)


def _store_run(
    session: Session, engine: MatchEngine, direction: Direction, subject_id: int, k: int,
    filters: Filters | None, matches: list[Match],
) -> MatchRun:
    run = MatchRun(
        direction=direction,
        subject_id=subject_id,
        model=engine.embedder.fingerprint,
        parameters={**engine.parameters, "k": k, "filters": _filters_json(filters)},
        data_version=crud.data_version(session=session),
    )
    for match in matches:
        challenge_id, company_id = (
            (subject_id, match.document.id)
            if direction is Direction.CHALLENGE_TO_COMPANIES
            else (match.document.id, subject_id)
        )
        run.results.append(
            MatchResult(
                rank=match.rank, challenge_id=challenge_id, company_id=company_id,
                score=match.score, components=match.components,
                explanation=asdict(match.explanation) if match.explanation else {},
            )
        )
    session.add(run)
    session.flush()
    return run


def _filters_json(filters: Filters | None) -> dict[str, list]:
    if filters is None:
        return {}
    return {name: sorted(values) for name, values in asdict(filters).items() if values}
