"""The inbox every signed-in person has (their alerts, unread first in count, mark read) with
the choice of how often alerts come by e-mail, and the unsubscribe page e-mails link to.

Unsubscribing takes a POST from the page's button: mail scanners fetch every link in an
e-mail, and a GET that unsubscribed would stop alerts nobody asked to stop."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Form, Path, Request
from fastapi.responses import HTMLResponse, RedirectResponse

from api.deps import SessionDep
from api.pages import auth
from api.pages.auth import PageUser
from api.pages.rendering import committed, fields_of, render
from klimatmatch.alerts import service as alerts
from klimatmatch.alerts import views as alerts_views
from klimatmatch.catalogue.schemas import MAX_ID
from models.alerts import Frequency

router = APIRouter(prefix=auth.PAGES, include_in_schema=False)
RowId = Annotated[int, Path(ge=1, le=MAX_ID)]
Token = Annotated[str, Path(min_length=20, max_length=64, pattern=r"^[A-Za-z0-9_-]+$")]
INBOX = auth.PAGES + "/inbox"


@router.get("/inbox")
def inbox(
    request: Request, session: SessionDep, user: PageUser, saved: bool = False
) -> HTMLResponse:
    view = alerts_views.inbox_view(session=session, user=user, limit=200)
    page = render(
        request,
        "inbox.html",
        user,
        **fields_of(view),
        frequencies=list(Frequency),
        saved=saved,
    )
    session.commit()
    return page


@router.post("/inbox/{row_id}/read", dependencies=[auth.CsrfChecked])
def read(session: SessionDep, user: PageUser, row_id: RowId) -> RedirectResponse:
    alerts.mark_read(session=session, user=user, notification_id=row_id)
    return committed(session, INBOX)


@router.post("/inbox/read-all", dependencies=[auth.CsrfChecked])
def read_all(session: SessionDep, user: PageUser) -> RedirectResponse:
    alerts.mark_all_read(session=session, user=user)
    return committed(session, INBOX)


@router.post("/inbox/alerts", dependencies=[auth.CsrfChecked])
def choose_frequency(
    session: SessionDep, user: PageUser, frequency: Annotated[Frequency, Form()]
) -> RedirectResponse:
    alerts.set_frequency(session=session, user=user, value=frequency)
    return committed(session, INBOX + "?saved=true")


@router.get("/unsubscribe/{token}")
def unsubscribe_page(request: Request, session: SessionDep, token: Token) -> HTMLResponse:
    known = alerts.by_token(session=session, token=token) is not None
    session.commit()
    return render(
        request, "unsubscribe.html", token=token, known=known, status_code=200 if known else 404
    )


@router.post("/unsubscribe/{token}")
def unsubscribe(request: Request, session: SessionDep, token: Token) -> HTMLResponse:
    """The page's button, and mail programs' one-click unsubscribe (RFC 8058) alike."""
    if alerts.by_token(session=session, token=token) is None:
        return render(request, "unsubscribe.html", token=token, known=False, status_code=404)
    alerts.unsubscribe(session=session, token=token)
    session.commit()
    return render(request, "unsubscribe.html", token=token, known=True, done=True)
