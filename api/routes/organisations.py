"""Registrations waiting for approval: coordinators and administrators list them, approve them
(their profiles are matched from then on) or decline them with a reason. Companies register on
the pages (`/ui/register`); these routes are the staff's side, for programs and the pages alike."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

from fastapi import APIRouter, Path
from pydantic import BaseModel, Field

from api.deps import CurrentUser, EngineDep, SessionDep, SettingsDep
from api.errors import ERROR_RESPONSES, responses
from api.presenters import company_public
from klimatmatch.accounts import registration
from klimatmatch.catalogue.schemas import MAX_ID, CompanyPublic
from klimatmatch.core import access
from klimatmatch.core.errors import Forbidden
from klimatmatch.core.safe_text import Prose
from models import Organisation, User

router = APIRouter(prefix="/organisations", tags=["organisations"], responses=ERROR_RESPONSES)
OrganisationId = Annotated[int, Path(ge=1, le=MAX_ID, description="An organisation's id")]


class PendingOrganisation(BaseModel):
    id: int
    name: str
    country: str
    created_at: datetime
    contacts: list[str] = Field(description="The e-mail addresses of its active accounts")
    profiles: list[CompanyPublic]


class OrganisationStatus(BaseModel):
    id: int
    name: str
    approved: bool
    approved_at: datetime | None


class Decline(BaseModel):
    reason: Prose = Field(min_length=1, max_length=1_000, description="Told to the company")


def _staff_only(user: User) -> None:
    if not access.is_staff(user):
        raise Forbidden("registrations are approved by coordinators and administrators")


def _status(organisation: Organisation) -> OrganisationStatus:
    return OrganisationStatus(
        id=organisation.id,
        name=organisation.name,
        approved=organisation.approved,
        approved_at=organisation.approved_at,
    )


@router.get("/pending")
def list_pending(session: SessionDep, user: CurrentUser) -> list[PendingOrganisation]:
    """Companies that registered by themselves and wait, oldest first."""
    _staff_only(user)
    return [
        PendingOrganisation(
            id=org.id,
            name=org.name,
            country=org.country,
            created_at=org.created_at,
            contacts=registration.contacts(session=session, organisation_id=org.id),
            profiles=[
                company_public(p)
                for p in registration.profiles_of(session=session, organisation_id=org.id)
            ],
        )
        for org in registration.pending(session=session)
    ]


@router.post("/{organisation_id}/approval", responses=responses(409))
def approve(
    organisation_id: OrganisationId,
    session: SessionDep,
    engine: EngineDep,
    settings: SettingsDep,
    user: CurrentUser,
) -> OrganisationStatus:
    """Its profiles are in the next shortlist (in every process: the change log carries them)."""
    _staff_only(user)
    organisation = registration.approve(
        session=session,
        engine=engine,
        actor=user,
        organisation_id=organisation_id,
        settings=settings,
    )
    return _status(organisation)


@router.post("/{organisation_id}/decline", responses=responses(409))
def decline(
    organisation_id: OrganisationId,
    data: Decline,
    session: SessionDep,
    settings: SettingsDep,
    user: CurrentUser,
) -> OrganisationStatus:
    """Its people are told the reason and their accounts stop at once."""
    _staff_only(user)
    organisation = registration.decline(
        session=session,
        actor=user,
        organisation_id=organisation_id,
        reason=data.reason,
        settings=settings,
    )
    return _status(organisation)
