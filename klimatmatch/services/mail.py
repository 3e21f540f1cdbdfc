"""E-mail: plain-text messages over SMTP (Python's smtplib), or into an outbox folder.

With no `smtp_host` configured (a laptop, `make run`) each message is written as an .eml file
under `outbox_dir` and its path logged, so invitations and resets can be followed without a mail
server; any mail program opens the file. Texts are in Swedish or English by the recipient's
language (English when unknown).

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

from klimatmatch.errors import KlimatmatchError
from klimatmatch.safe_text import flatten
from klimatmatch.settings import Settings, SmtpTls

log = logging.getLogger("klimatmatch.mail")

TEXTS: dict[str, dict[str, str]] = {
    "invitation.subject": {
        "en": "You are invited to Klimatmatch",
        "sv": "Du är inbjuden till Klimatmatch",
    },
    "invitation.body": {
        "en": "Hello,\n\n{inviter} invites you to Klimatmatch as {role}{organisation}.\n\n"
        "Choose your password here (the link works once, until {expires} UTC):\n{link}\n\n"
        "If you did not expect this invitation, ignore this message.\n",
        "sv": "Hej,\n\n{inviter} bjuder in dig till Klimatmatch som {role}{organisation}.\n\n"
        "Välj ditt lösenord här (länken fungerar en gång, till {expires} UTC):\n{link}\n\n"
        "Om du inte väntade dig inbjudan kan du bortse från meddelandet.\n",
    },
    "reset.subject": {
        "en": "A new password for Klimatmatch",
        "sv": "Nytt lösenord till Klimatmatch",
    },
    "reset.body": {
        "en": "Hello,\n\nSomeone (hopefully you) asked for a new password for {email}.\n\n"
        "Choose it here (the link works once, for {minutes} minutes):\n{link}\n\n"
        "If it was not you, ignore this message: your password stays as it is.\n",
        "sv": "Hej,\n\nNågon (förhoppningsvis du) bad om ett nytt lösenord för {email}.\n\n"
        "Välj det här (länken fungerar en gång, i {minutes} minuter):\n{link}\n\n"
        "Om det inte var du kan du bortse från meddelandet: lösenordet är oförändrat.\n",
    },
    "registration.confirm.subject": {
        "en": "Confirm your registration on Klimatmatch",
        "sv": "Bekräfta er registrering i Klimatmatch",
    },
    "registration.confirm.body": {
        "en": "Hello,\n\nConfirm this e-mail address to finish registering {name} (the link "
        "works once, for {hours} hours):\n{link}\n\nA coordinator then reviews the "
        "registration; your profile is matched once it is approved.\n\nIf you did not "
        "register, ignore this message.\n",
        "sv": "Hej,\n\nBekräfta den här e-postadressen för att slutföra registreringen av {name} "
        "(länken fungerar en gång, i {hours} timmar):\n{link}\n\nSedan granskar en "
        "koordinator registreringen; profilen matchas när den är godkänd.\n\nOm du inte "
        "har registrerat dig kan du bortse från meddelandet.\n",
    },
    "registration.received.subject": {
        "en": "{name} asks to join Klimatmatch",
        "sv": "{name} vill gå med i Klimatmatch",
    },
    "registration.received.body": {
        "en": "Hello,\n\n{name} has registered as a company. Its profile is not matched until "
        "a coordinator approves it:\n{link}\n",
        "sv": "Hej,\n\n{name} har registrerat sig som företag. Profilen matchas inte förrän "
        "en koordinator har godkänt den:\n{link}\n",
    },
    "registration.exists.subject": {
        "en": "Your Klimatmatch account",
        "sv": "Ditt konto i Klimatmatch",
    },
    "registration.exists.body": {
        "en": "Hello,\n\nSomeone tried to register a company with this e-mail address, which "
        "has an account already. Sign in here:\n{sign_in}\n\nForgot your password? Choose a "
        "new one here:\n{forgot}\n\nIf it was not you, ignore this message.\n",
        "sv": "Hej,\n\nNågon försökte registrera ett företag med den här e-postadressen, som "
        "redan har ett konto. Logga in här:\n{sign_in}\n\nGlömt lösenordet? Välj ett nytt "
        "här:\n{forgot}\n\nOm det inte var du kan du bortse från meddelandet.\n",
    },
    "registration.approved.subject": {
        "en": "Your company is approved on Klimatmatch",
        "sv": "Ditt företag är godkänt i Klimatmatch",
    },
    "registration.approved.body": {
        "en": "Hello,\n\n{name} is approved: cities' shortlists include its profiles from now "
        "on. See the challenges that fit you:\n{link}\n",
        "sv": "Hej,\n\n{name} är godkänt: städernas kortlistor tar med profilerna från och med "
        "nu. Se utmaningarna som passar er:\n{link}\n",
    },
    "registration.declined.subject": {
        "en": "Your registration on Klimatmatch",
        "sv": "Er registrering i Klimatmatch",
    },
    "registration.declined.body": {
        "en": "Hello,\n\nThe coordinators did not approve the registration of {name}:\n\n"
        "{reason}\n\nYour account is closed. Reply to this message if you think this is a "
        "mistake.\n",
        "sv": "Hej,\n\nKoordinatorerna godkände inte registreringen av {name}:\n\n"
        "{reason}\n\nKontot är stängt. Svara på meddelandet om du tror att det är fel.\n",
    },
    "alert.subject": {"en": "Klimatmatch: {title}", "sv": "Klimatmatch: {title}"},
    "alert.digest.subject": {
        "en": "Klimatmatch: {count} new alerts",
        "sv": "Klimatmatch: {count} nya aviseringar",
    },
    "alert.match": {
        "en": "{title}\n  fits {company}: rank {rank}, score {score}\n  {link}",
        "sv": "{title}\n  passar {company}: plats {rank}, poäng {score}\n  {link}",
    },
    "alert.interest": {
        "en": "{title}\n  {company} stated interest\n  {link}",
        "sv": "{title}\n  {company} har anmält intresse\n  {link}",
    },
    "alert.answer.accepted": {
        "en": "{title}\n  {company} accepted the workshop invitation\n  {link}",
        "sv": "{title}\n  {company} tackade ja till workshopinbjudan\n  {link}",
    },
    "alert.answer.declined": {
        "en": "{title}\n  {company} declined the workshop invitation\n  {link}",
        "sv": "{title}\n  {company} tackade nej till workshopinbjudan\n  {link}",
    },
    "alert.body": {
        "en": "Hello,\n\n{items}\n\nEverything is in your inbox:\n{inbox}\n\nChoose how often "
        "we e-mail you there. To get no more of these e-mails:\n{unsubscribe}\n",
        "sv": "Hej,\n\n{items}\n\nAllt finns i din inkorg:\n{inbox}\n\nDär väljer du hur "
        "ofta vi mejlar. För att inte få fler sådana mejl:\n{unsubscribe}\n",
    },
    "role.city": {"en": "a city", "sv": "stad"},
    "role.company": {"en": "a company", "sv": "företag"},
    "role.coordinator": {"en": "a coordinator", "sv": "koordinator"},
    "role.admin": {"en": "an administrator", "sv": "administratör"},
    "for": {"en": " for {name}", "sv": " för {name}"},
}


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


def text(key: str, language: str | None, **values: object) -> str:
    entry = TEXTS[key]
    chosen = entry.get(language or "en") or entry["en"]
    return chosen.format(**values) if values else chosen


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
