"""A city's pages: write a new challenge, preview who could answer it, save it as a draft or
publish it, edit and archive it. Thin routes over `klimatmatch.catalogue.service` (the API's
own writes), `.drafting` (suggestions and the preview of unsaved text) and `.views` (the form's
own challenge).

A conflicting edit (someone saved first) is answered with the form as typed and a message, never
with a lost text; another city's draft or edit form is 404, as if it did not exist."""

from __future__ import annotations

from typing import Annotated, Literal

from fastapi import APIRouter, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from pydantic import BaseModel, ValidationError

from api.deps import ChallengeId, EngineDep, SessionDep
from api.pages import auth
from api.pages.auth import PageUser
from api.pages.form_errors import field_errors
from api.pages.rendering import language_of, render, templates
from klimatmatch.catalogue import drafting
from klimatmatch.catalogue import service as catalogue
from klimatmatch.catalogue import views as catalogue_views
from klimatmatch.catalogue.schemas import ChallengeCreate, ChallengeUpdate
from klimatmatch.core import access
from klimatmatch.core.errors import Conflict, InvalidInput, PreconditionFailed
from klimatmatch.ocds.eforms import GREEN_CRITERIA, GREEN_PROCUREMENT
from matcher import MatchEngine
from models import Challenge, ChallengeStatus, User

router = APIRouter(prefix=auth.PAGES, include_in_schema=False)
templates.env.globals["can_edit_challenge"] = access.can_edit_challenge
WRITTEN_IN = {"sv": "Svenska", "en": "English", "da": "Dansk", "no": "Norsk", "fi": "Suomi"}
Action = Literal["preview", "draft", "publish"]
YES_NO: dict[bool | None, Literal["", "yes", "no"]] = {None: "", True: "yes", False: "no"}


class ChallengeForm(BaseModel):
    """The form as typed: every value a string, so nothing is lost when it is drawn again."""

    title: str = ""
    description: str = ""
    theme: str = ""
    language: str = ""
    cpv_codes: str = ""
    criteria: str = ""
    deadline: str = ""
    location: str = ""
    contact: str = ""
    nuts_code: str = ""
    innovative_procurement: str = ""
    green_procurement: list[str] = []
    green_criteria: list[str] = []
    clean_vehicles: Literal["", "yes", "no"] = ""
    tender_ocid: str = ""
    version: int | None = None
    action: Action = "preview"

    @classmethod
    def of(cls, challenge: Challenge) -> ChallengeForm:
        return cls(
            title=challenge.title,
            description=challenge.description,
            theme=challenge.theme,
            language=challenge.language,
            cpv_codes=", ".join(challenge.cpv_codes or []),
            criteria=challenge.criteria,
            deadline=challenge.deadline.isoformat() if challenge.deadline else "",
            location=challenge.location,
            contact=challenge.contact,
            nuts_code=challenge.nuts_code,
            innovative_procurement=challenge.innovative_procurement,
            green_procurement=list(challenge.green_procurement or []),
            green_criteria=list(challenge.green_criteria or []),
            clean_vehicles=YES_NO[challenge.clean_vehicles],
            tender_ocid=challenge.tender_ocid,
            version=challenge.version,
        )

    def fields(self, *, edit: bool = False) -> dict[str, object]:
        """What the schemas read; a later tender is linked on an edit only (a new challenge
        has not closed yet)."""
        status = ChallengeStatus.DRAFT if self.action == "draft" else ChallengeStatus.PUBLISHED
        left_out = {"version", "action"} | (set() if edit else {"tender_ocid"})
        return {**self.model_dump(exclude=left_out), "status": status}


TypedForm = Annotated[ChallengeForm, Form()]


def form_page(
    request: Request,
    user: User,
    form: ChallengeForm,
    *,
    challenge: Challenge | None = None,
    status_code: int = 200,
    **context: object,
) -> HTMLResponse:
    return render(
        request,
        "challenge_form.html",
        user,
        status_code=status_code,
        form=form,
        challenge=challenge,
        written_in=WRITTEN_IN,
        green_procurement=GREEN_PROCUREMENT,
        green_criteria=GREEN_CRITERIA,
        **context,
    )


def problems(error: ValidationError) -> list[tuple[str, str]]:
    """(field, message) for each invalid field, so the page can name and mark them."""
    return [(str(item["loc"][0]), item["msg"]) for item in error.errors() if item["loc"]]


