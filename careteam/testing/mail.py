"""A real SMTP server for the tests, reading what it received, and running the mail commands."""

from __future__ import annotations

import re
import socket
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from email import message_from_bytes, policy
from email.message import EmailMessage
from typing import Any

import pytest
from flask import Flask
from sqlalchemy import select

from ..extensions import db
from ..outbox import OutboxMessage, deliver_due
from ..reminders.sending import send_due_reminders

# --- mail -----------------------------------------------------------------------------------


@dataclass
class MailServer:
    """A real SMTP server on 127.0.0.1 collecting every message it receives."""

    host: str
    port: int
    messages: list[EmailMessage] = field(default_factory=list)

    def wait_for(self, to: str, count: int = 1, timeout: float = 15.0) -> list[EmailMessage]:
        """Wait until ``count`` messages to ``to`` have arrived; return all of them."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            found = [m for m in self.messages if to.lower() in str(m["To"]).lower()]
            if len(found) >= count:
                return found
            time.sleep(0.02)
        raise AssertionError(f"expected {count} message(s) to {to}, got {len(found)}")

    def last_to(self, to: str) -> EmailMessage:
        """Wait for a message to ``to``; return the latest."""
        return self.wait_for(to)[-1]


def message_text(message: EmailMessage) -> str:
    """Return the plain-text body of an email (empty if it has none)."""
    part = message.get_body(preferencelist=("plain",))
    return part.get_content() if part is not None else ""


def links_in(message: EmailMessage) -> list[str]:
    """Return the links in an email's plain-text body, in order."""
    return re.findall(r"https?://[^\s<>\"]+", message_text(message))


@pytest.fixture(scope="session")
def smtp_server() -> Iterator[MailServer]:
    """Run aiosmtpd on a free local port for the whole test run."""
    # start-up: the kit loads in every pytest run; only mail tests need aiosmtpd.
    from aiosmtpd.controller import Controller

    server = MailServer("127.0.0.1", 0)

    class Handler:
        async def handle_DATA(self, _server, _session, envelope):
            server.messages.append(
                message_from_bytes(
                    envelope.original_content or envelope.content, policy=policy.default
                )  # type: ignore[arg-type]
            )
            return "250 OK"

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        server.port = probe.getsockname()[1]
    controller = Controller(Handler(), hostname="127.0.0.1", port=server.port)
    controller.start()
    yield server
    controller.stop()


@pytest.fixture
def mail(smtp_server: MailServer, app_config: dict[str, Any]) -> MailServer:
    """Send the test app's mail through the real SMTP server; the inbox starts empty."""
    smtp_server.messages.clear()
    app_config.update(
        {"SMTP_HOST": smtp_server.host, "SMTP_PORT": smtp_server.port, "SMTP_SECURITY": "none"}
    )
    return smtp_server


def send_reminders(app: Flask, now: Any = None) -> Any:
    """Run ``careteam send-reminders`` as if the time were ``now``; return its report."""
    with app.app_context():
        return send_due_reminders(now)


def deliver_mail(app: Flask, now: Any = None) -> Any:
    """Run ``careteam send-mail`` as if the time were ``now``; return its report."""
    with app.app_context():
        return deliver_due(now)


def outbox_rows(app: Flask) -> list[Any]:
    """Return every queued email's (recipient, attempts, sent or not, last error), oldest
    first."""
    with app.app_context():
        return [
            (row.recipient, row.attempts, row.sent_at is not None, row.last_error)
            for row in db.session.execute(select(OutboxMessage).order_by(OutboxMessage.id))
            .scalars()
            .all()
        ]
