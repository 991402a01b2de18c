"""Email: render a message and queue it in the outbox.

Sending is two steps.  :func:`send_template` and :func:`send_message` *queue* the rendered
message in the caller's transaction (see :mod:`careteam.outbox`), so an action that is rolled
back sends nothing and a request never waits for a mail server.  The outbox later hands it to
:func:`careteam.outbox.transport.transmit`: SMTP when configured, otherwise (development only)
.eml files in a folder.
"""

from __future__ import annotations

from email.message import EmailMessage
from email.utils import formatdate, make_msgid

from flask import current_app, render_template

from . import outbox


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
    outbox.enqueue(message)


def send_template(to: str, subject: str, template: str, **context: object) -> None:
    """Render ``<template>.txt`` and ``.html`` from templates/email/ and queue the message."""
    send_message(render_message(to, subject, template, **context))
