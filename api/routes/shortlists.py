"""Shortlists in both directions; each call is stored as a match run that can be read again."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query

from api.deps import ChallengeId, CompanyId, CurrentUser, EngineDep, RunId, SessionDep, SettingsDep
from api.errors import ERROR_RESPONSES
from api.presenters import run_public
from klimatmatch.schemas import MAX_ID, MatchRunPublic
from klimatmatch.services import matching
from matcher import Filters

router = APIRouter(tags=["shortlists"], responses=ERROR_RESPONSES)

KQuery = Annotated[int | None, Query(ge=1, le=200, description="How many results")]
Values = Annotated[list[Annotated[str, Query(max_length=100)]] | None, Query(max_length=50)]
Ids = Annotated[
    list[Annotated[int, Query(ge=1, le=MAX_ID)]] | None,
    Query(max_length=500, description="Ids to leave out"),
]


@router.get("/challenges/{challenge_id}/shortlist")
def challenge_shortlist(
    challenge_id: ChallengeId,
    session: SessionDep,
    engine: EngineDep,
    settings: SettingsDep,
    user: CurrentUser,
    k: KQuery = None,
    country: Values = None,
    sector: Values = None,
    language: Values = None,
    exclude: Ids = None,
    cpv: Annotated[
        list[Annotated[str, Query(pattern=r"^\d{8}(-\d)?$")]] | None,
        Query(max_length=50, description="CPV codes; keeps companies in their classes"),
    ] = None,
    explain: Annotated[bool, Query(description="Find the best sentence pairs (slower)")] = True,
) -> MatchRunPublic:
    """Ranked companies for a challenge, with score components, explanation and decisions.

    For the challenge's city and for coordinators."""
    run = matching.challenge_shortlist(
        session=session,
        engine=engine,
        challenge_id=challenge_id,
        k=k or settings.default_k,
        filters=Filters.build(
            countries=country,
            sectors=sector,
            languages=language,
            cpv_codes=cpv,
            exclude_ids=exclude,
        ),
        user=user,
        explain=explain,
    )
    session.commit()
    return run_public(session, run, user)


@router.get("/companies/{company_id}/opportunities")
def company_opportunities(
    company_id: CompanyId,
    session: SessionDep,
    engine: EngineDep,
    settings: SettingsDep,
    user: CurrentUser,
    k: KQuery = None,
    country: Values = None,
    language: Values = None,
    exclude: Ids = None,
) -> MatchRunPublic:
    """Published challenges that fit a company, best first. For the company and coordinators."""
    run = matching.company_opportunities(
        session=session,
        engine=engine,
        company_id=company_id,
        k=k or settings.default_k,
        filters=Filters.build(countries=country, languages=language, exclude_ids=exclude),
        user=user,
    )
    session.commit()
    return run_public(session, run, user)


@router.get("/runs/{run_id}")
def get_run(run_id: RunId, session: SessionDep, user: CurrentUser) -> MatchRunPublic:
    """A stored shortlist exactly as it was served (model, parameters, data version)."""
    return run_public(session, matching.read_run(session=session, user=user, run_id=run_id), user)
