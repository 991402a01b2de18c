"""Hand a queued message to its transport: SMTP, or (development only) .eml files in a folder.

Nothing here logs a message's body, its links or its tokens -- only that a message was sent.
"""

from __future__ import annotations

import logging
import smtplib
import ssl
import uuid
from email import message_from_bytes, policy
from email.message import EmailMessage
from pathlib import Path

from flask import current_app

# The mail log that operators (and tests) follow: what was sent and how, never what it said.
log = logging.getLogger("careteam.mail")


def transmit(recipient: str, stored: bytes) -> None:
    """Deliver a stored message now, through SMTP or into the development outbox folder."""
    if current_app.config.get("SMTP_HOST"):
        message = message_from_bytes(stored, policy=policy.default)
        # The envelope takes the address as queued: smtplib asks the server for SMTPUTF8 when
        # it is not ASCII, as it did when messages were sent from the request.
        _send_smtp(message, recipient)  # type: ignore[arg-type]
        log.info("Sent email %r by SMTP", message["Message-ID"])
    else:
        path = _save_to_outbox(stored)
        log.info("Saved email to %s (no SMTP configured)", path)


def _send_smtp(message: EmailMessage, recipient: str) -> None:
    config = current_app.config
    security = (config.get("SMTP_SECURITY") or "starttls").lower()
    host, port, timeout = config["SMTP_HOST"], config["SMTP_PORT"], config["SMTP_TIMEOUT"]
    if security == "ssl":
        client: smtplib.SMTP = smtplib.SMTP_SSL(
            host, port, timeout=timeout, context=ssl.create_default_context()
        )
    else:
        client = smtplib.SMTP(host, port, timeout=timeout)
    with client:
        if security == "starttls":
            client.starttls(context=ssl.create_default_context())
        if config.get("SMTP_USERNAME"):
            client.login(config["SMTP_USERNAME"], config.get("SMTP_PASSWORD") or "")
        client.send_message(message, to_addrs=[recipient])


def _save_to_outbox(stored: bytes) -> Path:
    outbox = Path(current_app.config["MAIL_OUTBOX"])
    outbox.mkdir(parents=True, exist_ok=True)
    path = outbox / f"{uuid.uuid4().hex}.eml"
    path.write_bytes(stored)
    path.chmod(0o600)
    return path
