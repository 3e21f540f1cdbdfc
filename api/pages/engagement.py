"""The pages from match to meeting, on a challenge's page: the city and coordinators move the
challenge through its stages; coordinators invite companies to the workshop and propose teams
(also from the teams page). The companies' side is `api.pages.engagement_company`.

Thin routes over `services.stages`, `workshop` and `teams` (the API's own writes). A form with
a mistake is drawn again on the challenge's page with the field named; who may not see the
challenge's engagement (another city, a company) gets 404 as if it did not exist."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime, time
from functools import partial
from gettext import NullTranslations
from typing import Annotated

from fastapi import APIRouter, Depends, Form, Request
from fastapi.responses import RedirectResponse, Response
from pydantic import BaseModel, ValidationError
from sqlalchemy.orm import Session

from api.deps import ChallengeId, EngineDep, SessionDep, SettingsDep
from api.pages import auth
from api.pages import challenges as pages
from api.pages.auth import PageUser
from api.pages.engagement_view import WORKSHOP_ZONE, Redraw, local_time, redraw_of
from api.pages.form_errors import field_errors
from api.pages.rendering import language_of, templates
from klimatmatch.core import access
from klimatmatch.core.errors import InvalidInput
from klimatmatch.core.settings import Settings
from klimatmatch.core.translations import translations
from klimatmatch.engagement import stages, teams, workshop
from klimatmatch.engagement.schemas import InvitationCreate, StageMove, TeamCreate
from matcher import MatchEngine
from models import Challenge, User
from models.tables import ChallengeStage

__all__ = ["FormPage", "FormPageDep", "field_errors", "router"]

router = APIRouter(prefix=auth.PAGES, include_in_schema=False)
templates.env.globals["challenge_stage"] = stages.current_stage
templates.env.globals["can_organise_workshop"] = access.can_organise_workshop
templates.env.globals["workshop_time"] = local_time
templates.env.globals["engagement_redraw"] = redraw_of
Ids = Annotated[list[int], Form()]


class StageForm(BaseModel):
    """The stage form as typed: the workshop's date and time arrive as two fields."""

    stage: ChallengeStage
    version: int | None = None
    workshop_date: str = ""
    workshop_time: str = ""
    workshop_place: str = ""
    outcome: str = ""
    summary: str = ""

    def move(self) -> StageMove:
        fields: dict[str, object] = {"stage": self.stage}
        if self.stage is ChallengeStage.WORKSHOP:
            fields |= {"workshop_at": self.when(), "workshop_place": self.workshop_place}
        if self.stage is ChallengeStage.CLOSED:
            fields |= {"outcome": self.outcome or None, "summary": self.summary}
        return StageMove(**fields)

    def when(self) -> datetime:
        try:
            day = date.fromisoformat(self.workshop_date)
        except ValueError:
            raise InvalidInput("workshop_date: a date such as 2027-03-01") from None
        try:
            hour = time.fromisoformat(self.workshop_time)
        except ValueError:
            raise InvalidInput("workshop_time: a time such as 09:00") from None
        return datetime.combine(day, hour, tzinfo=WORKSHOP_ZONE)


def engaged(session: SessionDep, user: User, challenge_id: int) -> Challenge:
    return stages.engaged_challenge(session=session, user=user, challenge_id=challenge_id)


def back_to_challenge(challenge_id: int, anchor: str = "engagement", **query: object) -> Response:
    params = "&".join(f"{k}={v}" for k, v in query.items())
    target = f"{auth.PAGES}/challenges/{challenge_id}" + (f"?{params}" if params else "")
    return RedirectResponse(f"{target}#{anchor}", status_code=303)


