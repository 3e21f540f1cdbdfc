"""What every page shares: the templates, a page rendered in the visitor's language with its
frame, and the small parsers of form fields."""

from __future__ import annotations

import re
from dataclasses import fields
from gettext import NullTranslations
from pathlib import Path
from typing import Annotated, Any

from fastapi import Query, Request
from fastapi.responses import HTMLResponse, RedirectResponse
from fastapi.templating import Jinja2Templates
from sqlalchemy.orm import Session, object_session

from api.pages import auth, i18n
from api.pages.highlight import highlight
from api.pages.i18n import LANGUAGE_NAMES, format_number, negotiate
from api.pages.labels import label
from klimatmatch.alerts import service as alerts
from klimatmatch.alerts.mail import item_path, news, own_rank
from klimatmatch.catalogue.schemas import MAX_ID
from klimatmatch.core import strength
from klimatmatch.core.errors import InvalidInput
from klimatmatch.core.safe_text import safe_url
from klimatmatch.core.translations import LANGUAGES
from klimatmatch.privacy.erasure import FORMER_USER
from models import ChallengeStatus, User

HERE = Path(__file__).parent
templates = Jinja2Templates(directory=HERE / "templates")
templates.env.globals["highlight"] = highlight
templates.env.filters["number"] = format_number
templates.env.filters["safe_url"] = safe_url  # stored links: http(s) only, else drawn as text
templates.env.globals["password_rules"] = auth.PASSWORD_RULES  # a msgid, for `_()`
templates.env.globals["strength_level"] = strength.level_of
templates.env.globals["best_strength"] = strength.best_level
templates.env.globals["strength_phrase"] = lambda value: strength.phrase(i18n.current(), value)
templates.env.globals["own_rank"] = lambda rank: own_rank(i18n.current(), rank)
templates.env.globals["news_line"] = lambda row: news(i18n.current(), row)
templates.env.globals["item_path"] = item_path
templates.env.globals["label"] = lambda kind, value: label(i18n.current(), kind, value)
templates.env.globals["author"] = lambda name: author(i18n.current(), name)
i18n.install(templates.env)
IdList = Annotated[str, Query(max_length=2_000)]


def render(
    request: Request, name: str, user: User | None = None, status_code: int = 200, **context: Any
) -> HTMLResponse:
    """A page in the person's language (their account's setting once signed in, else the one
    they chose, else their browser's) with what every page's frame needs: the unread count."""
    language = language_of(request, user)
    session = object_session(user) if user is not None else None
    unread = alerts.unread(session=session, user=user) if session is not None else 0
    with i18n.speaking(language):  # the template is drawn here, in `language`
        return templates.TemplateResponse(
            request,
            name,
            {
                "lang": language,
                "languages": LANGUAGE_NAMES,
                "user": user,
                "unread_count": unread,
                "csrf": getattr(request.state, "csrf", ""),
                "terms_version": request.app.state.klimatmatch.settings.terms_version,
                "here": request.url.path + (f"?{request.url.query}" if request.url.query else ""),
                **context,
            },
            status_code=status_code,
        )


def author(tr: NullTranslations, name: str) -> str:
    """Who wrote a record: an erased person's is "a former user" in the reader's language."""
    return tr.gettext(FORMER_USER) if name == FORMER_USER else name


def language_of(request: Request, user: User | None) -> str:
    if user is not None and user.language in LANGUAGES:
        return user.language
    return negotiate(
        request.cookies.get(auth.LANGUAGE_COOKIE), request.headers.get("accept-language")
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
