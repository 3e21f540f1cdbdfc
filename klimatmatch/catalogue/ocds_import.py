"""An OCDS planning or tender release from elsewhere becomes a draft challenge of a city.

A city imports for itself; a coordinator (or an admin) names the city. The release is read by
`klimatmatch.ocds.reading`, then checked by the same schema as every challenge, each problem
named by the JSON path it came from. The ocid becomes the challenge's external id, so the same
process imported twice is refused rather than doubled. The draft is the city's to finish and
publish; nothing is public until then."""

from __future__ import annotations

from typing import Any

from pydantic import ValidationError
from sqlalchemy.orm import Session

from klimatmatch.catalogue.schemas import ChallengeCreate
from klimatmatch.core import access
from klimatmatch.core.errors import Conflict, Forbidden, InvalidInput, NotFound
from klimatmatch.index import indexing
from klimatmatch.ocds.reading import Read, read_release
from matcher import MatchEngine
from matcher.text import guess_language
from models import Challenge, ChallengeStatus, Organisation, OrganisationKind, Role, User, crud


def import_release(
    *,
    session: Session,
    engine: MatchEngine,
    user: User,
    document: Any,
    city_id: int | None = None,
) -> Challenge:
    """The draft challenge made of `document` (a release, release package or record package)."""
    city = importing_city(session=session, user=user, city_id=city_id)
    read = read_release(document)
    data = _validated(read)
    earlier = crud.challenge_by_external_id(session=session, external_id=read.ocid)
    if earlier is not None:
        raise Conflict(f"ocid: {read.ocid} was imported before, as challenge {earlier.id}")
    challenge = Challenge(organisation_id=city.id, **data.model_dump())
    challenge.language = data.language or guess_language(data.description) or ""
    session.add(challenge)
    session.commit()
    indexing.upsert_challenge(session=session, engine=engine, challenge=challenge)
    session.commit()
    return challenge


def importing_city(*, session: Session, user: User, city_id: int | None) -> Organisation:
    """A city account imports for its own city only; staff name the city."""
    if user.role is Role.CITY and user.organisation_id is not None:
        if city_id not in (None, user.organisation_id):
            raise Forbidden("a city imports challenges for itself only")
        city_id = user.organisation_id
    elif not access.is_staff(user):
        raise Forbidden("only cities and coordinators import OCDS releases")
    if city_id is None:
        raise InvalidInput("city_id: name the city the challenge is for")
    city = session.get(Organisation, city_id)
    if city is None or city.kind != OrganisationKind.CITY:
        raise NotFound(f"city {city_id} does not exist")
    return city


def _validated(read: Read) -> ChallengeCreate:
    fields = {**read.fields, "external_id": read.ocid, "status": ChallengeStatus.DRAFT}
    try:
        return ChallengeCreate(**fields)
    except ValidationError as error:
        problems = [
            f"{read.paths.get(str(item['loc'][0]), 'ocid') if item['loc'] else '$'}: "
            + str(item["msg"]).removeprefix("Value error, ")
            for item in error.errors()
        ]
        raise InvalidInput("; ".join(problems)) from None
