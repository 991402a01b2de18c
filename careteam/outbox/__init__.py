"""The durable mail outbox: emails are rows, queued with the change that causes them.

:func:`careteam.mail.send_template` queues a rendered message in the caller's transaction
(:func:`enqueue`), so a rolled-back action sends nothing.  What a request queued is delivered
once its response has been sent; what a command queued, when the command is done (see
:mod:`careteam.outbox.queue`).  A failed delivery waits, with a growing delay, for
``careteam send-mail`` (:func:`deliver_due`), which cron or a systemd timer runs.
:mod:`.transport` hands each message to SMTP, or to a folder of .eml files in development.
"""

from __future__ import annotations

from .delivery import DeliveryReport, deliver, deliver_due, retry_delay
from .models import OutboxMessage
from .queue import enqueue, init_app

__all__ = [
    "DeliveryReport",
    "OutboxMessage",
    "deliver",
    "deliver_due",
    "enqueue",
    "init_app",
    "retry_delay",
]
