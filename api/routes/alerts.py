"""A person's alerts: their own notifications (another's is 404) and how often they want
e-mail. `install` lets this process queue the alert job after a write that needs one."""

from __future__ import annotations

import logging
from typing import Annotated

from fastapi import APIRouter, FastAPI, Path, Query

from api.deps import CurrentUser, Limit, Offset, SessionDep
from api.errors import ERROR_RESPONSES
from api.routes import jobs
from api.state import AppState
from klimatmatch.accounts import tasks as mail_jobs
from klimatmatch.alerts import service as alerts
from klimatmatch.alerts import tasks as alert_jobs
from klimatmatch.alerts.schemas import (
    AlertPreferencePublic,
    AlertPreferenceUpdate,
    NotificationPublic,
    NotificationsPublic,
)
from klimatmatch.catalogue.schemas import MAX_ID
from klimatmatch.jobs import JobQueue

log = logging.getLogger("klimatmatch.api")
router = APIRouter(tags=["alerts"], responses=ERROR_RESPONSES)
NotificationId = Annotated[int, Path(ge=1, le=MAX_ID, description="A notification's id")]


@router.get("/notifications")
def list_notifications(
    session: SessionDep,
    user: CurrentUser,
    limit: Limit = 50,
    offset: Offset = 0,
    unread: Annotated[bool, Query(description="Only those not yet read")] = False,
) -> NotificationsPublic:
    """Your own notifications, newest first, with how many are unread."""
    rows, count, unread_count = alerts.inbox(
        session=session, user=user, limit=limit, offset=offset, unread_only=unread
    )
    data = [NotificationPublic.model_validate(row) for row in rows]
    return NotificationsPublic(data=data, count=count, unread=unread_count)


@router.post("/notifications/{notification_id}/read")
def read_notification(
    notification_id: NotificationId, session: SessionDep, user: CurrentUser
) -> NotificationPublic:
    """Mark one of your notifications read (someone else's does not exist for you: 404)."""
    row = alerts.mark_read(session=session, user=user, notification_id=notification_id)
    session.commit()
    return NotificationPublic.model_validate(row)


@router.get("/me/alerts")
def get_alerts(session: SessionDep, user: CurrentUser) -> AlertPreferencePublic:
    """How often you get alerts by e-mail: immediate, daily, weekly or never."""
    return AlertPreferencePublic(frequency=alerts.frequency(session=session, user_id=user.id))


@router.put("/me/alerts")
def put_alerts(
    data: AlertPreferenceUpdate, session: SessionDep, user: CurrentUser
) -> AlertPreferencePublic:
    """Choose how often you get alerts by e-mail; "never" also drops what waits for a digest."""
    row = alerts.set_frequency(session=session, user=user, value=data.frequency)
    session.commit()
    return AlertPreferencePublic(frequency=row.frequency)


def install(app: FastAPI, state: AppState) -> None:
    """At start-up: alert jobs run here rank with this process's index, a commit that queued
    e-mail hands it to the job queue, and a commit that made alert work queues the `alerts`
    job (unless `alerts_from_api` is off)."""
    alert_jobs.use_engine(state.sessions, state.engine)

    def queue() -> JobQueue:
        with jobs._starting:  # the jobs routes' lock: one queue per app
            if getattr(app.state, "jobs", None) is None:
                app.state.jobs = JobQueue(state.settings, state.sessions)
            return app.state.jobs

    mail_jobs.install(state.sessions, queue)
    if not state.settings.alerts_from_api:
        return

    def kick() -> None:
        try:
            with state.sessions() as session:
                queue().submit(session=session, kind="alerts", arguments={})
        except Exception:  # the alert waits for the next job (or cron): the write stands
            log.exception("could not queue the alert job")

    alerts.install(state.sessions, kick)
