"""Schemas for alerts: a person's notifications (the inbox) and e-mail frequency."""

from __future__ import annotations

from datetime import datetime

from pydantic import BaseModel, ConfigDict, Field

from models.alerts import Frequency, NotificationKind


class NotificationPublic(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    kind: NotificationKind
    title: str = Field(description="The challenge's title, in the language it was written")
    body: str = Field(description="The company the alert is about")
    challenge_id: int | None
    company_id: int | None
    rank: int | None = Field(description="For a match: the profile's place on the shortlist")
    score: float | None = Field(description="For a match: the engine's fused score")
    created_at: datetime
    read_at: datetime | None
    emailed_at: datetime | None


class NotificationsPublic(BaseModel):
    data: list[NotificationPublic]
    count: int
    unread: int


class AlertPreferenceUpdate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    frequency: Frequency = Field(
        description="E-mail alerts at once, as a daily or weekly digest, or never (the inbox "
        "gets every alert whatever this says)"
    )


class AlertPreferencePublic(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    frequency: Frequency
