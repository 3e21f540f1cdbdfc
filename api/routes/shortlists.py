"""Shortlists in both directions. Reading one stores nothing (the ranking is a function of the
data); POST freezes a challenge's shortlist as a run that can be read again, as acting on one
(a review, an export, an invitation) does."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Annotated

from fastapi import APIRouter, Depends, Query

from api.deps import (
    Caller,
    ChallengeId,
    CompanyId,
    CurrentUser,
    EngineDep,
    RunId,
    SessionDep,
    SettingsDep,
)
from api.errors import ERROR_RESPONSES
from api.presenters import run_public
from klimatmatch.catalogue.schemas import MAX_ID
from klimatmatch.core.settings import Settings
from klimatmatch.matching import service as matching
from klimatmatch.matching.schemas import (
    ConsortiaPublic,
    ConsortiumPublic,
    MatchRunPublic,
    MemberPublic,
)
from matcher import Filters
from matcher.controls import Controls
from models import MatchRun, RunReason

router = APIRouter(tags=["shortlists"], responses=ERROR_RESPONSES)

KQuery = Annotated[int | None, Query(ge=1, le=200, description="How many results")]
Values = Annotated[list[Annotated[str, Query(max_length=100)]] | None, Query(max_length=50)]
Ids = Annotated[
    list[Annotated[int, Query(ge=1, le=MAX_ID)]] | None,
    Query(max_length=500, description="Ids to leave out"),
]


@dataclass(frozen=True)
class Shortlisting(Caller):
    """What a shortlist route passes the matching service besides its own query."""

    settings: Settings

    def run(
        self,
        service: Callable[..., MatchRun],
        k: int | None,
        keep: RunReason | None = None,
        **query: object,
    ) -> MatchRunPublic:
        """A shortlist of `k` (or the configured default); stored only when `keep` says why."""
        run = self.call(service, k=k or self.settings.default_k, **query)
        if keep is not None:
            run = matching.keep(session=self.session, run=run, reason=keep)
            self.session.commit()
        return run_public(self.session, run, self.user)


def get_shortlisting(
    session: SessionDep, engine: EngineDep, settings: SettingsDep, user: CurrentUser
) -> Shortlisting:
    return Shortlisting(session, engine, user, settings)


ShortlistingDep = Annotated[Shortlisting, Depends(get_shortlisting)]


@dataclass(frozen=True)
class ShortlistQuery:
    k: int | None
    filters: Filters
    explain: bool
    controls: Controls


def shortlist_query(
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
    diversity: Annotated[float, Query(ge=0, le=1, description="MMR: 0 off, 1 most diverse")] = 0,
    max_per_country: Annotated[int | None, Query(ge=1, le=200)] = None,
    max_per_group: Annotated[
        int | None, Query(ge=1, le=200, description="Per company group")
    ] = None,
    min_small: Annotated[int, Query(ge=0, le=200, description="Places for small or new firms")] = 0,
) -> ShortlistQuery:
    return ShortlistQuery(
        k=k,
        filters=Filters.build(
            countries=country,
            sectors=sector,
            languages=language,
            cpv_codes=cpv,
            exclude_ids=exclude,
        ),
        explain=explain,
        controls=Controls(
            diversity=diversity,
            max_per_country=max_per_country,
            max_per_group=max_per_group,
            min_small=min_small,
        ),
    )


ShortlistQueryDep = Annotated[ShortlistQuery, Depends(shortlist_query)]


@router.get("/challenges/{challenge_id}/shortlist")
def challenge_shortlist(
    challenge_id: ChallengeId, shortlisting: ShortlistingDep, query: ShortlistQueryDep
) -> MatchRunPublic:
    """Ranked companies for a challenge, with each match's strength, score components,
    explanation and decisions. Nothing is stored (`run_id` is null): the same data gives the
    same list. For the challenge's city and for coordinators."""
    return _shortlist(challenge_id, shortlisting, query, keep=None)


@router.post("/challenges/{challenge_id}/shortlist", status_code=201)
def freeze_shortlist(
    challenge_id: ChallengeId, shortlisting: ShortlistingDep, query: ShortlistQueryDep
) -> MatchRunPublic:
    """Freeze the shortlist as it stands: stored as a run (`GET /runs/{run_id}` reads it
    again). Freezing the same ranking twice returns the same run."""
    return _shortlist(challenge_id, shortlisting, query, keep=RunReason.FROZEN)


def _shortlist(
    challenge_id: int,
    shortlisting: Shortlisting,
    query: ShortlistQuery,
    keep: RunReason | None,
) -> MatchRunPublic:
    return shortlisting.run(
        matching.challenge_shortlist,
        query.k,
        keep,
        challenge_id=challenge_id,
        filters=query.filters,
        explain=query.explain,
        controls=query.controls,
    )


@router.get("/companies/{company_id}/opportunities")
def company_opportunities(
    company_id: CompanyId,
    shortlisting: ShortlistingDep,
    k: KQuery = None,
    country: Values = None,
    language: Values = None,
    exclude: Ids = None,
) -> MatchRunPublic:
    """Published challenges that fit a company, best first. For the company and coordinators."""
    return shortlisting.run(
        matching.company_opportunities,
        k,
        company_id=company_id,
        filters=Filters.build(countries=country, languages=language, exclude_ids=exclude),
    )


@router.get("/runs/{run_id}")
def get_run(run_id: RunId, session: SessionDep, user: CurrentUser) -> MatchRunPublic:
    """A stored shortlist exactly as it was served (model, parameters, data version)."""
    return run_public(session, matching.read_run(session=session, user=user, run_id=run_id), user)


@router.get("/challenges/{challenge_id}/consortia")
def challenge_consortia(
    challenge_id: ChallengeId,
    shortlisting: ShortlistingDep,
    size: Annotated[int, Query(ge=2, le=4, description="Companies per team")] = 3,
    k: Annotated[int, Query(ge=1, le=20, description="How many teams")] = 5,
    country: Values = None,
    exclude: Ids = None,
) -> ConsortiaPublic:
    """Teams of companies that together cover the challenge's requirements, with a suggested
    lead, the coverage per requirement and the overlaps. For the city and coordinators."""
    _, requirements, candidates, teams = shortlisting.call(
        matching.challenge_consortia,
        challenge_id=challenge_id,
        size=size,
        k=k,
        filters=Filters.build(countries=country, exclude_ids=exclude),
    )
    names = {c.id: c.text.split(". ", 1)[0] for c in candidates}
    return ConsortiaPublic(
        challenge_id=challenge_id,
        requirements=requirements,
        teams=[
            ConsortiumPublic(
                value=team.value,
                lead_company_id=candidates[team.members[0]].id,
                members=[
                    MemberPublic(
                        company_id=candidates[m].id,
                        name=names[candidates[m].id],
                        country=candidates[m].fields.get("country", ""),
                    )
                    for m in team.members
                ],
                coverage=list(team.coverage),
                overlaps={
                    requirements[r]: [candidates[m].id for m in members]
                    for r, members in team.overlaps
                },
                covered_by=[candidates[m].id for m in team.covered_by],
            )
            for team in teams
        ],
    )
