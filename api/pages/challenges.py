"""The coordinators' pages: thin routes over the same services as the API, rendered by Jinja2.

Server-rendered HTML works without a build step and without JavaScript; one small script
(static/review.js) adds in-place reviewing and the compare picker on top. The work on one
shortlist is in `api.pages.shortlist`; what every page shares in `api.pages.rendering`."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query, Request
from fastapi.responses import HTMLResponse, RedirectResponse
from pydantic import BeforeValidator, Field

from api.deps import ChallengeId, EngineDep, SessionDep, SettingsDep, StateDep
from api.pages import auth, engagement_view
from api.pages.auth import PageUser
from api.pages.company_challenge import company_page
from api.pages.i18n import LANGUAGES
from api.pages.rendering import (
    IdList,
    fields_of,
    parse_countries,
    parse_ids,
    parse_status,
    render,
)
from klimatmatch.catalogue.service import Page
from klimatmatch.core.errors import InvalidInput
from klimatmatch.matching import views
from klimatmatch.matching.review_queue import ANY_STATUS
from matcher import Filters
from matcher.controls import Controls
from models import ChallengeStatus, Role

router = APIRouter(prefix=auth.PAGES, include_in_schema=False)
PAGE_SIZE = 25

# A number field left empty in a GET form arrives as "": that means "not set", not an error.
Cap = Annotated[
    Annotated[int, Field(ge=1, le=50)] | None,
    BeforeValidator(lambda value: None if value == "" else value),
    Query(),
]


@router.get("/")
def home(user: PageUser) -> RedirectResponse:
    target = "/opportunities" if user.role is Role.COMPANY else "/challenges"
    return RedirectResponse(auth.PAGES + target, status_code=303)


@router.get("/language/{code}")
def choose_language(code: str, next: str | None = None) -> RedirectResponse:  # noqa: A002
    """A plain link switches the interface language (remembered for a year)."""
    if code not in LANGUAGES:
        raise InvalidInput(f"language: {code!r} is not one of {', '.join(LANGUAGES)}")
    response = RedirectResponse(auth.safe_next(next), status_code=303)
    response.set_cookie(auth.LANGUAGE_COOKIE, code, max_age=365 * 86400, samesite="lax")
    return response


@router.get("/challenges")
def challenge_list(
    request: Request,
    state: StateDep,
    session: SessionDep,
    engine: EngineDep,
    settings: SettingsDep,
    user: PageUser,
    city: Annotated[str, Query(max_length=200)] = "",
    theme: Annotated[str, Query(max_length=100)] = "",
    language: Annotated[str, Query(max_length=10)] = "",
    status: Annotated[str, Query(max_length=20, description="'' means the default")] = "",
    sort: Annotated[str, Query(max_length=20)] = "newest",
    page: Annotated[int, Query(ge=1, le=10_000)] = 1,
) -> HTMLResponse:
    """The review queue (a city's own challenges), newest first unless sorted by a column."""
    view = views.challenge_list_view(
        session=session,
        engine=engine,
        user=user,
        k=settings.default_k,
        page=Page(limit=PAGE_SIZE, offset=(page - 1) * PAGE_SIZE),
        chosen=views.QueueFilters(
            city=city or None,
            theme=theme or None,
            language=language or None,
            status=ANY_STATUS if status == ANY_STATUS else parse_status(status),
            sort=sort,
        ),
        cache=state.top_k,
    )
    chosen = {"city": city, "theme": theme, "language": language, "status": status}
    return render(
        request,
        "challenges.html",
        user,
        **fields_of(view),
        page=page,
        pages=max(1, -(-view.total // PAGE_SIZE)),
        chosen=chosen,
        sort=sort,
        statuses=list(ChallengeStatus),
    )


@router.get("/challenges/{challenge_id}")
def challenge_page(
    request: Request,
    challenge_id: ChallengeId,
    session: SessionDep,
    engine: EngineDep,
    settings: SettingsDep,
    user: PageUser,
    k: Cap = None,
    diversity: Annotated[float, Query(ge=0, le=1)] = 0,
    max_per_country: Cap = None,
    max_per_group: Cap = None,
    min_small: Annotated[int, Query(ge=0, le=50)] = 0,
    country: Annotated[str, Query(max_length=200)] = "",
    exclude: IdList = "",
) -> HTMLResponse:
    """The challenge, its ranked companies with evidence, and the review controls; for a
    company, the challenge as it reads it, with how its profiles match (`company_challenge`)."""
    if user.role is Role.COMPANY:
        return company_page(request, session, engine, settings.default_k, user, challenge_id)
    view = views.challenge_view(
        session=session,
        engine=engine,
        user=user,
        challenge_id=challenge_id,
        k=k or settings.default_k,
        filters=Filters.build(
            countries=parse_countries(country), exclude_ids=parse_ids(exclude, "exclude")
        ),
        controls=Controls(
            diversity=diversity,
            max_per_country=max_per_country,
            max_per_group=max_per_group,
            min_small=min_small,
        ),
    )
    return render(
        request,
        "challenge.html",
        user,
        **fields_of(view),
        engagement=engagement_view.for_challenge(
            request=request, session=session, user=user, challenge=view.challenge, run=view.run
        ),
        settings_form={
            "k": k or settings.default_k,
            "diversity": diversity,
            "max_per_country": max_per_country or "",
            "max_per_group": max_per_group or "",
            "min_small": min_small,
            "country": country,
            "exclude": exclude,
        },
    )


@router.get("/opportunities")
def opportunities(
    request: Request,
    session: SessionDep,
    engine: EngineDep,
    settings: SettingsDep,
    user: PageUser,
) -> HTMLResponse:
    """For a company account: the published challenges that fit each of its profiles."""
    view = views.opportunities_view(session=session, engine=engine, user=user, k=settings.default_k)
    engagement = engagement_view.for_companies(session=session, user=user, profiles=view.profiles)
    return render(
        request, "opportunities.html", user, sections=view.sections, engagement=engagement
    )
