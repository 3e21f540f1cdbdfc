"""A coordinator's work on a shortlist: reviewing a row, exporting it, comparing two companies
and proposing teams (consortia)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Form, Query, Request
from fastapi.responses import HTMLResponse, JSONResponse, RedirectResponse, Response
from pydantic import ValidationError

from api.deps import ChallengeId, EngineDep, RunId, SessionDep, SettingsDep
from api.pages import auth
from api.pages.auth import PageUser
from api.pages.i18n import negotiate
from api.pages.labels import label as label_of
from api.pages.rendering import IdList, fields_of, parse_ids, render, wants_json
from api.presenters import shortlist_file
from klimatmatch.catalogue.schemas import MAX_ID
from klimatmatch.core.errors import InvalidInput
from klimatmatch.core.translations import translations
from klimatmatch.matching import export, views
from klimatmatch.matching.schemas import ReviewCreate
from matcher import Filters

router = APIRouter(prefix=auth.PAGES, include_in_schema=False)


@router.post("/challenges/{challenge_id}/reviews", dependencies=[auth.CsrfChecked])
def review(
    request: Request,
    challenge_id: ChallengeId,
    session: SessionDep,
    engine: EngineDep,
    settings: SettingsDep,
    user: PageUser,
    company_id: Annotated[int, Form(ge=1, le=MAX_ID)],
    decision: Annotated[str, Form(max_length=20)],
    reason: Annotated[str, Form(max_length=300)] = "",
    note: Annotated[str, Form(max_length=5_000)] = "",
    back: Annotated[str, Form(max_length=2_000)] = "",
) -> Response:
    """A decision from a shortlist row, on the current ranking (stored by the review); JSON for
    the page's script, a redirect for a plain form."""
    try:
        data = ReviewCreate(
            challenge_id=challenge_id,
            company_id=company_id,
            decision=decision,
            reason=reason,
            note=note,
        )
    except ValidationError as error:
        fields = ", ".join(str(item["loc"][0]) for item in error.errors())
        raise InvalidInput(f"invalid review in: {fields}") from error
    saved = views.review_current(
        session=session, engine=engine, user=user, data=data, k=settings.default_k
    )
    if wants_json(request):
        tr = translations(negotiate(request.cookies.get(auth.LANGUAGE_COOKIE), None))
        label = label_of(tr, "review", saved.decision.value)
        return JSONResponse(
            {
                "id": saved.id,
                "company_id": saved.company_id,
                "company": views.company_names(session=session, ids=[saved.company_id]).get(
                    saved.company_id, ""
                ),
                "decision": saved.decision.value,
                "label": label,
                "reason": saved.reason,
                "reviewer": saved.reviewer,
                "created_at": saved.created_at.strftime("%Y-%m-%d %H:%M"),
                "message": tr.gettext("Saved: %(decision)s") % {"decision": label},
            },
            status_code=201,
        )
    target = auth.safe_next(back) if back else f"{auth.PAGES}/challenges/{challenge_id}"
    return RedirectResponse(f"{target}#company-{company_id}", status_code=303)


@router.get("/challenges/{challenge_id}/export")
def export_page(
    challenge_id: ChallengeId,
    session: SessionDep,
    engine: EngineDep,
    settings: SettingsDep,
    user: PageUser,
    format: export.ExportFormat = export.ExportFormat.CSV,  # noqa: A002
    run_id: Annotated[int | None, Query(ge=1, le=MAX_ID)] = None,
) -> Response:
    """The reviewed shortlist as a file, as the API's export, for the signed-in page user."""
    current = (engine, settings.default_k)
    return shortlist_file(session, user, challenge_id, format, run_id, current)


Picked = Annotated[list[Annotated[int, Query(ge=1, le=MAX_ID)]], Query(max_length=10)]


@router.get("/challenges/{challenge_id}/compare")
def compare_current(
    request: Request,
    challenge_id: ChallengeId,
    session: SessionDep,
    engine: EngineDep,
    settings: SettingsDep,
    user: PageUser,
    company: Picked = [],  # noqa: B006
) -> HTMLResponse:
    """Two companies of the current shortlist side by side: strength, evidence, decision."""
    view = views.compare_view(
        session=session,
        user=user,
        company_ids=company,
        current=(engine, challenge_id, settings.default_k),
    )
    return render(request, "compare.html", user, **fields_of(view))


@router.get("/runs/{run_id}/compare")
def compare(
    request: Request,
    run_id: RunId,
    session: SessionDep,
    user: PageUser,
    company: Picked = [],  # noqa: B006
) -> HTMLResponse:
    """Two companies of a stored (frozen, exported, reviewed) shortlist side by side."""
    view = views.compare_view(session=session, user=user, run_id=run_id, company_ids=company)
    return render(request, "compare.html", user, **fields_of(view))


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
    view = views.teams_view(
        session=session,
        engine=engine,
        user=user,
        challenge_id=challenge_id,
        size=size,
        k=k,
        filters=Filters.build(exclude_ids=parse_ids(exclude, "exclude")),
    )
    return render(request, "teams.html", user, **fields_of(view), size=size, k=k, exclude=exclude)