def preview(
    request: Request,
    session: SessionDep,
    engine: EngineDep,
    user: User,
    form: ChallengeForm,
    **context: object,
) -> HTMLResponse:
    """The form again, with suggestions filled in where empty and who could answer it now.
    Validated as a save would be, so the preview names the same errors."""
    data = ChallengeCreate(**form.fields())
    seen = drafting.preview_challenge(
        session=session,
        engine=engine,
        title=data.title,
        description=data.description,
        language=data.language or "",
        codes=data.cpv_codes,
    )
    suggested = form.model_copy(
        update={
            "language": form.language or seen.language,
            "cpv_codes": form.cpv_codes or ", ".join(seen.suggested_codes),
        }
    )
    named = code_names(engine, seen.suggested_codes, language_of(request, user))
    return form_page(request, user, suggested, preview=seen, code_names=named, **context)


def code_names(engine: MatchEngine, codes: list[str], language: str) -> dict[str, str]:
    """Each suggested code with its name in the reader's language, so a chip says what it
    adds ("45233000 Road works"), not only a number."""
    if engine.cpv is None:
        return {}
    return {code: engine.cpv.label(code, language) for code in codes}


@router.get("/challenges/new")
def new_challenge(request: Request, user: PageUser) -> HTMLResponse:
    catalogue.require_city(user)
    return form_page(request, user, ChallengeForm())


@router.post("/challenges/new", dependencies=[auth.CsrfChecked])
def post_new_challenge(
    request: Request, session: SessionDep, engine: EngineDep, user: PageUser, form: TypedForm
) -> Response:
    catalogue.require_city(user)
    try:
        if form.action == "preview":
            return preview(request, session, engine, user, form)
        data = ChallengeCreate(**form.fields())
    except ValidationError as error:
        return form_page(request, user, form, status_code=422, errors=problems(error))
    challenge = catalogue.create_challenge(session=session, engine=engine, user=user, data=data)
    return RedirectResponse(f"{auth.PAGES}/challenges/{challenge.id}?saved=1", status_code=303)


@router.get("/challenges/{challenge_id}/edit")
def edit_challenge(
    request: Request, challenge_id: ChallengeId, session: SessionDep, user: PageUser
) -> HTMLResponse:
    challenge = catalogue_views.editable_challenge(
        session=session, user=user, challenge_id=challenge_id
    )
    return form_page(request, user, ChallengeForm.of(challenge), challenge=challenge)


@router.post("/challenges/{challenge_id}/edit", dependencies=[auth.CsrfChecked])
def post_edit_challenge(
    request: Request,
    challenge_id: ChallengeId,
    session: SessionDep,
    engine: EngineDep,
    user: PageUser,
    form: TypedForm,
) -> Response:
    challenge = catalogue_views.editable_challenge(
        session=session, user=user, challenge_id=challenge_id
    )
    try:
        if form.action == "preview":
            return preview(request, session, engine, user, form, challenge=challenge)
        data = ChallengeUpdate(**form.fields(edit=True))
        catalogue.update_challenge(
            session=session,
            engine=engine,
            user=user,
            challenge_id=challenge_id,
            data=data,
            if_match=form.version,
        )
    except ValidationError as error:
        return form_page(
            request, user, form, challenge=challenge, status_code=422, errors=problems(error)
        )
    except InvalidInput as error:  # a tender linked before the challenge closed with one
        session.rollback()
        return form_page(
            request, user, form, challenge=challenge, status_code=422, errors=field_errors(error)
        )
    except (PreconditionFailed, Conflict):
        session.rollback()
        return conflict(request, session, user, form, challenge_id)
    return RedirectResponse(f"{auth.PAGES}/challenges/{challenge_id}?saved=1", status_code=303)


def conflict(
    request: Request, session: SessionDep, user: User, form: ChallengeForm, challenge_id: int
) -> HTMLResponse:
    """Someone saved first: keep what was typed, show what they saved, and let the user save
    again on top of it knowingly (the form now carries the newer version)."""
    saved = catalogue_views.editable_challenge(
        session=session, user=user, challenge_id=challenge_id
    )
    session.refresh(saved)
    kept = form.model_copy(update={"version": saved.version})
    return form_page(request, user, kept, challenge=saved, status_code=409, conflict=saved)


@router.post("/challenges/{challenge_id}/archive", dependencies=[auth.CsrfChecked])
def archive(
    challenge_id: ChallengeId,
    session: SessionDep,
    engine: EngineDep,
    user: PageUser,
    version: Annotated[int | None, Form(ge=1)] = None,
) -> RedirectResponse:
    catalogue_views.editable_challenge(session=session, user=user, challenge_id=challenge_id)
    catalogue.archive_challenge(
        session=session, engine=engine, user=user, challenge_id=challenge_id, if_match=version
    )
    return RedirectResponse(f"{auth.PAGES}/challenges?archived={challenge_id}", status_code=303)
