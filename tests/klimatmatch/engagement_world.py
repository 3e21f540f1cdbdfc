"""People and challenges for the engagement tests: the sample data, a user per role."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy.orm import Session

from klimatmatch.accounts.service import create_user
from models import Challenge, CompanyProfile, Role, User, crud
from tests.klimatmatch.index.test_indexing import load_sample


@dataclass
class People:
    stockholm: User
    malmo: User
    voltgrav: User
    sitecharge: User
    coordinator: User
    admin: User


def people(session: Session) -> People:
    load_sample(session)
    made = {
        who: create_user(session=session, name=who, role=role, organisation=org)[0]
        for who, role, org in [
            ("stockholm", Role.CITY, "Stockholm"),
            ("malmo", Role.CITY, "Malmö"),
            ("voltgrav", Role.COMPANY, "Voltgräv AB"),
            ("sitecharge", Role.COMPANY, "SiteCharge Nordic"),
            ("coordinator", Role.COORDINATOR, "Nordic Solutions for C40"),
            ("admin", Role.ADMIN, None),
        ]
    }
    session.flush()
    return People(**made)


def challenge(session: Session, external_id: str = "STH-01") -> Challenge:
    found = crud.challenge_by_external_id(session=session, external_id=external_id)
    assert found is not None
    return found


def company(session: Session, external_id: str) -> CompanyProfile:
    found = crud.company_by_external_id(session=session, external_id=external_id)
    assert found is not None
    return found
