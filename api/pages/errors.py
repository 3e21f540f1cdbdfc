"""Errors on the pages: the API's problem details, rendered as a page in the visitor's language.

The API's handlers decide the status and the message (one place for both); this module only
changes the form for a browser, so a page never shows a raw JSON error or a bare 500."""

from __future__ import annotations

import json
from collections.abc import Awaitable, Callable

from fastapi import FastAPI, Request
from fastapi.responses import RedirectResponse, Response

from api.pages import auth
from api.pages.rendering import render

Handler = Callable[[Request, Exception], Awaitable[Response]]


def is_page_request(request: Request) -> bool:
    return request.url.path.startswith(auth.PAGES + "/") and "application/json" not in (
        request.headers.get("accept", "")
    )


async def _sign_in(request: Request, error: Exception) -> Response:
    assert isinstance(error, auth.SignInRequired)
    if not is_page_request(request):
        return Response(
            json.dumps({"title": "Unauthorized", "status": 401, "detail": "sign in again"}),
            status_code=401,
            media_type="application/problem+json",
        )
    return RedirectResponse(auth.sign_in_url(error.next_path), status_code=303)


def _as_page(api_handler: Handler) -> Handler:
    async def handle(request: Request, error: Exception) -> Response:
        response = await api_handler(request, error)
        if not is_page_request(request):
            return response
        problem = json.loads(bytes(response.body))
        return render(
            request,
            "error.html",
            getattr(request.state, "page_user", None),
            status_code=response.status_code,
            problem=problem,
        )

    return handle


def install_page_errors(app: FastAPI) -> None:
    """Wrap every installed API error handler; call after `install_error_handlers`."""
    for exception, handler in list(app.exception_handlers.items()):
        app.add_exception_handler(exception, _as_page(handler))  # type: ignore[arg-type]
    app.add_exception_handler(auth.SignInRequired, _sign_in)
