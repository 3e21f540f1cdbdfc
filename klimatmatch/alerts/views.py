"""What the inbox page draws: the person's newest alerts with counts, and their mail choice."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy.orm import Session

from klimatmatch.alerts import service as alerts
from models import User
from models.alerts import Frequency, Notification


@dataclass(frozen=True)
class InboxView:
    rows: list[Notification]
    count: int
    unread: int
    frequency: Frequency


def inbox_view(*, session: Session, user: User, limit: int) -> InboxView:
    rows, count, unread = alerts.inbox(session=session, user=user, limit=limit)
    return InboxView(
        rows=rows,
        count=count,
        unread=unread,
        frequency=alerts.frequency(session=session, user_id=user.id),
    )
