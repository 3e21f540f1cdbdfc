"""Shortlists in both directions; each call is stored as a match run."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query
from klimatmatch.schemas import MatchRunPublic
from klimatmatch.services import matching
from matcher import Filters

from api.deps import EngineDep, SessionDep, SettingsDep
from api.errors import ERROR_RESPONSES
from api.presenters import run_public

router = APIRouter(tags=["shortlists"], responses=ERROR_RESPONSES)

KQuery = Annotated[int | None, Query(ge=1, le=200, description="How many results")]
ListQuery = Annotated[list[str] | None, Query()]


def _filters(country: list[str] | None, sector: list[str] | None, language: list[str] | None,
             exclude: list[int] | None) -> Filters:
    return Filters.build(countries=country, sectors=sector, languages=language, exclude_ids=exclude)


@router.get("/challenges/{challenge_id}/shortlist")
def challenge_shortlist(
    challenge_id: int, session: SessionDep, engine: EngineDep, settings: SettingsDep,
    k: KQuery = None, country: ListQuery = None, sector: ListQuery = None,
    language: ListQuery = None, exclude: Annotated[list[int] | None, Query()] = None,
) -> MatchRunPublic:
    """Ranked companies for a challenge, with score components and an explanation."""
    run = matching.challenge_shortlist(
        session=session, engine=engine, challenge_id=challenge_id, k=k or settings.default_k,
        filters=_filters(country, sector, language, exclude),
    )
    session.commit()
    return run_public(session, run)


@router.get("/companies/{company_id}/opportunities")
def company_opportunities(
    company_id: int, session: SessionDep, engine: EngineDep, settings: SettingsDep,
    k: KQuery = None, country: ListQuery = None, language: ListQuery = None,
    exclude: Annotated[list[int] | None, Query()] = None,
) -> MatchRunPublic:
    """Published challenges that fit a company, best first."""
    run = matching.company_opportunities(
        session=session, engine=engine, company_id=company_id, k=k or settings.default_k,
        filters=_filters(country, None, language, exclude),
    )
    session.commit()
    return run_public(session, run)
