"""E-mail over a real SMTP server in the process, and into the outbox folder without one."""

from __future__ import annotations

import logging
from email import message_from_bytes
from pathlib import Path

import pytest

from klimatmatch.core import mail
from klimatmatch.core.mail import MailNotSent, Message
from klimatmatch.core.settings import Settings
from klimatmatch.core.translations import translations
from tests import mailbox
from tests.mailbox import Mailbox, free_port

smtp = mailbox.smtp  # the fixture: a real SMTP server in this process

MESSAGE = Message(to="anna@stockholm.se", subject="Hej", body="Välkommen, Anna!\nRad två.")


def test_a_message_goes_out_over_smtp_as_plain_text(smtp: Mailbox, tmp_path: Path) -> None:
    settings = Settings(
        smtp_host="127.0.0.1", smtp_port=smtp.port, smtp_tls="none", outbox_dir=tmp_path / "out"
    )
    assert mail.send(MESSAGE, settings=settings) is None
    received = smtp.last_to("anna@stockholm.se")
    assert received["Subject"] == "Hej" and "no-reply@klimatmatch.local" in received["From"]
    assert received.get_content_type() == "text/plain"
    body = received.get_payload(decode=True).decode()
    assert body.splitlines() == ["Välkommen, Anna!", "Rad två."]  # CRLF on the wire
    assert not (tmp_path / "out").exists()


def test_without_an_smtp_host_each_message_is_an_eml_file_and_its_path_is_logged(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    settings = Settings(smtp_host=None, outbox_dir=tmp_path / "outbox")
    with caplog.at_level(logging.INFO, logger="klimatmatch.mail"):
        path = mail.send(MESSAGE, settings=settings)
    assert path is not None and path.parent == tmp_path / "outbox" and path.suffix == ".eml"
    assert str(path) in caplog.text
    written = message_from_bytes(path.read_bytes())
    assert written["To"] == "anna@stockholm.se" and written["Subject"] == "Hej"
    assert "Rad två." in written.get_payload(decode=True).decode()
    assert mail.send(MESSAGE, settings=settings) != path  # one file per message
    assert len(list((tmp_path / "outbox").glob("*.eml"))) == 2


def test_a_server_that_does_not_answer_is_a_clear_error(tmp_path: Path) -> None:
    settings = Settings(
        smtp_host="127.0.0.1", smtp_port=free_port(), smtp_tls="none", smtp_timeout=2
    )
    with pytest.raises(MailNotSent, match="could not be sent"):
        mail.send(MESSAGE, settings=settings)


def test_logs_name_the_message_and_the_person_never_the_address(
    smtp: Mailbox, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    message = Message(to="anna@stockholm.se", subject="Hej", body="Hej!", recipient_id=42)
    sent = Settings(smtp_host="127.0.0.1", smtp_port=smtp.port, smtp_tls="none")
    outbox = Settings(smtp_host=None, outbox_dir=tmp_path / "outbox")
    down = Settings(smtp_host="127.0.0.1", smtp_port=free_port(), smtp_tls="none", smtp_timeout=2)
    with caplog.at_level(logging.DEBUG):
        mail.send(message, settings=sent)
        mail.send(message, settings=outbox)
        with pytest.raises(MailNotSent) as refused:
            mail.send(message, settings=down)
    assert "anna@stockholm.se" not in str(refused.value)
    received = smtp.last_to("anna@stockholm.se")
    ours = [record for record in caplog.records if record.name.startswith("klimatmatch")]
    lines = [record.getMessage() for record in ours]
    assert len(lines) == 3 and all("person 42" in line for line in lines), lines
    assert received["Message-ID"] in lines[0]
    assert not [line for line in lines if "anna" in line or "stockholm.se" in line]


def test_texts_follow_the_recipients_language_and_default_to_english() -> None:
    subject = "A new password for Klimatmatch"  # the catalogues' test checks every text
    assert translations("sv").gettext(subject) == "Nytt lösenord till Klimatmatch"
    assert translations(None).gettext(subject) == subject
    assert translations("fi").gettext(subject) == subject


def test_a_subject_made_from_an_old_title_with_line_breaks_stays_one_header(
    smtp: Mailbox, tmp_path: Path
) -> None:
    """Schemas refuse CR/LF in titles now; a title stored before must neither add a header nor
    stop the mail (the email package refuses such a header, so the alert failed every retry)."""
    settings = Settings(
        smtp_host="127.0.0.1", smtp_port=smtp.port, smtp_tls="none", outbox_dir=tmp_path
    )
    title = "Laddning\r\nBcc: eve@example.org\r\n\r\nHello"
    mail.send(Message(to="anna@example.se", subject=title, body="Hej"), settings=settings)
    received = smtp.last_to("anna@example.se")
    assert received["Subject"] == "Laddning Bcc: eve@example.org Hello"
    assert received["Bcc"] is None and received.get_content().strip() == "Hej"
