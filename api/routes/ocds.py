"""Open Contracting data (docs/ocds.md): the published challenges as OCDS 1.1 planning
releases and records, readable by anyone (open data, no token: drafts are never in it), and
an OCDS release from elsewhere imported as a draft challenge (cities and coordinators)."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Body, Query, Response, status

from api.deps import ChallengeId, CurrentUser, EngineDep, SessionDep, SettingsDep, with_etag
from api.errors import ERROR_RESPONSES, responses
from api.presenters import challenge_public
from klimatmatch.catalogue import ocds_import
from klimatmatch.catalogue.schemas import MAX_ID, ChallengePublic
from klimatmatch.ocds import packages
from klimatmatch.ocds.packages import Publisher

router = APIRouter(prefix="/ocds", tags=["ocds"])
PUBLIC = responses(404)


@router.get("/challenges/{challenge_id}/releases", responses=PUBLIC)
def challenge_releases(
    challenge_id: ChallengeId, session: SessionDep, settings: SettingsDep
) -> dict[str, Any]:
    """A release package of every release of a published challenge, oldest first."""
    return packages.release_package(
        session=session, publisher=Publisher.of(settings), challenge_id=challenge_id
    )


@router.get("/challenges/{challenge_id}/record", responses=PUBLIC)
def challenge_record(
    challenge_id: ChallengeId, session: SessionDep, settings: SettingsDep
) -> dict[str, Any]:
    """A record package: the releases and the compiled release merged from them."""
    return packages.record_package(
        session=session, publisher=Publisher.of(settings), challenge_id=challenge_id
    )


@router.get("/releases", responses=PUBLIC)
def releases_feed(
    session: SessionDep,
    settings: SettingsDep,
    page: Annotated[int, Query(ge=1, le=MAX_ID)] = 1,
) -> dict[str, Any]:
    """The latest release of every published challenge, a page at a time (`links.next`)."""
    return packages.feed(
        session=session,
        publisher=Publisher.of(settings),
        page=page,
        size=settings.ocds_page_size,
    )


@router.get("/policy")
def publication_policy(settings: SettingsDep) -> dict[str, Any]:
    """What is published, when, and under which licence (the packages' publicationPolicy)."""
    publisher = Publisher.of(settings)
    return {
        "publisher": publisher.name,
        "license": publisher.license,
        "ocidPrefix": publisher.prefix,
        "what": "Every published challenge as an OCDS 1.1 planning process; drafts never.",
        "when": "A release at publication, and one at each later edit or stage move.",
        "where": f"{publisher.base_url}/ocds/releases",
    }


@router.post(
    "/import",
    status_code=status.HTTP_201_CREATED,
    responses={**ERROR_RESPONSES, **responses(409)},
)
def import_release(
    document: Annotated[dict[str, Any], Body(description="An OCDS release or package")],
    session: SessionDep,
    engine: EngineDep,
    user: CurrentUser,
    response: Response,
    city_id: Annotated[
        int | None, Query(ge=1, le=MAX_ID, description="The city (coordinators only)")
    ] = None,
) -> ChallengePublic:
    """An OCDS planning or tender release becomes a draft challenge of the city."""
    challenge = ocds_import.import_release(
        session=session, engine=engine, user=user, document=document, city_id=city_id
    )
    return with_etag(response, challenge.version, challenge_public(challenge))