@dataclass(frozen=True)
class FormPage:
    """What a form route needs to save, or to draw its page again: one dependency."""

    request: Request
    session: Session
    engine: MatchEngine
    settings: Settings
    user: User

    @property
    def tr(self) -> NullTranslations:
        """The person's language, for what a route words itself (a form's mistakes)."""
        return translations(language_of(self.request, self.user))

    def redrawn(self, redraw: Redraw, draw: Callable[..., Response]) -> Response:
        """`draw`'s page again (422) after a failed form: the half-done write is rolled
        back and the form comes back as typed, its errors named."""
        self.session.rollback()
        self.request.state.engagement = redraw
        response = draw(
            request=self.request,
            session=self.session,
            engine=self.engine,
            settings=self.settings,
            user=self.user,
        )
        response.status_code = 422
        return response


def form_page(
    request: Request,
    session: SessionDep,
    engine: EngineDep,
    settings: SettingsDep,
    user: PageUser,
) -> FormPage:
    return FormPage(request, session, engine, settings, user)


FormPageDep = Annotated[FormPage, Depends(form_page)]


def challenge_again(page: FormPage, challenge_id: int, redraw: Redraw) -> Response:
    """The challenge's page again, with the failed form as typed and its errors named."""
    return page.redrawn(redraw, partial(pages.challenge_page, challenge_id=challenge_id))


@router.post("/challenges/{challenge_id}/stage", dependencies=[auth.CsrfChecked])
def move_stage(
    challenge_id: ChallengeId, page: FormPageDep, form: Annotated[StageForm, Form()]
) -> Response:
    """The city or a coordinator moves the challenge on (the workshop needs a date, a time and
    a place; closing needs an outcome and a summary)."""
    engaged(page.session, page.user, challenge_id)
    try:
        stages.move_stage(
            session=page.session,
            engine=page.engine,
            user=page.user,
            challenge_id=challenge_id,
            data=form.move(),
            if_match=form.version,
        )
    except (ValidationError, InvalidInput) as error:
        errors = field_errors(error, page.tr)
        redraw = Redraw(form.stage.value, form.model_dump(mode="json"), errors)
        return challenge_again(page, challenge_id, redraw)
    return back_to_challenge(challenge_id, moved=form.stage.value)


@router.post("/challenges/{challenge_id}/invitations", dependencies=[auth.CsrfChecked])
def invite(
    challenge_id: ChallengeId,
    page: FormPageDep,
    company_id: Ids = [],  # noqa: B006
    note: Annotated[str, Form(max_length=5_000)] = "",
) -> Response:
    """A coordinator invites the ticked companies to the workshop."""
    session, user = page.session, page.user
    try:
        data = InvitationCreate(company_ids=company_id, note=note)
    except ValidationError as error:
        workshop.organised_challenge(session=session, user=user, challenge_id=challenge_id)
        errors = field_errors(error, page.tr, "invite")
        return challenge_again(page, challenge_id, Redraw("invite", {"note": note}, errors))
    workshop.invite(session=session, user=user, challenge_id=challenge_id, data=data)
    return back_to_challenge(challenge_id, "invitations", invited=len(data.company_ids))


@router.post("/challenges/{challenge_id}/teams", dependencies=[auth.CsrfChecked])
def propose_team(
    challenge_id: ChallengeId,
    page: FormPageDep,
    company_id: Ids = [],  # noqa: B006
    lead: Annotated[str, Form(max_length=20)] = "",
    note: Annotated[str, Form(max_length=5_000)] = "",
) -> Response:
    """A coordinator proposes a team to its members: a suggested consortium (lead first) from
    the teams page, or companies ticked among the invited ones on the challenge's page."""
    session, user = page.session, page.user
    workshop.organised_challenge(session=session, user=user, challenge_id=challenge_id)
    first = int(lead) if lead.isdigit() else None
    members = [first] if first in company_id else []
    members += [c for c in company_id if c != first]
    try:
        data = TeamCreate(company_ids=members, note=note)
    except ValidationError as error:
        errors = [("team", message) for _, message in field_errors(error, page.tr, "team")]
        return challenge_again(page, challenge_id, Redraw("team", {"lead": first}, errors))
    team = teams.propose(session=session, user=user, challenge_id=challenge_id, data=data)
    return back_to_challenge(challenge_id, "teams", proposed=team.id)
