"""Schemas for what happens after matching: stages, interest, workshop invitations, teams.

Kept apart from `klimatmatch.catalogue.schemas` so the matching surface and this one change
separately."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Literal

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, model_validator

from klimatmatch.catalogue.schemas import MAX_ID
from klimatmatch.core.safe_text import Line, Prose
from models.engagement import Answer, InterestStatus, TeamStatus
from models.tables import ChallengeOutcome, ChallengeStage

Id = Annotated[int, Field(ge=1, le=MAX_ID)]


def _unique(ids: list[int]) -> list[int]:
    repeated = sorted({i for i in ids if ids.count(i) > 1})
    if repeated:
        raise ValueError(f"company {repeated[0]} is listed twice")
    return ids


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)


class StageMove(_Strict):
    """Move a challenge to a stage: the workshop needs a date and a place (or link), closing
    needs an outcome and a public summary."""

    stage: ChallengeStage
    workshop_at: datetime | None = None
    workshop_place: Line | None = Field(default=None, min_length=3, max_length=300)
    outcome: ChallengeOutcome | None = None
    summary: Prose | None = Field(default=None, min_length=10, max_length=2_000)

    @model_validator(mode="after")
    def _fields_for_the_stage(self) -> StageMove:
        needed = {
            ChallengeStage.WORKSHOP: ("workshop_at", "workshop_place"),
            ChallengeStage.CLOSED: ("outcome", "summary"),
        }.get(self.stage, ())
        for name in ("workshop_at", "workshop_place", "outcome", "summary"):
            value = getattr(self, name)
            if name in needed and value is None:
                raise ValueError(f"{name} is required to move to {self.stage.value}")
            if name not in needed and value is not None:
                raise ValueError(f"{name} is only given when moving to another stage")
        if self.workshop_at is not None and self.workshop_at.tzinfo is None:
            raise ValueError("workshop_at needs a time zone, e.g. 2027-03-01T09:00:00+01:00")
        return self


class StagePublic(BaseModel):
    challenge_id: int
    stage: ChallengeStage
    workshop_at: datetime | None
    workshop_place: str
    outcome: ChallengeOutcome | None
    summary: str
    version: int


class StageChangePublic(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    challenge_id: int
    from_stage: ChallengeStage
    to_stage: ChallengeStage
    changed_by_id: int | None
    changed_by: str
    changed_at: datetime


class Partner(_Strict):
    """A partner the company would bring: a profile on Klimatmatch, or a name."""

    company_id: Id | None = None
    name: Line = Field(default="", max_length=200)

    @model_validator(mode="after")
    def _one_of(self) -> Partner:
        if self.company_id is None and not self.name:
            raise ValueError("give a partner's company_id or its name")
        return self


class InterestCreate(_Strict):
    pitch: Prose = Field(min_length=10, max_length=2_000)
    partners: list[Partner] = Field(default_factory=list, max_length=20)


class InterestPublic(BaseModel):
    id: int
    challenge_id: int
    company_id: int
    company: str
    pitch: str
    partners: list[Partner]
    status: InterestStatus
    created_by_id: int | None
    created_at: datetime
    updated_at: datetime
    withdrawn_at: datetime | None
    on_shortlist: bool | None = Field(
        default=None,
        description="On the challenge's latest shortlist (False: it came by itself); "
        "given to the city and coordinators only",
    )
    rank: int | None = Field(default=None, description="Its rank on that shortlist")


class InterestsPublic(BaseModel):
    data: list[InterestPublic]
    count: int


class InvitationCreate(_Strict):
    company_ids: Annotated[list[Id], AfterValidator(_unique)] = Field(min_length=1, max_length=50)
    note: Prose = Field(default="", max_length=5_000, description="For coordinators only")


class AnswerCreate(_Strict):
    answer: Literal[Answer.ACCEPTED, Answer.DECLINED]
    reason: Line = Field(default="", max_length=300)

    @model_validator(mode="after")
    def _reason_to_decline(self) -> AnswerCreate:
        if self.answer is Answer.DECLINED and not self.reason:
            raise ValueError("reason is required to decline")
        return self


class InvitationPublic(BaseModel):
    """`note` is empty for anyone but coordinators."""

    id: int
    challenge_id: int
    company_id: int
    company: str
    note: str
    invited_by_id: int | None
    invited_at: datetime
    answer: Answer
    reason: str
    answered_by_id: int | None
    answered_at: datetime | None
    reachable: bool = Field(
        default=True,
        description="False when the company has no active person to tell: nobody hears of "
        "the invitation until someone of its organisation is invited to Klimatmatch",
    )


class InvitationsPublic(BaseModel):
    data: list[InvitationPublic]
    count: int


class TeamCreate(_Strict):
    company_ids: Annotated[list[Id], AfterValidator(_unique)] = Field(
        min_length=2, max_length=4, description="Lead first, as /consortia lists a team"
    )
    note: Prose = Field(default="", max_length=5_000, description="For coordinators only")


class TeamMemberPublic(BaseModel):
    company_id: int
    company: str
    lead: bool
    answer: Answer
    reason: str
    answered_by_id: int | None
    answered_at: datetime | None
    reachable: bool = Field(
        default=True,
        description="False when the company has no active person to tell of the proposal",
    )


class TeamPublic(BaseModel):
    id: int
    challenge_id: int
    status: TeamStatus
    note: str
    proposed_by_id: int | None
    proposed_at: datetime
    settled_at: datetime | None
    members: list[TeamMemberPublic]


class TeamsPublic(BaseModel):
    data: list[TeamPublic]
    count: int
