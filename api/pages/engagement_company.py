"""A company's side of the match-to-meeting pages: state interest in a challenge it can read
(a pitch and partners) and withdraw it; answer workshop invitations and team proposals on
"Challenges for us". Each profile speaks only for itself: another company's is 404.

Thin routes over `services.interest`, `workshop` and `teams`, as `api.pages.engagement` is for the
city and the coordinators."""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Annotated

from fastapi import APIRouter, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from pydantic import BaseModel, ValidationError

from api.deps import ChallengeId, CompanyId, EngineDep, SessionDep, SettingsDep
from api.pages import auth
from api.pages import challenges as pages
from api.pages.auth import PageUser
from api.pages.company import own_company
from api.pages.company_challenge import company_challenge, company_page, interest_page
from api.pages.engagement import FormPage, FormPageDep, field_errors
from api.pages.engagement_view import CompanyEngagement, Redraw
from api.pages.rendering import templates
from api.routes.workshop import InvitationId, TeamId
from klimatmatch.core.errors import InvalidInput
from klimatmatch.engagement import interest, teams, workshop
from klimatmatch.engagement.schemas import AnswerCreate, InterestCreate, InterestPublic, Partner

router = APIRouter(prefix=auth.PAGES, include_in_schema=False)
Answer = Annotated[str, Form(max_length=20)]
Reason = Annotated[str, Form(max_length=300)]


class InterestForm(BaseModel):
    pitch: str = ""
    partners: str = ""

    def data(self) -> InterestCreate:
        """Partners one a line: "#12" (or "12 ...") is profile 12 on Klimatmatch, anything
        else a name."""
        partners = []
        for line in filter(None, (line.strip() for line in self.partners.splitlines())):
            profile = re.match(r"#?(\d+)(\s|$)", line)
            partners.append(
                Partner(company_id=int(profile.group(1))) if profile else Partner(name=line)
            )
        return InterestCreate(pitch=self.pitch, partners=partners)


def partner_lines(partners: list[Partner]) -> str:
    """Partners as the form takes them back: "#12 Name" for a profile, else the name."""
    return "\n".join(
        f"#{p.company_id} {p.name}" if p.company_id is not None else p.name for p in partners
    )


def mine_interest(
    engagement: dict[int, CompanyEngagement] | None, profile_id: int, challenge_id: int
) -> InterestPublic | None:
    own = (engagement or {}).get(profile_id)
    return own.interests.get(challenge_id) if own else None


templates.env.globals["partner_lines"] = partner_lines
templates.env.globals["mine_interest"] = mine_interest


@router.get("/challenges/{challenge_id}/interest")
def show_interest(
    request: Request,
    challenge_id: ChallengeId,
    session: SessionDep,
    engine: EngineDep,
    settings: SettingsDep,
    user: PageUser,
) -> HTMLResponse:
    """A challenge as a company reads it (also at /ui/challenges/{id} for a company)."""
    return company_page(request, session, engine, settings.default_k, user, challenge_id)


@router.post("/challenges/{challenge_id}/interest/{company_id}", dependencies=[auth.CsrfChecked])
def express_interest(
    request: Request,
    challenge_id: ChallengeId,
    company_id: CompanyId,
    session: SessionDep,
    user: PageUser,
    form: Annotated[InterestForm, Form()],
) -> Response:
    challenge = company_challenge(session, user, challenge_id)
    own_company(session, user, company_id)
    try:
        interest.express(
            session=session,
            user=user,
            challenge_id=challenge_id,
            company_id=company_id,
            data=form.data(),
        )
    except (ValidationError, InvalidInput) as error:
        session.rollback()
        redraw = Redraw(str(company_id), form.model_dump(), field_errors(error))
        return interest_page(request, session, user, challenge, None, 422, redraw)
    target = f"{auth.PAGES}/challenges/{challenge_id}/interest?stated={company_id}"
    return RedirectResponse(f"{target}#interest-{company_id}", status_code=303)


@router.post(
    "/challenges/{challenge_id}/interest/{company_id}/withdraw", dependencies=[auth.CsrfChecked]
)
def withdraw_interest(
    challenge_id: ChallengeId, company_id: CompanyId, session: SessionDep, user: PageUser
) -> Response:
    company_challenge(session, user, challenge_id)
    own_company(session, user, company_id)
    interest.withdraw(session=session, user=user, challenge_id=challenge_id, company_id=company_id)
    target = f"{auth.PAGES}/challenges/{challenge_id}/interest?withdrawn={company_id}"
    return RedirectResponse(f"{target}#interest-{company_id}", status_code=303)


def answer_form(key: str, answer: str, reason: str) -> AnswerCreate | Redraw:
    """The answer as typed, or the form to draw again under `key` with its errors named."""
    try:
        return AnswerCreate(answer=answer, reason=reason)
    except ValidationError as error:
        return Redraw(key, {"reason": reason}, field_errors(error))


def answer_or_redraw(
    page: FormPage, key: str, typed: tuple[str, str], save: Callable[[AnswerCreate], object]
) -> Response:
    """Save a valid answer (the answer and reason as typed) and go back to it on "Challenges
    for us"; a mistaken one draws that page again with the form under `key`."""
    data = answer_form(key, *typed)
    if isinstance(data, Redraw):
        return page.redrawn(data, pages.opportunities)
    save(data)
    target = f"{auth.PAGES}/opportunities?answered={key}"
    return RedirectResponse(f"{target}#{key}", status_code=303)


@router.post("/workshop-invitations/{invitation_id}/answer", dependencies=[auth.CsrfChecked])
def answer_invitation(
    invitation_id: InvitationId, page: FormPageDep, answer: Answer = "", reason: Reason = ""
) -> Response:
    """Accept, or decline with a reason: the invited company's own people."""
    return answer_or_redraw(
        page,
        f"invitation-{invitation_id}",
        (answer, reason),
        lambda data: workshop.answer(
            session=page.session, user=page.user, invitation_id=invitation_id, data=data
        ),
    )


@router.post("/teams/{team_id}/members/{company_id}/answer", dependencies=[auth.CsrfChecked])
def answer_team(
    team_id: TeamId,
    company_id: CompanyId,
    page: FormPageDep,
    answer: Answer = "",
    reason: Reason = "",
) -> Response:
    """A member confirms its place in a proposed team, or declines with a reason."""
    return answer_or_redraw(
        page,
        f"team-{team_id}-{company_id}",
        (answer, reason),
        lambda data: teams.answer(
            session=page.session, user=page.user, team_id=team_id, company_id=company_id, data=data
        ),
    )
