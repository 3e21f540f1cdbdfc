"""The inbox page's view model: the person's own alerts, counts and mail choice."""

from __future__ import annotations

from sqlalchemy.orm import Session

from klimatmatch.alerts import service as alerts
from klimatmatch.alerts import views
from models.alerts import Frequency, Notification, NotificationKind
from tests.klimatmatch.engagement_world import people


def test_the_inbox_view_holds_ones_own_alerts_counts_and_frequency(session: Session) -> None:
    who = people(session)
    for n in range(3):
        session.add(
            Notification(
                user_id=who.voltgrav.id, kind=NotificationKind.MATCH, item_key=f"{n}", title="t"
            )
        )
    session.add(
        Notification(user_id=who.sitecharge.id, kind=NotificationKind.MATCH, item_key="x", title="")
    )
    session.flush()
    first = views.inbox_view(session=session, user=who.voltgrav, limit=2)
    assert (len(first.rows), first.count, first.unread) == (2, 3, 3)
    assert first.frequency is Frequency.IMMEDIATE
    alerts.mark_read(session=session, user=who.voltgrav, notification_id=first.rows[0].id)
    alerts.set_frequency(session=session, user=who.voltgrav, value=Frequency.DAILY)
    session.flush()
    again = views.inbox_view(session=session, user=who.voltgrav, limit=10)
    assert (again.count, again.unread, again.frequency) == (3, 2, Frequency.DAILY)
    assert {row.user_id for row in again.rows} == {who.voltgrav.id}
