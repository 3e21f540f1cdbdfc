"""A person's data rights over HTTP: their export (by API key, or from the account page by its
session), and erasure on request by staff: of a person, or by an administrator of an
organisation. The person's own erasure is on the account page, behind their password."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Path, Query, Request, Response, status
from fastapi.responses import JSONResponse, RedirectResponse

from api.deps import CurrentUser, EngineDep, Person, SessionDep, SettingsDep, StateDep
from api.errors import ERROR_RESPONSES, responses
from api.routes.jobs import job_queue
from klimatmatch.catalogue.schemas import MAX_ID
from klimatmatch.jobs import JobPublic
from klimatmatch.jobs import service as jobs
from klimatmatch.privacy import erasure, service

router = APIRouter(tags=["privacy"], responses=ERROR_RESPONSES)
Format = Annotated[str, Query(max_length=8, description="json, or zip (JSON and a CSV per kind)")]
JobId = Annotated[str, Path(max_length=36, description="The export's job id")]
UserId = Annotated[int, Path(ge=1, le=MAX_ID, description="A person's id")]
OrganisationId = Annotated[int, Path(ge=1, le=MAX_ID, description="An organisation's id")]
ACCOUNT_PAGE = "/ui/account"


def _download(download: service.Download) -> Response:
    return Response(
        download.content,
        media_type=download.media_type,
        headers={
            "Content-Disposition": f'attachment; filename="{download.filename}"',
            "Cache-Control": "no-store",
        },
    )


@router.get(
    "/me/export",
    responses={
        200: {"description": "Everything about you, as a file", "content": {"application/zip": {}}},
        202: {"model": JobPublic, "description": "Large: a job produces it (see Location)"},
    }
    | responses(503),
)
def export_mine(
    request: Request,
    state: StateDep,
    session: SessionDep,
    settings: SettingsDep,
    person: Person,
    format: Format = "json",  # noqa: A002
) -> Response:
    """Everything Klimatmatch keeps about you, as JSON (or a zip with JSON and CSV). A large
    export is produced by a job: 202, and its file at the Location once it is done."""
    download = service.inline_export(session=session, user=person, settings=settings, fmt=format)
    if download is not None:
        return _download(download)
    job = service.queue_export(
        queue=job_queue(request, state), session=session, user=person, fmt=format
    )
    location = f"/me/exports/{job.id}"
    if request.headers.get("authorization") is None:  # the account page: back to it
        return RedirectResponse(f"{ACCOUNT_PAGE}?export={job.id}", status_code=303)
    body = jobs.public(job).model_dump(mode="json")
    return JSONResponse(body, status_code=status.HTTP_202_ACCEPTED, headers={"Location": location})


@router.get(
    "/me/exports/{job_id}",
    responses={200: {"description": "The export's file once done, else its job (JobPublic)"}},
)
def export_file(
    job_id: JobId, session: SessionDep, settings: SettingsDep, person: Person
) -> Response:
    """Your export produced by a job: its progress while it runs, the file when done."""
    job = service.own_export_job(session=session, user=person, job_id=job_id)
    download = service.finished_export(job=job, settings=settings)
    if download is None:
        return JSONResponse(jobs.public(job).model_dump(mode="json"))
    return _download(download)


@router.post("/users/{user_id}/erasure", status_code=status.HTTP_204_NO_CONTENT)
def erase_person(
    user_id: UserId, session: SessionDep, settings: SettingsDep, user: CurrentUser
) -> Response:
    """Erase a person who asked for it (coordinators and administrators): their account goes;
    decisions and answers others rely on stay, by "a former user", without their own words."""
    erasure.erase_on_request(session=session, actor=user, user_id=user_id, settings=settings)
    session.commit()
    return Response(status_code=status.HTTP_204_NO_CONTENT)


@router.post("/organisations/{organisation_id}/erasure", status_code=status.HTTP_204_NO_CONTENT)
def erase_organisation(
    organisation_id: OrganisationId,
    session: SessionDep,
    engine: EngineDep,
    settings: SettingsDep,
    user: CurrentUser,
) -> Response:
    """Erase an organisation (administrators): its people, its name and its profiles' texts;
    its profiles leave matching at once."""
    erasure.erase_organisation(
        session=session,
        engine=engine,
        actor=user,
        organisation_id=organisation_id,
        settings=settings,
    )
    return Response(status_code=status.HTTP_204_NO_CONTENT)
