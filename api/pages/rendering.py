"""What every page shares: the templates, a page rendered in the visitor's language with its
frame, and the small parsers and scales of form fields and scores."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Annotated, Any

from fastapi import Query, Request
from fastapi.responses import HTMLResponse
from fastapi.templating import Jinja2Templates
from sqlalchemy import select
from sqlalchemy.orm import Session

from api.pages import auth, i18n
from api.pages.highlight import highlight
from api.pages.i18n import LANGUAGE_NAMES, format_number, negotiate
from api.pages.labels import label
from klimatmatch.catalogue.schemas import MAX_ID
from klimatmatch.core.errors import InvalidInput
from klimatmatch.core.safe_text import safe_url
from models import ChallengeStatus, CompanyProfile, User

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


def company_names(session: Session, ids: list[int]) -> dict[int, str]:
    if not ids:
        return {}
    rows = session.execute(
        select(CompanyProfile.id, CompanyProfile.name).where(CompanyProfile.id.in_(set(ids)))
    )
    return dict(rows.all())


def bar_scale(scores: list[float]) -> dict[str, float]:
    """Bars run from 10% (the lowest possible on the page) to 100% (the best match)."""
    if not scores:
        return {"low": 0.0, "span": 1.0}
    low, high = min(scores), max(scores)
    return {"low": low - 0.1 * (high - low or 1.0), "span": (high - low or 1.0) * 1.1}


def component_max(results: list[Any]) -> dict[str, float]:
    top: dict[str, float] = {}
    for result in results:
        for name, value in result.components.items():
            top[name] = max(top.get(name, 0.0), abs(value))
    return {name: value or 1.0 for name, value in top.items()}
