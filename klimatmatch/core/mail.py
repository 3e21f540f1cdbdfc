"""E-mail: plain-text messages over SMTP (Python's smtplib), or into an outbox folder.

With no `smtp_host` configured (a laptop, `make run`) each message is written as an .eml file
under `outbox_dir` and its path logged, so invitations and resets can be followed without a mail
server; any mail program opens the file. The texts come from the interface's catalogues, in the
recipient's language (`klimatmatch.core.translations`; English when unknown).

Logs name a message by its Message-ID and its recipient by id, never by address: a log is read
by more people than the mailbox is."""

from __future__ import annotations

import logging
import secrets
import smtplib
import ssl
from dataclasses import dataclass
from datetime import UTC, datetime
from email.message import EmailMessage
from email.utils import format_datetime, make_msgid
from pathlib import Path

from klimatmatch.core.errors import KlimatmatchError
from klimatmatch.core.safe_text import flatten
from klimatmatch.core.settings import Settings, SmtpTls

log = logging.getLogger("klimatmatch.mail")


class MailNotSent(KlimatmatchError):
    status_code = 503
    title = "Service unavailable"


@dataclass(frozen=True)
class Message:
    to: str
    subject: str
    body: str
    headers: tuple[tuple[str, str], ...] = ()
    """Extra headers, e.g. List-Unsubscribe on alerts (RFC 2369, one-click per RFC 8058)."""
    recipient_id: int | None = None
    """The person's id, which the logs name instead of the address (None: no account yet)."""

    @property
    def recipient(self) -> str:
        return f"person {self.recipient_id}" if self.recipient_id is not None else "a recipient"


def compose(message: Message, *, settings: Settings) -> EmailMessage:
    email = EmailMessage()
    email["From"] = settings.mail_from
    email["To"] = message.to
    email["Subject"] = flatten(message.subject)  # a title stored before the schemas refused CR/LF
    email["Date"] = format_datetime(datetime.now(UTC))
    email["Message-ID"] = make_msgid(domain="klimatmatch")
    for name, value in message.headers:
        email[name] = value
    email.set_content(message.body)
    return email


def send(message: Message, *, settings: Settings) -> Path | None:
    """Delivers `message`; returns the .eml file's path when it went to the outbox instead."""
    email = compose(message, settings=settings)
    if not settings.smtp_host:
        path = write_outbox(email, folder=settings.outbox_dir)
        log.warning(
            "no SMTP server configured: mail %s to %s written to %s",
            email["Message-ID"],
            message.recipient,
            path,
        )
        return path
    try:
        with _connect(settings) as smtp:
            if settings.smtp_user:
                password = (
                    settings.smtp_password.get_secret_value() if settings.smtp_password else ""
                )
                smtp.login(settings.smtp_user, password)
            smtp.send_message(email)
    except (smtplib.SMTPException, OSError) as error:
        log.warning(
            "mail %s to %s not sent: %s", email["Message-ID"], message.recipient, _reason(error)
        )
        raise MailNotSent(
            f"the e-mail to {message.recipient} could not be sent; try again later"
        ) from error
    log.info(
        "mail %s to %s sent through %s", email["Message-ID"], message.recipient, settings.smtp_host
    )
    return None


def _reason(error: Exception) -> str:
    """Why the server refused, without the refused addresses that its error lists."""
    if isinstance(error, smtplib.SMTPRecipientsRefused):
        return "the server refused the recipient"
    return str(error)


def _connect(settings: Settings) -> smtplib.SMTP:
    host, port, timeout = settings.smtp_host or "", settings.smtp_port, settings.smtp_timeout
    if settings.smtp_tls is SmtpTls.SSL:
        return smtplib.SMTP_SSL(host, port, timeout=timeout, context=ssl.create_default_context())
    smtp = smtplib.SMTP(host, port, timeout=timeout)
    if settings.smtp_tls is SmtpTls.STARTTLS:
        smtp.starttls(context=ssl.create_default_context())
    return smtp


def write_outbox(email: EmailMessage, *, folder: Path) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%S")
    path = folder / f"{stamp}-{secrets.token_hex(4)}.eml"
    path.write_bytes(bytes(email))
    return path
