"""The coordinators' pages: thin routes over the same services as the API, rendered by Jinja2.

Server-rendered HTML works without a build step and without JavaScript; one small script
(static/review.js) adds in-place reviewing and the compare picker on top."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Annotated, Any

from fastapi import APIRouter, Form, Query, Request
from fastapi.responses import HTMLResponse, JSONResponse, RedirectResponse, Response
from fastapi.templating import Jinja2Templates
from pydantic import BeforeValidator, Field, ValidationError
from sqlalchemy import select
from sqlalchemy.orm import Session

from api.deps import ChallengeId, EngineDep, RunId, SessionDep, SettingsDep, StateDep
from api.presenters import shortlist_file
from api.ui import auth, engagement_view
from api.ui.auth import PageUser
from api.ui.highlight import highlight
from api.ui.i18n import LANGUAGE_NAMES, LANGUAGES, format_number, negotiate, translator
from klimatmatch import access
from klimatmatch.errors import InvalidInput
from klimatmatch.jobs.service import active_jobs
from klimatmatch.schemas import MAX_ID, ReviewCreate
from klimatmatch.services import export, matching, review_queue, reviews
from klimatmatch.services.catalogue import Page
from klimatmatch.services.indexing import is_small_or_new
from matcher import Filters
from matcher.controls import Controls
from models import Challenge, ChallengeStatus, CompanyProfile, Role, User, crud

HERE = Path(__file__).parent
templates = Jinja2Templates(directory=HERE / "templates")
templates.env.globals["highlight"] = highlight
templates.env.filters["number"] = format_number
router = APIRouter(prefix=auth.PAGES, include_in_schema=False)
PAGE_SIZE = 25

IdList = Annotated[str, Query(max_length=2_000)]
# A number field left empty in a GET form arrives as "": that means "not set", not an error.
Cap = Annotated[
    Annotated[int, Field(ge=1, le=50)] | None,
    BeforeValidator(lambda value: None if value == "" else value),
    Query(),
]


def render(
    request: Request, name: str, user: User | None = None, status_code: int = 200, **context: Any
) -> HTMLResponse:
    """A page in the visitor's language with what every page's frame needs."""
    language = negotiate(
        request.cookies.get(auth.LANGUAGE_COOKIE), request.headers.get("accept-language")
    )
    return templates.TemplateResponse(
        request,
        name,
        {
            "t": translator(language),
            "lang": language,
            "languages": LANGUAGE_NAMES,
            "user": user,
            "csrf": getattr(request.state, "csrf", ""),
            "here": request.url.path + (f"?{request.url.query}" if request.url.query else ""),
            **context,
        },
        status_code=status_code,
    )


def wants_json(request: Request) -> bool:
    return "application/json" in request.headers.get("accept", "")


def parse_ids(value: str, field: str) -> list[int]:
    """ "12, 14 15" -> [12, 14, 15]; a clear error naming the field and the bad item."""
    ids = []
    for item in filter(None, re.split(r"[\s,;]+", value)):
        if not item.isdigit() or not 1 <= int(item) <= MAX_ID:
            raise InvalidInput(f"{field}: {item!r} is not a company id")
        ids.append(int(item))
    return ids


def parse_countries(value: str) -> list[str]:
    codes = [item.upper() for item in filter(None, re.split(r"[\s,;]+", value))]
    bad = [code for code in codes if not re.fullmatch(r"[A-Z]{2}", code)]
    if bad:
        raise InvalidInput(f"country: {bad[0]!r} is not a two-letter country code such as SE")
    return codes


def parse_status(value: str) -> ChallengeStatus | None:
    """A select's empty option means "the default"; anything else must be a status."""
    if not value:
        return None
    try:
        return ChallengeStatus(value)
    except ValueError:
        names = ", ".join(s.value for s in ChallengeStatus)
        raise InvalidInput(f"status: {value!r} is not one of {names}") from None


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
    page: Annotated[int, Query(ge=1, le=10_000)] = 1,
) -> HTMLResponse:
    options = review_queue.filter_options(session=session, user=user)
    rows, total = review_queue.review_queue(
        session=session,
        engine=engine,
        user=user,
        k=settings.default_k,
        page=Page(limit=PAGE_SIZE, offset=(page - 1) * PAGE_SIZE),
        city=city or None,
        theme=theme or None,
        language=language or None,
        status=parse_status(status),
        cache=state.top_k,
    )
    return render(
        request,
        "challenges.html",
        user,
        rows=rows,
        total=total,
        page=page,
        pages=max(1, -(-total // PAGE_SIZE)),
        options=options,
        chosen={"city": city, "theme": theme, "language": language, "status": status},
        statuses=list(ChallengeStatus),
        jobs=active_jobs(session=session) if access.can_run_jobs(user) else [],
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
    """The challenge, its ranked companies with evidence, and the review controls."""
    controls = Controls(
        diversity=diversity,
        max_per_country=max_per_country,
        max_per_group=max_per_group,
        min_small=min_small,
    )
    run = matching.challenge_shortlist(
        session=session,
        engine=engine,
        challenge_id=challenge_id,
        k=k or settings.default_k,
        filters=Filters.build(
            countries=parse_countries(country), exclude_ids=parse_ids(exclude, "exclude")
        ),
        user=user,
        controls=controls,
    )
    session.commit()
    challenge = crud.get_challenge(session=session, challenge_id=challenge_id)
    companies = {
        c.id: c
        for c in session.scalars(
            select(CompanyProfile).where(CompanyProfile.id.in_([r.company_id for r in run.results]))
        )
    }
    decided = reviews.latest_decisions(session=session, challenge_ids=[challenge_id])
    history = reviews.history(session=session, user=user, challenge_id=challenge_id)
    scores = [r.score for r in run.results]
    return render(
        request,
        "challenge.html",
        user,
        challenge=challenge,
        run=run,
        companies=companies,
        small={cid: is_small_or_new(c) for cid, c in companies.items()},
        decided=decided,
        unreviewed=sum((challenge_id, r.company_id) not in decided for r in run.results),
        history=[reviews.review_public(review, user) for review in history],
        names=_company_names(session, [r.company_id for r in history]),
        bar=_bar_scale(scores),
        component_max=_component_max(run.results),
        can_review=access.can_review(user),
        engagement=engagement_view.for_challenge(
            request=request, session=session, user=user, challenge=challenge, run=run
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


@router.post("/challenges/{challenge_id}/reviews", dependencies=[auth.CsrfChecked])
def review(
    request: Request,
    challenge_id: ChallengeId,
    session: SessionDep,
    user: PageUser,
    company_id: Annotated[int, Form(ge=1, le=MAX_ID)],
    decision: Annotated[str, Form(max_length=20)],
    reason: Annotated[str, Form(max_length=300)] = "",
    note: Annotated[str, Form(max_length=5_000)] = "",
    match_result_id: Annotated[int | None, Form(ge=1, le=MAX_ID)] = None,
    back: Annotated[str, Form(max_length=2_000)] = "",
) -> Response:
    """A decision from a shortlist row; JSON for the page's script, a redirect for a plain form."""
    try:
        data = ReviewCreate(
            challenge_id=challenge_id,
            company_id=company_id,
            decision=decision,
            reason=reason,
            note=note,
            match_result_id=match_result_id,
        )
    except ValidationError as error:
        fields = ", ".join(str(item["loc"][0]) for item in error.errors())
        raise InvalidInput(f"invalid review in: {fields}") from error
    saved = reviews.record_review(session=session, user=user, data=data)
    if wants_json(request):
        t = translator(negotiate(request.cookies.get(auth.LANGUAGE_COOKIE), None))
        label = t(f"review.{saved.decision.value}")
        return JSONResponse(
            {
                "id": saved.id,
                "company_id": saved.company_id,
                "company": _company_names(session, [saved.company_id]).get(saved.company_id, ""),
                "decision": saved.decision.value,
                "label": label,
                "reason": saved.reason,
                "reviewer": saved.reviewer,
                "created_at": saved.created_at.strftime("%Y-%m-%d %H:%M"),
                "message": t("review.saved", decision=label),
            },
            status_code=201,
        )
    target = auth.safe_next(back) if back else f"{auth.PAGES}/challenges/{challenge_id}"
    return RedirectResponse(f"{target}#company-{company_id}", status_code=303)


@router.get("/challenges/{challenge_id}/export")
def export_page(
    challenge_id: ChallengeId,
    session: SessionDep,
    user: PageUser,
    format: export.ExportFormat = export.ExportFormat.CSV,  # noqa: A002
    run_id: Annotated[int | None, Query(ge=1, le=MAX_ID)] = None,
) -> Response:
    """The reviewed shortlist as a file, as the API's export, for the signed-in page user."""
    return shortlist_file(session, user, challenge_id, format, run_id)


@router.get("/runs/{run_id}/compare")
def compare(
    request: Request,
    run_id: RunId,
    session: SessionDep,
    user: PageUser,
    company: Annotated[list[Annotated[int, Query(ge=1, le=MAX_ID)]], Query(max_length=10)] = [],  # noqa: B006
) -> HTMLResponse:
    """Two companies of one shortlist side by side: scores, evidence, profile, decision."""
    run, pair = review_queue.compared(
        session=session, user=user, run_id=run_id, company_ids=company
    )
    challenge = crud.get_challenge(session=session, challenge_id=run.subject_id)
    decided = reviews.latest_decisions(session=session, challenge_ids=[run.subject_id])
    return render(
        request,
        "compare.html",
        user,
        run=run,
        challenge=challenge,
        pair=pair,
        decided=decided,
        component_max=_component_max([result for result, _ in pair]),
        bar=_bar_scale([r.score for r in run.results]),
    )


@router.get("/challenges/{challenge_id}/teams")
def teams(
    request: Request,
    challenge_id: ChallengeId,
    session: SessionDep,
    engine: EngineDep,
    user: PageUser,
    size: Annotated[int, Query(ge=2, le=4)] = 3,
    k: Annotated[int, Query(ge=1, le=10)] = 3,
    exclude: IdList = "",
) -> HTMLResponse:
    """Consortia: teams that together cover the challenge's requirements."""
    challenge, requirements, candidates, found = matching.challenge_consortia(
        session=session,
        engine=engine,
        user=user,
        challenge_id=challenge_id,
        size=size,
        k=k,
        filters=Filters.build(exclude_ids=parse_ids(exclude, "exclude")),
    )
    names = _company_names(session, [c.id for c in candidates])
    return render(
        request,
        "teams.html",
        user,
        challenge=challenge,
        requirements=requirements,
        candidates=candidates,
        teams=found,
        names=names,
        size=size,
        k=k,
        exclude=exclude,
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
    profiles = review_queue.own_companies(session=session, user=user)
    if not profiles and user.role is not Role.COMPANY:
        raise InvalidInput("the challenges that fit a company are for company accounts")
    sections = []
    for profile in profiles:
        if not profile.approved:  # awaiting approval: not in the index yet
            sections.append((profile, None, {}, _bar_scale([])))
            continue
        run = matching.company_opportunities(
            session=session,
            engine=engine,
            company_id=profile.id,
            k=settings.default_k,
            user=user,
        )
        session.commit()
        ids = [r.challenge_id for r in run.results]
        challenges = {
            c.id: c for c in session.scalars(select(Challenge).where(Challenge.id.in_(ids)))
        }
        sections.append((profile, run, challenges, _bar_scale([r.score for r in run.results])))
    engagement = engagement_view.for_companies(session=session, user=user, profiles=profiles)
    return render(request, "opportunities.html", user, sections=sections, engagement=engagement)


def _company_names(session: Session, ids: list[int]) -> dict[int, str]:
    if not ids:
        return {}
    rows = session.execute(
        select(CompanyProfile.id, CompanyProfile.name).where(CompanyProfile.id.in_(set(ids)))
    )
    return dict(rows.all())


def _bar_scale(scores: list[float]) -> dict[str, float]:
    """Bars run from 10% (the lowest possible on the page) to 100% (the best match)."""
    if not scores:
        return {"low": 0.0, "span": 1.0}
    low, high = min(scores), max(scores)
    return {"low": low - 0.1 * (high - low or 1.0), "span": (high - low or 1.0) * 1.1}


def _component_max(results: list[Any]) -> dict[str, float]:
    top: dict[str, float] = {}
    for result in results:
        for name, value in result.components.items():
            top[name] = max(top.get(name, 0.0), abs(value))
    return {name: value or 1.0 for name, value in top.items()}
