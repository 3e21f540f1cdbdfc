"""Reading challenges and company profiles."""

from __future__ import annotations

from fastapi import APIRouter
from klimatmatch.errors import NotFound
from klimatmatch.schemas import ChallengePublic, CompanyPublic
from models import crud

from api.deps import SessionDep
from api.errors import ERROR_RESPONSES
from api.presenters import challenge_public, company_public

router = APIRouter(responses=ERROR_RESPONSES)


@router.get("/challenges", tags=["challenges"])
def list_challenges(session: SessionDep) -> list[ChallengePublic]:
    return [challenge_public(c) for c in crud.list_challenges(session=session)]


@router.get("/challenges/{challenge_id}", tags=["challenges"])
def get_challenge(challenge_id: int, session: SessionDep) -> ChallengePublic:
    challenge = crud.get_challenge(session=session, challenge_id=challenge_id)
    if challenge is None:
        raise NotFound(f"challenge {challenge_id} does not exist")
    return challenge_public(challenge)


@router.get("/companies", tags=["companies"])
def list_companies(session: SessionDep) -> list[CompanyPublic]:
    return [company_public(c) for c in crud.list_companies(session=session)]


@router.get("/companies/{company_id}", tags=["companies"])
def get_company(company_id: int, session: SessionDep) -> CompanyPublic:
    company = crud.get_company(session=session, company_id=company_id)
    if company is None:
        raise NotFound(f"company {company_id} does not exist")
    return company_public(company)
