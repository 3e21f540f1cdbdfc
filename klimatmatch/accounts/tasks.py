"""The `mail` job: one message a request queued (klimatmatch.core.mail_queue), composed and
sent here, away from the request.

The composer mints the link's token and its hash is committed before the message goes out, so
a link in any e-mail sent works; a retry mints a new one (the unsent one never worked). A
message no longer wanted (its link used or expired meanwhile) is skipped. When the server is
down the job fails with an error the queue retries with back-off."""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import TYPE_CHECKING

# importing invitations and registration_mail registers their composers
from klimatmatch.accounts import (
    registration_mail,  # noqa: F401
)
from klimatmatch.alerts.tasks import MailServerDown
from klimatmatch.core import mail, mail_queue
from klimatmatch.core.errors import InvalidInput
from klimatmatch.jobs.registry import JobContext, register

if TYPE_CHECKING:
    from sqlalchemy.orm import Session, sessionmaker

    from klimatmatch.jobs.queue import JobQueue

log = logging.getLogger("klimatmatch.jobs")


@register(mail_queue.JOB_KIND, unit="e-mails")
def mail_job(context: JobContext) -> str:
    arguments = dict(context.arguments)
    kind = str(arguments.pop("message", ""))
    compose = mail_queue.COMPOSERS.get(kind)
    if compose is None:
        raise InvalidInput(f"message: {kind!r} is not a kind of e-mail; the pages queue these")
    with context.sessions() as session:
        message = compose(session=session, settings=context.settings, **arguments)
        session.commit()  # the link's hash is stored before any e-mail carries the link
    about = ", ".join(f"{name} {value}" for name, value in arguments.items())
    if message is None:
        return f"{kind} ({about}): not sent, no longer wanted (the link was used or expired)"
    try:
        mail.send(message, settings=context.settings)
    except mail.MailNotSent as error:
        raise MailServerDown(error.message) from error
    return f"{kind} ({about}): sent to {message.recipient}"


def install(sessions: sessionmaker[Session], queue: Callable[[], JobQueue]) -> None:
    """The API's hook: after a commit that queued e-mail, each job goes to `queue()` (made on
    first use). A job that could not be handed over stays queued in its row (without a broker
    it runs at the next start) and the log says which."""

    def send(job_id: str) -> None:
        try:
            queue().actor.send(job_id)
        except Exception:  # the write stands; the message waits for a restart
            log.exception("mail job %s: not handed to the job queue", job_id)

    mail_queue.install(sessions, send)
