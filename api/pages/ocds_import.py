"""The OCDS import page: a city (or a coordinator, for a city) uploads an OCDS planning or
tender release from a procurement portal and gets a draft challenge to finish. Thin over
`klimatmatch.catalogue.ocds_import`; a refused file is answered with the form and the JSON
path at fault."""

from __future__ import annotations

import json
from typing import Annotated

from fastapi import APIRouter, File, Form, Request, UploadFile
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from api.deps import EngineDep, SessionDep
from api.pages import auth
from api.pages.auth import PageUser
from api.pages.rendering import render
from klimatmatch.catalogue import ocds_import
from klimatmatch.catalogue import views as catalogue_views
from klimatmatch.core.errors import Conflict, InvalidInput
from models import User

router = APIRouter(prefix=auth.PAGES, include_in_schema=False)
MAX_FILE = 1_000_000
"""The largest release file read (the API's own body limit)."""


def form_page(
    request: Request, session: SessionDep, user: User, status_code: int = 200, **context: object
) -> HTMLResponse:
    cities = catalogue_views.import_cities(session=session, user=user)
    return render(
        request, "ocds_import.html", user, status_code=status_code, cities=cities, **context
    )


@router.get("/challenges/import")
def import_form(request: Request, session: SessionDep, user: PageUser) -> HTMLResponse:
    return form_page(request, session, user)


@router.post("/challenges/import", dependencies=[auth.CsrfChecked])
async def post_import(
    request: Request,
    session: SessionDep,
    engine: EngineDep,
    user: PageUser,
    file: Annotated[UploadFile, File()],
    city_id: Annotated[int | None, Form(ge=1)] = None,
) -> Response:
    raw = await file.read(MAX_FILE + 1)
    if len(raw) > MAX_FILE:
        return form_page(request, session, user, status_code=422, problem="too_large")
    try:
        document = json.loads(raw)
    except (UnicodeDecodeError, ValueError) as error:
        return form_page(
            request, session, user, status_code=422, problem="not_json", detail=str(error)
        )
    try:
        challenge = ocds_import.import_release(
            session=session, engine=engine, user=user, document=document, city_id=city_id
        )
    except (InvalidInput, Conflict) as error:
        session.rollback()
        return form_page(
            request, session, user, status_code=422, problem="refused", detail=error.message
        )
    return RedirectResponse(f"{auth.PAGES}/challenges/{challenge.id}?imported=1", status_code=303)
