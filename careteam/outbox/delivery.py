"""Deliver queued messages: claim one, hand it to the transport, record how it went.

Each step is its own short transaction on its own connection, so a slow mail server holds no
database lock.  A claim is a conditional UPDATE (still unsent, due now) that pushes the next
attempt a lease ahead: two deliverers racing for one message cannot both win, and a deliverer
that dies mid-way leaves the message due again when the lease ends.  The cost of that is the
rare duplicate (a crash after the server took the message, before it was recorded), never a
lost password reset.  A failure is retried after a doubling delay, up to ``MAX_ATTEMPTS``;
an address the server refuses for good is given up at once.  Sent and given-up messages keep
their row (when, to whom, how many tries) but lose their text, which held live links.
"""

from __future__ import annotations

import logging
import smtplib
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from sqlalchemy import select, update

from ..db.clock import utcnow
from ..db.engine import immediate_writes
from ..extensions import db
from .models import OutboxMessage
from .transport import transmit

log = logging.getLogger(__name__)

LEASE = timedelta(minutes=10)
MAX_ATTEMPTS = 8
_PERMANENT = (smtplib.SMTPRecipientsRefused, smtplib.SMTPNotSupportedError, ValueError)
_table = OutboxMessage.__table__


@dataclass
class DeliveryReport:
    sent: int = 0
    failed: int = 0
    errors: list[str] = field(default_factory=list)


def retry_delay(attempts: int) -> timedelta:
    """Wait 1, 2, 4 ... minutes after the 1st, 2nd, 3rd ... failed attempt."""
    return timedelta(minutes=2 ** max(attempts - 1, 0))


def deliver(ids: Iterable[int], now: datetime | None = None) -> DeliveryReport:
    """Deliver those of these messages that are due (others are sent, taken or waiting)."""
    report = DeliveryReport()
    for message_id in ids:
        _deliver_one(message_id, now or utcnow(), report)
    return report


def deliver_due(now: datetime | None = None, limit: int = 1000) -> DeliveryReport:
    """Deliver every message whose time has come, oldest first (``careteam send-mail``)."""
    now = now or utcnow()
    with db.engine.connect() as conn:
        ids = conn.scalars(
            select(_table.c.id)
            .where(_table.c.next_attempt_at <= now)
            .order_by(_table.c.next_attempt_at, _table.c.id)
            .limit(limit)
        ).all()
    return deliver(ids, now)


def _deliver_one(message_id: int, now: datetime, report: DeliveryReport) -> None:
    claimed = _claim(message_id, now)
    if claimed is None:
        return
    recipient, stored, attempts = claimed
    try:
        transmit(recipient, stored)
    except Exception as error:  # a mail server down, refusing, or timing out
        name = type(error).__name__
        give_up = isinstance(error, _PERMANENT) or attempts >= MAX_ATTEMPTS
        log.warning(
            "Email %s not delivered (attempt %s, %s)%s",
            message_id,
            attempts,
            name,
            "; giving up" if give_up else "",
        )
        _record_failure(message_id, now, attempts, name, give_up)
        report.failed += 1
        report.errors.append(name)
        return
    _record(message_id, sent_at=utcnow(), next_attempt_at=None, message=b"", last_error=None)
    report.sent += 1


def _claim(message_id: int, now: datetime) -> tuple[str, bytes, int] | None:
    with immediate_writes(), db.engine.begin() as conn:
        won = conn.execute(
            update(_table)
            .where(
                _table.c.id == message_id,
                _table.c.sent_at.is_(None),
                _table.c.next_attempt_at <= now,
            )
            .values(attempts=_table.c.attempts + 1, next_attempt_at=now + LEASE)
        ).rowcount
        if won != 1:
            return None
        row = conn.execute(
            select(_table.c.recipient, _table.c.message, _table.c.attempts).where(
                _table.c.id == message_id
            )
        ).one()
    return row.recipient, bytes(row.message), row.attempts


def _record_failure(
    message_id: int, now: datetime, attempts: int, error: str, give_up: bool
) -> None:
    if give_up:
        _record(message_id, next_attempt_at=None, message=b"", last_error=f"{error} (gave up)")
    else:
        _record(message_id, next_attempt_at=now + retry_delay(attempts), last_error=error)


def _record(message_id: int, **values: object) -> None:
    with immediate_writes(), db.engine.begin() as conn:
        conn.execute(update(_table).where(_table.c.id == message_id).values(**values))
