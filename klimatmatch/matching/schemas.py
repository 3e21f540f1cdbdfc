"""Match, review and consortium schemas: what the matching side reads and answers."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from pydantic import BaseModel, Field

from klimatmatch.catalogue.schemas import MAX_ID, Strict
from klimatmatch.core.safe_text import Line, Prose
from models import Decision


class RequirementMatchPublic(BaseModel):
    requirement: str = Field(description="A requirement of the challenge")
    sentence: str = Field(description="The profile sentence that answers it best")
    score: float
    answered: bool = Field(
        description="The company is among the best answers to this requirement on the list"
    )


class ExplanationPublic(BaseModel):
    shared_terms: list[str]
    query_sentence: str
    document_sentence: str
    sentence_score: float
    shared_codes: list[str] = Field(default_factory=list, description="CPV codes both share")
    requirements: list[RequirementMatchPublic] = Field(
        default_factory=list, description="Each requirement of the challenge and its answer"
    )


class MatchPublic(BaseModel):
    rank: int
    challenge_id: int
    company_id: int
    title: str = Field(description="The company's name or the challenge's title")
    strength: float | None = Field(
        description="Estimated probability that the pair is relevant (0-1), comparable across "
        "challenges, languages and index sizes; null for results stored before it existed"
    )
    strength_level: str | None = Field(
        description="The strength in words by fixed thresholds: 'strong' (>= 0.5), "
        "'possible' (>= 0.2) or 'weak'"
    )
    score: float = Field(
        description="The fused score: orders this list, means nothing across lists"
    )
    components: dict[str, float]
    explanation: ExplanationPublic | None
    decision: Decision | None = None


class MatchRunPublic(BaseModel):
    run_id: int | None = Field(
        description="The stored run; null for a shortlist read but not acted on (nothing stored)"
    )
    direction: str
    subject_id: int
    model: str
    parameters: dict[str, Any]
    data_version: str
    created_at: datetime
    results: list[MatchPublic]


class ReviewCreate(Strict):
    challenge_id: int = Field(ge=1, le=MAX_ID)
    company_id: int = Field(ge=1, le=MAX_ID)
    decision: Decision
    reason: Line = Field(default="", max_length=300)
    note: Prose = Field(default="", max_length=5_000)
    match_result_id: int | None = Field(default=None, ge=1, le=MAX_ID)


class ReviewPublic(BaseModel):
    """`reason` and `note` are empty for users who may not see coordinators' notes."""

    id: int
    challenge_id: int
    company_id: int
    match_result_id: int | None
    reviewer: str
    decision: Decision
    reason: str
    note: str
    created_at: datetime


class MemberPublic(BaseModel):
    company_id: int
    name: str
    country: str


class ConsortiumPublic(BaseModel):
    value: float = Field(description="Sum over requirements of the best member's coverage")
    lead_company_id: int = Field(description="The member that covers the most on its own")
    members: list[MemberPublic]
    coverage: list[float] = Field(description="Per requirement, in order, from 0 to 1")
    overlaps: dict[str, list[int]] = Field(description="Requirement -> members covering it")
    covered_by: list[int] = Field(
        default_factory=list, description="Per requirement, the company id that covers it best"
    )


class ConsortiaPublic(BaseModel):
    challenge_id: int
    requirements: list[str]
    teams: list[ConsortiumPublic]
