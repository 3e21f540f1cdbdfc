"""E-mail a request asks for, sent by the `mail` job (klimatmatch.accounts.tasks) instead of during
the request: the answer then costs the same whether or not a message goes out, and a slow or
stopped mail server neither delays nor fails the page.

The job row is written in the caller's transaction, so the message exists exactly when what it
tells of does (a rollback drops both), and after the commit its id is handed to the queue by
the hook the API installs (`install`); a job no process was told of runs at the next start.
Its arguments are row ids only: a link's token is minted by the job as it writes the e-mail
(`Composer`), so no secret waits in the jobs table, which staff can read."""

from __future__ import annotations

import uuid
from collections.abc import Callable

from sqlalchemy import event
from sqlalchemy.orm import Session, sessionmaker

from klimatmatch.core.mail import Message
from models import Job

JOB_KIND = "mail"
_QUEUED = "klimatmatch.mail.queued"


Composer = Callable[..., Message | None]
"""`compose(*, session, settings, **ids)`: one kind of message from the row ids it was queued
with; None when it is no longer wanted (the link was used or has expired meanwhile). Runs in
the job's transaction, committed before the message is sent, so a link in any e-mail sent is
stored."""
COMPOSERS: dict[str, Composer] = {}


def composer(kind: str) -> Callable[[Composer], Composer]:
    """Registers the composer of one kind of message (a decorator)."""

    def decorate(compose: Composer) -> Composer:
        COMPOSERS[kind] = compose
        return compose

    return decorate


def enqueue(*, session: Session, kind: str, **ids: int) -> None:
    """Queues a message of `kind` about the rows `ids`, in the caller's transaction."""
    if kind not in COMPOSERS:
        raise ValueError(f"no composer for e-mails of kind {kind!r}")
    job_id = str(uuid.uuid4())
    session.add(Job(id=job_id, kind=JOB_KIND, arguments={"message": kind, **ids}))
    session.info.setdefault(_QUEUED, []).append(job_id)


def install(target: sessionmaker[Session] | Session, send: Callable[[str], None]) -> None:
    """Call `send(job_id)` for each message a commit of `target`'s sessions queued; a
    rollback forgets them (their rows are gone too)."""

    def after_commit(session: Session) -> None:
        for job_id in session.info.pop(_QUEUED, []):
            send(job_id)

    def forget(session: Session) -> None:
        session.info.pop(_QUEUED, None)

    event.listen(target, "after_commit", after_commit)
    event.listen(target, "after_rollback", forget)
