"""A real SMTP server in the test process (aiosmtpd) that keeps what it receives."""

from __future__ import annotations

import email
import re
import socket
import time
from collections.abc import Iterator
from email import policy
from email.message import EmailMessage as Message

import pytest
from aiosmtpd.controller import Controller

LINK = re.compile(r"https?://\S+/ui/(?:invitations|reset|register)/[A-Za-z0-9_-]+")


class Mailbox:
    """aiosmtpd's handler: every message accepted is parsed and kept, in order."""

    def __init__(self) -> None:
        self.messages: list[Message] = []
        self.port = 0

    async def handle_DATA(self, server, session, envelope) -> str:  # noqa: ANN001, N802
        self.messages.append(
            email.message_from_bytes(envelope.original_content, policy=policy.default)
        )
        return "250 OK"

    def last_to(self, address: str, timeout: float = 5.0) -> Message:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            for message in reversed(self.messages):
                if message["To"] == address:
                    return message
            time.sleep(0.02)
        raise AssertionError(f"no message to {address}; got {[m['To'] for m in self.messages]}")

    def link_to(self, address: str) -> str:
        body = self.last_to(address).get_content()
        found = LINK.search(body)
        assert found, body
        return found.group(0)


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.fixture(scope="module")
def smtp() -> Iterator[Mailbox]:
    """A started SMTP server on a free port; point settings at `smtp.port` (no TLS)."""
    mailbox = Mailbox()
    mailbox.port = free_port()
    controller = Controller(mailbox, hostname="127.0.0.1", port=mailbox.port)
    controller.start()
    yield mailbox
    controller.stop()
