"""Email: render a message, queue it in the outbox, and hand a queued one to its transport.

Sending is two steps.  :func:`send_template` and :func:`send_message` *queue* the rendered
message in the caller's transaction (see :mod:`careteam.outbox`), so an action that is rolled
back sends nothing and a request never waits for a mail server.  The outbox later calls
:func:`transmit`: SMTP when configured, otherwise (development only) .eml files in a folder.

Nothing here logs a message's body, its links or its tokens -- only that a message was sent.
"""

from __future__ import annotations

import logging
import smtplib
import ssl
import uuid
from email import message_from_bytes, policy
from email.message import EmailMessage
from email.utils import formatdate, make_msgid
from pathlib import Path

from flask import current_app, render_template

log = logging.getLogger(__name__)


def build_message(to: str, subject: str, text: str, html: str | None = None) -> EmailMessage:
    message = EmailMessage()
    message["From"] = current_app.config["MAIL_FROM"]
    message["To"] = to
    message["Subject"] = subject
    message["Date"] = formatdate(localtime=False)
    message["Message-ID"] = make_msgid(domain="careteam.invalid")
    message.set_content(text)
    if html is not None:
        message.add_alternative(html, subtype="html")
    return message


def render_message(to: str, subject: str, template: str, **context: object) -> EmailMessage:
    """Render ``<template>.txt`` and ``<template>.html`` from templates/email/ into a message."""
    text = render_template(f"email/{template}.txt", **context)
    html = render_template(f"email/{template}.html", **context)
    return build_message(to, subject, text, html)


def send_message(message: EmailMessage) -> None:
    """Queue a built message in the caller's transaction; it goes out after the commit."""
    from . import outbox

    outbox.enqueue(message)


def send_template(to: str, subject: str, template: str, **context: object) -> None:
    """Render ``<template>.txt`` and ``.html`` from templates/email/ and queue the message."""
    send_message(render_message(to, subject, template, **context))


def serialise(message: EmailMessage) -> bytes:
    """Return the stored form of a message (raises ValueError for one that cannot be carried)."""
    return bytes(message)


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
