"""Every error leaves as RFC 9457 problem details (application/problem+json), in one place."""

from __future__ import annotations

import logging
from http import HTTPStatus
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from pydantic import BaseModel, Field
from sqlalchemy.exc import InterfaceError, OperationalError
from starlette.exceptions import HTTPException

from api.observability import request_id
from klimatmatch.core.errors import KlimatmatchError

PROBLEM_JSON = "application/problem+json"
log = logging.getLogger("klimatmatch.api")


class FieldProblem(BaseModel):
    field: str
    message: str


class Problem(BaseModel):
    type: str = "about:blank"
    title: str
    status: int
    detail: str
    errors: list[FieldProblem] | None = None
    request_id: str = Field(description="Quote it to the operators: it is in their logs too")


def problem(
    status: int,
    detail: str,
    errors: list[dict[str, str]] | None = None,
    headers: dict[str, str] | None = None,
) -> JSONResponse:
    body: dict[str, Any] = {
        "type": "about:blank",
        "title": HTTPStatus(status).phrase,
        "status": status,
        "detail": detail,
        "request_id": request_id.get(),
    }
    if errors:
        body["errors"] = errors
    return JSONResponse(body, status_code=status, media_type=PROBLEM_JSON, headers=headers)


def _field_name(location: tuple[Any, ...]) -> str:
    parts = [str(part) for part in location if part not in ("body", "query", "path", "header")]
    return ".".join(parts) or str(location[0] if location else "request")


async def _domain(_: Request, error: KlimatmatchError) -> JSONResponse:
    headers = {"WWW-Authenticate": "Bearer"} if error.status_code == 401 else None
    return problem(error.status_code, error.message, headers=headers)


async def _database_down(_: Request, error: Exception) -> JSONResponse:
    log.error("database unavailable: %s", error)
    return problem(
        503,
        "the database is unavailable; nothing was changed, try again shortly",
        headers={"Retry-After": "5"},
    )


async def _unexpected(_: Request, error: Exception) -> JSONResponse:
    log.exception("unhandled error", exc_info=error)
    return unexpected_problem()


def unexpected_problem() -> JSONResponse:
    return problem(500, "an unexpected error occurred; it has been logged")


async def _validation(_: Request, error: RequestValidationError) -> JSONResponse:
    errors = [
        {
            "field": _field_name(tuple(item["loc"])),
            "message": str(item["msg"]).removeprefix("Value error, "),
        }
        for item in error.errors()
    ]
    names = ", ".join(sorted({item["field"] for item in errors}))
    return problem(422, f"invalid input in: {names}", errors)


async def _http(_: Request, error: HTTPException) -> JSONResponse:
    return problem(error.status_code, str(error.detail), headers=getattr(error, "headers", None))


def install_error_handlers(app: FastAPI) -> None:
    app.add_exception_handler(KlimatmatchError, _domain)  # type: ignore[arg-type]
    app.add_exception_handler(RequestValidationError, _validation)  # type: ignore[arg-type]
    app.add_exception_handler(HTTPException, _http)  # type: ignore[arg-type]
    app.add_exception_handler(OperationalError, _database_down)
    app.add_exception_handler(InterfaceError, _database_down)
    app.add_exception_handler(Exception, _unexpected)


ERROR_RESPONSES: dict[int | str, dict[str, Any]] = {
    code: {"model": Problem, "description": HTTPStatus(code).phrase}
    for code in (401, 403, 404, 422)
}


def responses(*codes: int) -> dict[int | str, dict[str, Any]]:
    """OpenAPI entries for the extra problem responses a route may give."""
    return {code: {"model": Problem, "description": HTTPStatus(code).phrase} for code in codes}
