"""What the axe test (test_browser_axe) needs in the live server's world beyond the sample data:
live e-mailed links, a challenge with engagement, and a stored shortlist to compare on."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

import httpx
from playwright.sync_api import Browser
from sqlalchemy import func, select

from klimatmatch.accounts.service import hash_token, user_by_email
from klimatmatch.alerts import service as alerts
from models import (
    Invitation,
    MatchResult,
    MatchRun,
    PasswordReset,
    Role,
    create_db_engine,
    session_factory,
)
from models.tables import utcnow
from tests.api.conftest import credentials
from tests.api.pages.conftest import LAPTOP, Live, sign_in

VISITOR, CITY, COMPANY, COORDINATOR = "visitor", "stockholm", "voltgrav", "coordinator"


def link_tokens(live: Live) -> dict[str, str]:
    """A live invitation, password reset and unsubscribe link, written into the server's
    database as the mail job would mint them (their e-mails are not this test's subject)."""
    engine = create_db_engine(live.database_url)
    now = utcnow()
    with session_factory(engine)() as session:
        coordinator = user_by_email(session=session, email=credentials(COORDINATOR)["email"])
        company = user_by_email(session=session, email=credentials(COMPANY)["email"])
        assert coordinator is not None and company is not None
        later = now + timedelta(days=1)
        session.add(
            Invitation(
                token_hash=hash_token("a11y-invitation"),
                email="new.person@example.org",
                name="New Person",
                role=Role.CITY,
                organisation_id=None,
                invited_by_id=coordinator.id,
                created_at=now,
                expires_at=later,
            )
        )
        session.add(
            PasswordReset(
                token_hash=hash_token("a11y-reset"),
                user_id=company.id,
                created_at=now,
                expires_at=later,
            )
        )
        unsubscribe = alerts.preference(session=session, user_id=company.id).unsubscribe_token
        session.commit()
    engine.dispose()
    return {
        "/ui/invitations/{token}": "a11y-invitation",
        "/ui/reset/{token}": "a11y-reset",
        "/ui/unsubscribe/{token}": unsubscribe,
        "/ui/register/{token}": "a11y-registration",  # the form is drawn for any token
    }


@dataclass(frozen=True)
class Stored:
    run_id: int
    pair: str
    """The query that picks the run's two best companies to compare."""


def engage(live: Live) -> None:
    """Stockholm's first challenge from interest to a proposed team, so its pages (the city's,
    the coordinator's, the company's and the inbox) draw their tables and answer forms."""
    challenge, volt, site = live.ids["sth_published"], live.ids[COMPANY], live.ids["sitecharge"]
    steps = [
        (
            COMPANY,
            "PUT",
            f"/challenges/{challenge}/interest/{volt}",
            {"pitch": "Eldrivna maskiner."},
        ),
        (CITY, "POST", f"/challenges/{challenge}/stage", {"stage": "shortlisting"}),
        (
            COORDINATOR,
            "POST",
            f"/challenges/{challenge}/invitations",
            {"company_ids": [volt, site]},
        ),
        (COORDINATOR, "POST", f"/challenges/{challenge}/teams", {"company_ids": [volt, site]}),
    ]
    with httpx.Client(base_url=live.url, timeout=60) as api:
        for who, method, path, body in steps:
            headers = {"Authorization": f"Bearer {live.tokens[who]}"}
            api.request(method, path, json=body, headers=headers).raise_for_status()


def stored_run(live: Live, browser: Browser) -> Stored:
    """Engagement on a challenge, and a stored shortlist of it: the coordinator's export stores
    the run it was made from."""
    engage(live)
    context = browser.new_context(viewport=LAPTOP, base_url=live.url, locale="en-GB")
    page = context.new_page()
    sign_in(page, COORDINATOR)
    response = page.request.get(f"/ui/challenges/{live.ids['sth_published']}/export")
    assert response.ok, response.status
    context.close()
    engine = create_db_engine(live.database_url)
    with session_factory(engine)() as session:
        run_id = session.scalar(select(func.max(MatchRun.id)))
        best = session.scalars(
            select(MatchResult.company_id)
            .where(MatchResult.run_id == run_id)
            .order_by(MatchResult.rank)
            .limit(2)
        ).all()
    engine.dispose()
    assert run_id is not None and len(best) == 2
    return Stored(run_id, "&".join(f"company={company}" for company in best))
