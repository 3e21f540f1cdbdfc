"""E-mail over a real SMTP server in the process, and into the outbox folder without one."""

from __future__ import annotations

import logging
from email import message_from_bytes
from pathlib import Path

import pytest

from klimatmatch.services import mail
from klimatmatch.services.mail import MailNotSent, Message
from klimatmatch.settings import Settings
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


def test_texts_follow_the_recipients_language_and_default_to_english() -> None:
    assert mail.text("reset.subject", "sv") == "Nytt lösenord till Klimatmatch"
    assert mail.text("reset.subject", None) == "A new password for Klimatmatch"
    assert mail.text("reset.subject", "fi") == "A new password for Klimatmatch"
    for key, entry in mail.TEXTS.items():
        assert set(entry) == {"en", "sv"}, key
