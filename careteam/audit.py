"""The audit trail: who did what to which record, when, and from where.

Changes are recorded in the same transaction as the change, so both land or neither does.
Views of care records are recorded after the read, in their own short write transaction.
Never put passwords, tokens or note text into ``details``.

Rows about an object that has an audience (a note, an appointment, a plugin's own kinds) carry
that audience and the object's author, so the circle's log shows each row only to those who may
see the object (:func:`careteam.circles.audit_log.audit_page`).  The stamp is written with the
row, and rewritten by :func:`restamp_audience` when the object's audience changes, so rows about
an object deleted since keep the rule of the object as it was.  Recording a row about a
registered audience-bearing type without its audience raises :class:`MissingAudience`.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from flask import g, has_request_context, request
from flask_login import current_user
from sqlalchemy import JSON, ForeignKey, Index, Integer, String, insert, update
from sqlalchemy.orm import Mapped, mapped_column

from .audience import Audience
from .db.clock import utcnow
from .db.engine import short_write
from .db.types import UTCDateTime
from .extensions import db


class AuditEvent(db.Model):
    __tablename__ = "audit_events"
    __table_args__ = (
        # The audience columns ride along so the log page finds the rows a reader may see
        # from the index alone: a hidden row costs an index entry, not a table row.
        Index(
            "ix_audit_events_circle_keyset",
            "circle_id",
            "id",
            "object_audience",
            "object_author_id",
        ),
        Index("ix_audit_events_actor", "actor_id", "id"),
        # restamp_audience finds one object's rows.
        Index("ix_audit_events_object", "object_type", "object_id"),
        # Deleting an account nulls its stamps (ON DELETE SET NULL) without reading the table.
        Index("ix_audit_events_object_author", "object_author_id"),
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
    # The audience of the object the row is about, and its author ("only me" means them);
    # NULL for objects without an audience: any reader of the log sees those rows.
    object_audience: Mapped[str | None] = mapped_column(String(20), nullable=True)
    # A foreign key, so an id SQLite hands to a new account never inherits someone's drafts.
    object_author_id: Mapped[int | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL"), nullable=True
    )


class MissingAudience(TypeError):
    """An audit row about an object with an audience was recorded without that audience."""


# Object types whose rows must carry the object's audience.  Module-level like the mapped
# models themselves: a type is a fact about code, the same for every app in the process.
_AUDIENCE_TYPES: set[str] = set()
_AUDIENCE_VALUES = frozenset(a.value for a in Audience)


def register_audience_type(object_type: str) -> None:
    """Declare that objects of ``object_type`` have an audience: every audit row about one
    must then pass ``object_audience`` (and ``object_author_id``), or recording it raises."""
    _AUDIENCE_TYPES.add(object_type)


def audience_types() -> frozenset[str]:
    """Return the registered audience-bearing object types."""
    return frozenset(_AUDIENCE_TYPES)


def check_audience(object_type: str, object_audience: str | None) -> None:
    """Raise :class:`MissingAudience` if a row about ``object_type`` needs an audience and has
    none, ValueError if ``object_audience`` is not an audience (for code that writes audit rows
    in bulk, without :func:`record`)."""
    if object_audience is None:
        if object_type in _AUDIENCE_TYPES:
            raise MissingAudience(
                f"An audit row about a {object_type!r} must carry its audience: pass "
                "object_audience= and object_author_id= (the object's own values)."
            )
        return
    if object_audience not in _AUDIENCE_VALUES:
        raise ValueError(f"Unknown audience {object_audience!r} for an audit row.")


def restamp_audience(object_type: str, object_id: str | int, audience: str) -> int:
    """Give every audit row about this object its new audience (in the caller's transaction,
    with the change itself); return how many rows were stamped.  The author stays: "only me"
    always means the object's author."""
    check_audience(object_type, audience)
    result = db.session.execute(
        update(AuditEvent)
        .where(AuditEvent.object_type == object_type, AuditEvent.object_id == str(object_id))
        .values(object_audience=audience)
        .execution_options(synchronize_session=False)
    )
    return result.rowcount


def subject(
    object_type: str,
    object_id: str,
    circle_id: int | None = None,
    audience: str | None = None,
    author_id: int | None = None,
) -> dict[str, Any]:
    """Return the fields that name an object in an audit row (a model's ``audit_subject``,
    passed to :func:`record` as ``**note.audit_subject``).  An object with an audience gives
    it and its author: they decide who sees the row."""
    fields: dict[str, Any] = {
        "circle_id": circle_id,
        "object_type": object_type,
        "object_id": object_id,
    }
    if audience is not None:
        fields.update(object_audience=audience, object_author_id=author_id)
    return fields


def _actor_id(actor_id: int | None) -> int | None:
    if actor_id is not None:
        return actor_id
    if has_request_context() and current_user and current_user.is_authenticated:
        return current_user.id
    return None


def new_event(
    action: str,
    *,
    circle_id: int | None = None,
    object_type: str = "",
    object_id: str | int = "",
    actor_id: int | None = None,
    details: dict[str, Any] | None = None,
    object_audience: str | None = None,
    object_author_id: int | None = None,
) -> AuditEvent:
    """Return an unsaved audit row; these are the fields every ``record`` function takes.

    For an object with an audience, pass its ``object_audience`` and ``object_author_id``
    (the object's ``audit_subject`` carries them with its circle, type and id).
    """
    check_audience(object_type, object_audience)
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
        object_audience=object_audience,
        object_author_id=object_author_id if object_audience is not None else None,
    )


def record(action: str, **fields: Any) -> AuditEvent:
    """Add an audit row to the current transaction (commit it with the change it records);
    ``fields`` as for :func:`new_event`."""
    event = new_event(action, **fields)
    db.session.add(event)
    return event


def record_now(action: str, **fields: Any) -> None:
    """Write an audit row in its own short transaction (views, failed sign-ins); ``fields``
    as for :func:`new_event`.

    It uses a separate connection so a read in progress is neither committed nor turned into
    a write transaction.
    """
    with short_write() as conn:
        record_on(conn, action, **fields)


def record_on(conn: Any, action: str, **fields: Any) -> None:
    """Write an audit row on ``conn``, a :func:`careteam.db.engine.short_write` connection that
    carries other small writes of the same page view (one transaction instead of two);
    ``fields`` as for :func:`new_event`."""
    conn.execute(insert(AuditEvent), row_values(new_event(action, **fields)))


def row_values(event: AuditEvent) -> dict[str, Any]:
    """Return an unsaved row's column values, for an INSERT written without the ORM."""
    return {c.name: getattr(event, c.key) for c in AuditEvent.__table__.columns if c.name != "id"}


def record_audience_change(
    object_type: str,
    object_id: str,
    *,
    circle_id: int,
    actor_id: int,
    author_id: int | None,
    before: str,
    after: str,
) -> None:
    """Add the ``<object_type>.audience_changed`` audit row (before and after) to the change's
    transaction, and give the object's earlier audit rows its new audience, so the audit log
    shows them to the same people as the object; nothing when the audience stayed the same."""
    if before == after:
        return
    restamp_audience(object_type, object_id, after)
    record(
        f"{object_type}.audience_changed",
        circle_id=circle_id,
        object_type=object_type,
        object_id=object_id,
        actor_id=actor_id,
        details={"before": before, "after": after},
        object_audience=after,
        object_author_id=author_id,
    )
