"""The audit trail: who did what to which record, when, and from where.

Changes are recorded in the same transaction as the change, so both land or neither does.
Views of care records are recorded after the read, in their own short write transaction.
Never put passwords, tokens or note text into ``details``.
"""

from __future__ import annotations

import functools
from datetime import datetime
from typing import Any

from flask import g, has_request_context, request
from flask_login import current_user
from sqlalchemy import JSON, ForeignKey, Index, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from .clock import utcnow
from .database import short_write
from .dbtypes import UTCDateTime
from .extensions import db


class AuditEvent(db.Model):
    __tablename__ = "audit_events"
    __table_args__ = (
        Index("ix_audit_events_circle_keyset", "circle_id", "id"),
        Index("ix_audit_events_actor", "actor_id", "id"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    occurred_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    actor_id: Mapped[int | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL"), nullable=True
    )
    # Circles arrive later; audit rows outlive nothing they describe, so no foreign key here.
    circle_id: Mapped[int | None] = mapped_column(Integer, nullable=True)
    action: Mapped[str] = mapped_column(String(64))
    object_type: Mapped[str] = mapped_column(String(40), default="")
    object_id: Mapped[str] = mapped_column(String(64), default="")
    ip_address: Mapped[str] = mapped_column(String(64), default="")
    request_id: Mapped[str] = mapped_column(String(36), default="")
    details: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)


def _actor_id(actor_id: int | None) -> int | None:
    if actor_id is not None:
        return actor_id
    if has_request_context() and current_user and current_user.is_authenticated:
        return current_user.id
    return None


def _build(
    action: str,
    *,
    circle_id: int | None,
    object_type: str,
    object_id: str | int,
    actor_id: int | None,
    details: dict[str, Any] | None,
) -> AuditEvent:
    return AuditEvent(
        occurred_at=utcnow(),
        actor_id=_actor_id(actor_id),
        circle_id=circle_id,
        action=action,
        object_type=object_type,
        object_id=str(object_id),
        ip_address=(request.remote_addr or "")[:64] if has_request_context() else "",
        request_id=g.get("request_id", "") if has_request_context() else "",
        details=details or {},
    )


def record(
    action: str,
    *,
    circle_id: int | None = None,
    object_type: str = "",
    object_id: str | int = "",
    actor_id: int | None = None,
    details: dict[str, Any] | None = None,
) -> AuditEvent:
    """Add an audit row to the current transaction (commit it with the change it records)."""
    event = _build(
        action,
        circle_id=circle_id,
        object_type=object_type,
        object_id=object_id,
        actor_id=actor_id,
        details=details,
    )
    db.session.add(event)
    return event


def record_now(action: str, **fields: Any) -> None:
    """Write an audit row in its own short transaction (views, failed sign-ins); ``fields``
    as for :func:`record`.

    It uses a separate connection so a read in progress is neither committed nor turned into
    a write transaction.
    """
    with short_write() as conn:
        record_on(conn, action, **fields)


def record_on(
    conn: Any,
    action: str,
    *,
    circle_id: int | None = None,
    object_type: str = "",
    object_id: str | int = "",
    actor_id: int | None = None,
    details: dict[str, Any] | None = None,
) -> None:
    """Write an audit row on ``conn``, a :func:`careteam.database.short_write` connection that
    carries other small writes of the same page view (one transaction instead of two)."""
    event = _build(
        action,
        circle_id=circle_id,
        object_type=object_type,
        object_id=object_id,
        actor_id=actor_id,
        details=details,
    )
    values = {c.name: getattr(event, c.key) for c in AuditEvent.__table__.columns if c.name != "id"}
    conn.execute(_insert_event(), values)


@functools.cache
def _insert_event() -> Any:
    # Built once, the row's values passed as parameters: building an insert with its values
    # cost more than writing the row (audited pages write one per view).
    return AuditEvent.__table__.insert()
