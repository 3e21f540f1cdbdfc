"""Company profiles: a company registers and edits its own; everyone signed in reads them."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query, Response, status

from api.deps import (
    CompanyId,
    CurrentUser,
    EngineDep,
    Limit,
    Offset,
    SessionDep,
    VersionedWrite,
    with_etag,
)
from api.errors import ERROR_RESPONSES, responses
from api.presenters import company_public
from klimatmatch.catalogue import service as catalogue
from klimatmatch.catalogue.schemas import (
    CompaniesPublic,
    CompanyCreate,
    CompanyPublic,
    CompanyUpdate,
)

router = APIRouter(prefix="/companies", tags=["companies"], responses=ERROR_RESPONSES)


@router.get("")
def list_companies(
    session: SessionDep,
    user: CurrentUser,
    limit: Limit = 50,
    offset: Offset = 0,
    country: Annotated[str | None, Query(max_length=2)] = None,
    sector: Annotated[str | None, Query(max_length=100)] = None,
    language: Annotated[str | None, Query(max_length=8)] = None,
) -> CompaniesPublic:
    rows, count = catalogue.list_companies(
        session=session,
        user=user,
        page=catalogue.Page(limit, offset),
        country=country,
        sector=sector,
        language=language,
    )
    return CompaniesPublic(data=[company_public(c) for c in rows], count=count)


@router.post("", status_code=status.HTTP_201_CREATED, responses=responses(409))
def create_company(
    data: CompanyCreate,
    session: SessionDep,
    engine: EngineDep,
    user: CurrentUser,
    response: Response,
) -> CompanyPublic:
    """Register a profile for the caller's company; it is matchable at once if the company is
    approved (one that registered by itself waits for a coordinator)."""
    company = catalogue.create_company(session=session, engine=engine, user=user, data=data)
    return with_etag(response, company.version, company_public(company))


@router.get("/{company_id}")
def get_company(
    company_id: CompanyId, session: SessionDep, user: CurrentUser, response: Response
) -> CompanyPublic:
    company = catalogue.read_company(session=session, user=user, company_id=company_id)
    return with_etag(response, company.version, company_public(company))


@router.patch("/{company_id}", responses=responses(409, 412))
def update_company(
    company_id: CompanyId, data: CompanyUpdate, write: VersionedWrite
) -> CompanyPublic:
    company = write.apply(catalogue.update_company, company_id=company_id, data=data)
    return write.tagged(company.version, company_public(company))


@router.delete(
    "/{company_id}", status_code=status.HTTP_204_NO_CONTENT, responses=responses(409, 412)
)
def delete_company(company_id: CompanyId, write: VersionedWrite) -> Response:
    write.apply(catalogue.delete_company, company_id=company_id)
    return Response(status_code=status.HTTP_204_NO_CONTENT)
