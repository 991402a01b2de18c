"""Sending email: SMTP when configured, otherwise (development only) .eml files in an outbox.

Nothing here logs a message's body, its links or its tokens -- only that a message was sent.
"""

from __future__ import annotations

import logging
import smtplib
import ssl
import uuid
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


def send_message(message: EmailMessage) -> None:
    """Deliver a built message through SMTP, or into the development outbox."""
    config = current_app.config
    if config.get("SMTP_HOST"):
        _send_smtp(message)
        log.info("Sent email %r by SMTP", message["Message-ID"])
    else:
        path = _save_to_outbox(message)
        log.info("Saved email to %s (no SMTP configured)", path)


def send_template(to: str, subject: str, template: str, **context: object) -> None:
    """Render ``<template>.txt`` and ``<template>.html`` from templates/email/ and send them."""
    text = render_template(f"email/{template}.txt", **context)
    html = render_template(f"email/{template}.html", **context)
    send_message(build_message(to, subject, text, html))


def _send_smtp(message: EmailMessage) -> None:
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
        client.send_message(message)


def _save_to_outbox(message: EmailMessage) -> Path:
    outbox = Path(current_app.config["MAIL_OUTBOX"])
    outbox.mkdir(parents=True, exist_ok=True)
    path = outbox / f"{uuid.uuid4().hex}.eml"
    path.write_bytes(bytes(message))
    path.chmod(0o600)
    return path
