"""A company asks to join: the registration form, the link that confirms its e-mail, and the
coordinators' list of registrations to approve or decline.

Thin routes over `services.registration`. The form is answered the same way whether or not the
e-mail has an account; the confirmation link in the e-mail opens a page with a button (a link
checker that fetches it confirms nothing); approving makes the profiles matchable at once."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Form, Path, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from pydantic import ValidationError

from api.deps import EngineDep, SessionDep, SettingsDep
from api.pages import auth
from api.pages.auth import PageUser
from api.pages.city import problems
from api.pages.company import ProfileFields
from api.pages.i18n import negotiate
from api.pages.rendering import fields_of, render
from api.pages.sign_in import LinkFormDep
from klimatmatch.accounts import registration, terms, views
from klimatmatch.accounts.sign_in import TooManyAttempts
from klimatmatch.catalogue.schemas import MAX_ID, CompanyCreate
from klimatmatch.core.errors import Conflict, InvalidInput
from klimatmatch.core.safe_text import Prose

router = APIRouter(prefix=auth.PAGES, include_in_schema=False)
REGISTRATIONS = auth.PAGES + "/registrations"


class RegistrationForm(ProfileFields):
    """The form as typed, drawn again unchanged when something in it is refused."""

    name: str = ""
    person: str = ""
    email: str = ""
    password: str = ""
    terms: bool = False

    def profile(self) -> CompanyCreate:
        return CompanyCreate(
            name=self.name,
            description=self.description,
            sector=self.sector,
            country=self.country,
            employees=self.employees,
            website=self.website,
            cpv_codes=self.cpv_codes,
            languages=self.languages,
        )


def form_page(
    request: Request, form: RegistrationForm, status_code: int = 200, **context: object
) -> HTMLResponse:
    return render(
        request,
        "register.html",
        status_code=status_code,
        form=form.model_copy(update={"password": ""}),  # never sent back to the browser
        **context,
    )


@router.get("/register")
def register_form(request: Request) -> HTMLResponse:
    return form_page(request, RegistrationForm())


@router.post("/register")
def register(
    request: Request,
    session: SessionDep,
    settings: SettingsDep,
    form: Annotated[RegistrationForm, Form()],
) -> HTMLResponse:
    language = negotiate(
        request.cookies.get(auth.LANGUAGE_COOKIE), request.headers.get("accept-language")
    )
    unticked = [] if form.terms else [_field_of(terms.missing(settings.terms_version))]
    try:
        data = registration.Registration(
            person=form.person,
            email=form.email,
            password=form.password,
            language=language,
            profile=form.profile(),
            terms_version=settings.terms_version if form.terms else "",
        )
        terms.required(form.terms, settings.terms_version)
        registration.register_company(
            session=session, data=data, client=auth.client_of(request), settings=settings
        )
    except ValidationError as error:
        session.rollback()
        return form_page(request, form, 422, errors=problems(error) + unticked)
    except (InvalidInput, Conflict) as error:
        session.rollback()
        return form_page(request, form, error.status_code, errors=[_field_of(str(error))])
    except TooManyAttempts as error:
        session.rollback()
        page = form_page(request, form, 429, errors=[("form", str(error))])
        page.headers["Retry-After"] = str(error.retry_after)
        return page
    return render(request, "registered.html", email=form.email.strip())


@router.get("/register/{token}")
def confirm_page(link: LinkFormDep) -> HTMLResponse:
    return link.page("registered.html")


@router.post("/register/{token}", dependencies=[auth.PreSessionChecked])
def confirm(link: LinkFormDep) -> Response:
    """Opens the account and signs the person in; a used or expired link is refused (410)."""
    session_id = link.open(registration.confirm)
    return link.signed_in(session_id, auth.PAGES + "/opportunities?registered=1")


@router.get("/registrations")
def registrations(request: Request, session: SessionDep, user: PageUser) -> HTMLResponse:
    view = views.registrations_view(session=session, user=user)
    return render(
        request,
        "registrations.html",
        user,
        **fields_of(view),
        done=request.query_params.get("done", ""),
    )


OrganisationId = Annotated[int, Path(ge=1, le=MAX_ID)]


@router.post("/registrations/{organisation_id}/approve", dependencies=[auth.CsrfChecked])
def approve(
    organisation_id: OrganisationId,
    session: SessionDep,
    engine: EngineDep,
    settings: SettingsDep,
    user: PageUser,
) -> RedirectResponse:
    organisation = registration.approve(
        session=session,
        engine=engine,
        actor=user,
        organisation_id=organisation_id,
        settings=settings,
    )
    return RedirectResponse(f"{REGISTRATIONS}?done=approved:{organisation.id}", status_code=303)


@router.post("/registrations/{organisation_id}/decline", dependencies=[auth.CsrfChecked])
def decline(
    organisation_id: OrganisationId,
    session: SessionDep,
    settings: SettingsDep,
    user: PageUser,
    reason: Annotated[Prose, Form(max_length=1_000)] = "",
) -> RedirectResponse:
    organisation = registration.decline(
        session=session,
        actor=user,
        organisation_id=organisation_id,
        reason=reason,
        settings=settings,
    )
    return RedirectResponse(f"{REGISTRATIONS}?done=declined:{organisation.id}", status_code=303)


def _field_of(message: str) -> tuple[str, str]:
    """Service messages start with the field they are about ("password: ..."); others are
    about the whole form."""
    head, _, rest = message.partition(": ")
    if rest and head in RegistrationForm.model_fields:
        return head, rest
    return "form", message
