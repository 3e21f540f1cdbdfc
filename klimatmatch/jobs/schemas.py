"""The job schema family: JobCreate (what to run), JobPublic (its state), JobsPublic (a page)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, field_validator

from klimatmatch.jobs.registry import KINDS
from models import JobState


class JobCreate(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    kind: str = Field(description="import, reindex, train, strength or snapshot", max_length=40)
    file: str | None = Field(
        default=None,
        max_length=200,
        description="For import: the name of a file in the upload folder (POST /jobs/import "
        "uploads one and starts its import in one step)",
    )

    @field_validator("kind")
    @classmethod
    def _known_kind(cls, value: str) -> str:
        if value not in KINDS:
            raise ValueError(f"{value!r} is not one of {', '.join(sorted(KINDS))}")
        return value


class JobPublic(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: str
    kind: str
    arguments: dict[str, Any]
    state: JobState
    done: int
    total: int | None
    unit: str = Field(
        default="items", description="What done and total count: texts, rows, steps or items"
    )
    message: str = Field(description="What it is doing now; when done, what it did")
    attempts: int
    error: str
    created_by_id: int | None
    created_at: datetime
    started_at: datetime | None
    finished_at: datetime | None
    updated_at: datetime


class JobsPublic(BaseModel):
    data: list[JobPublic]
    count: int
