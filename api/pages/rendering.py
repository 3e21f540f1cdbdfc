"""What every page shares: the templates, a page rendered in the visitor's language with its
frame, and the small parsers of form fields."""

from __future__ import annotations

import re
from dataclasses import fields
from pathlib import Path
from typing import Annotated, Any

from fastapi import Query, Request
from fastapi.responses import HTMLResponse, RedirectResponse
from fastapi.templating import Jinja2Templates
from sqlalchemy.orm import Session

from api.pages import auth, i18n
from api.pages.highlight import highlight
from api.pages.i18n import LANGUAGE_NAMES, format_number, negotiate
from api.pages.labels import label
from klimatmatch.catalogue.schemas import MAX_ID
from klimatmatch.core.errors import InvalidInput
from klimatmatch.core.safe_text import safe_url
from models import ChallengeStatus, User

HERE = Path(__file__).parent
templates = Jinja2Templates(directory=HERE / "templates")
templates.env.globals["highlight"] = highlight
templates.env.filters["number"] = format_number
templates.env.filters["safe_url"] = safe_url  # stored links: http(s) only, else drawn as text
templates.env.globals["password_rules"] = auth.PASSWORD_RULES  # a msgid, for `_()`
templates.env.globals["label"] = lambda kind, value: label(i18n.current(), kind, value)
i18n.install(templates.env)
IdList = Annotated[str, Query(max_length=2_000)]


def render(
    request: Request, name: str, user: User | None = None, status_code: int = 200, **context: Any
) -> HTMLResponse:
    """A page in the visitor's language with what every page's frame needs."""
    language = negotiate(
        request.cookies.get(auth.LANGUAGE_COOKIE), request.headers.get("accept-language")
    )
    with i18n.speaking(language):  # the template is drawn here, in `language`
        return templates.TemplateResponse(
            request,
            name,
            {
                "lang": language,
                "languages": LANGUAGE_NAMES,
                "user": user,
                "csrf": getattr(request.state, "csrf", ""),
                "here": request.url.path + (f"?{request.url.query}" if request.url.query else ""),
                **context,
            },
            status_code=status_code,
        )


def committed(session: Session, target: str) -> RedirectResponse:
    """A form's write saved, and the browser sent on to `target` (303: reloading the page it
    lands on does not post the form again)."""
    session.commit()
    return RedirectResponse(target, status_code=303)


def fields_of(view: Any) -> dict[str, Any]:
    """A view model's fields as template variables (shallow: ORM rows stay rows)."""
    return {field.name: getattr(view, field.name) for field in fields(view)}


def wants_json(request: Request) -> bool:
    return "application/json" in request.headers.get("accept", "")


def parse_ids(value: str, field: str) -> list[int]:
    """ "12, 14 15" -> [12, 14, 15]; a clear error naming the field and the bad item."""
    ids = []
    for item in filter(None, re.split(r"[\s,;]+", value)):
        if not item.isdigit() or not 1 <= int(item) <= MAX_ID:
            raise InvalidInput(f"{field}: {item!r} is not a company id")
        ids.append(int(item))
    return ids


def parse_countries(value: str) -> list[str]:
    codes = [item.upper() for item in filter(None, re.split(r"[\s,;]+", value))]
    bad = [code for code in codes if not re.fullmatch(r"[A-Z]{2}", code)]
    if bad:
        raise InvalidInput(f"country: {bad[0]!r} is not a two-letter country code such as SE")
    return codes


def parse_status(value: str) -> ChallengeStatus | None:
    """A select's empty option means "the default"; anything else must be a status."""
    if not value:
        return None
    try:
        return ChallengeStatus(value)
    except ValueError:
        names = ", ".join(s.value for s in ChallengeStatus)
        raise InvalidInput(f"status: {value!r} is not one of {names}") from None
