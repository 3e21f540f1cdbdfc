"""A company's pages: edit each of its profiles (description, sector, country, staff, website,
references, CPV codes with suggestions, languages), then see at once the challenges it fits.

Thin routes over `services.catalogue.update_company` (the API's own write, which reaches the
index before it returns, so the next shortlist already ranks the new text). Another company's
profile form is 404; a conflicting edit keeps what was typed, as on the city's form."""

from __future__ import annotations

from typing import Annotated, Literal

from fastapi import APIRouter, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from pydantic import BaseModel, ValidationError

from api.deps import CompanyId, EngineDep, SessionDep
from api.pages import auth
from api.pages.auth import PageUser
from api.pages.city import problems
from api.pages.rendering import render
from klimatmatch.catalogue import drafting
from klimatmatch.catalogue import service as catalogue
from klimatmatch.catalogue import views as catalogue_views
from klimatmatch.catalogue.schemas import CompanyUpdate
from klimatmatch.core.errors import Conflict, PreconditionFailed
from models import CompanyProfile, User

router = APIRouter(prefix=auth.PAGES, include_in_schema=False)
BLANK_REFERENCES = 2
"""Empty rows offered below the references already given (no script needed to add one)."""


class ProfileFields(BaseModel):
    """A company profile's fields as typed, the same on the registration and profile forms."""

    description: str = ""
    sector: str = ""
    country: str = ""
    employees: str = ""
    website: str = ""
    cpv_codes: str = ""
    languages: str = ""


class ProfileForm(ProfileFields):
    """The profile form as typed; references arrive as three parallel lists of fields."""

    ref_what: list[str] = []
    ref_where: list[str] = []
    ref_when: list[str] = []
    version: int | None = None
    action: Literal["save", "suggest"] = "save"

    @classmethod
    def of(cls, company: CompanyProfile) -> ProfileForm:
        references = company.references or []
        return cls(
            description=company.description,
            sector=company.sector,
            country=company.country,
            employees="" if company.employees is None else str(company.employees),
            website=company.website,
            cpv_codes=", ".join(company.cpv_codes or []),
            languages=", ".join(company.languages or []),
            ref_what=[r.get("what", "") for r in references],
            ref_where=[r.get("where", "") for r in references],
            ref_when=[r.get("when", "") for r in references],
            version=company.version,
        )

    def references(self) -> list[dict[str, str]]:
        """Rows with anything typed in them; an entirely empty row is an unused one."""
        rows = zip(self.ref_what, self.ref_where, self.ref_when, strict=False)
        return [
            {"what": what, "where": where, "when": when}
            for what, where, when in rows
            if (what + where + when).strip()
        ]

    def rows(self) -> list[tuple[str, str, str]]:
        kept = [(r["what"], r["where"], r["when"]) for r in self.references()]
        return kept + [("", "", "")] * BLANK_REFERENCES

    def update(self) -> CompanyUpdate:
        return CompanyUpdate(
            description=self.description,
            sector=self.sector,
            country=self.country,
            employees=int(self.employees) if self.employees.strip().isdigit() else None,
            website=self.website,
            cpv_codes=self.cpv_codes,
            languages=self.languages,
            references=self.references(),
        )


def own_company(session: SessionDep, user: User, company_id: int) -> CompanyProfile:
    """The form's profile: the company's own (kept for the engagement pages' posts)."""
    return catalogue_views.editable_company(session=session, user=user, company_id=company_id)


def profile_page(
    request: Request,
    user: User,
    company: CompanyProfile,
    form: ProfileForm,
    status_code: int = 200,
    **context: object,
) -> HTMLResponse:
    return render(
        request,
        "profile_form.html",
        user,
        status_code=status_code,
        company=company,
        form=form,
        **context,
    )


@router.get("/companies/{company_id}/edit")
def edit_profile(
    request: Request, company_id: CompanyId, session: SessionDep, user: PageUser
) -> HTMLResponse:
    company = own_company(session, user, company_id)
    return profile_page(request, user, company, ProfileForm.of(company))


@router.post("/companies/{company_id}/edit", dependencies=[auth.CsrfChecked])
def post_edit_profile(
    request: Request,
    company_id: CompanyId,
    session: SessionDep,
    engine: EngineDep,
    user: PageUser,
    form: Annotated[ProfileForm, Form()],
) -> Response:
    company = own_company(session, user, company_id)
    if not form.employees.strip().isdigit() and form.employees.strip():
        errors = [("employees", "a whole number of people, such as 12")]
        return profile_page(request, user, company, form, 422, errors=errors)
    if form.action == "suggest":
        text = f"{company.name}. {form.description}"
        suggested = drafting.suggest_codes(engine=engine, text=text)
        return profile_page(request, user, company, form, suggested=suggested)
    try:
        catalogue.update_company(
            session=session,
            engine=engine,
            user=user,
            company_id=company_id,
            data=form.update(),
            if_match=form.version,
        )
    except ValidationError as error:
        return profile_page(request, user, company, form, 422, errors=problems(error))
    except (PreconditionFailed, Conflict):
        session.rollback()
        saved = own_company(session, user, company_id)
        session.refresh(saved)
        kept = form.model_copy(update={"version": saved.version})
        return profile_page(request, user, saved, kept, 409, conflict=saved)
    target = f"{auth.PAGES}/opportunities?saved={company_id}#p-{company_id}"
    return RedirectResponse(target, status_code=303)
