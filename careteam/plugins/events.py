"""Event hooks, called after the change they report has been committed.

Services call :func:`emit` inside their transaction; the event waits on the database session.
If the transaction commits, the event moves to the "ready" list; if it rolls back, it is
dropped, so plugins never hear of a change that did not happen.  Ready events are delivered
after the request's response is built (``after_request``) or when a CLI command's app context
ends; a SQLAlchemy ``after_commit`` listener cannot deliver them itself, because no SQL may run
there and plugins usually want to read or write.

Each plugin's handler runs on its own; its writes are committed after it returns, or rolled
back if it raises (the core change is already committed and stays).
"""

from __future__ import annotations

import logging
from typing import Any

from flask import Flask, has_app_context
from sqlalchemy import event as sa_event
from sqlalchemy import select
from sqlalchemy.orm import Session

from ..auth.models import User
from ..db.clock import utcnow
from ..db.engine import immediate_writes
from ..db.outages import is_database_outage
from ..extensions import db
from .circle_reads import circle_reads
from .enablement import enabled_plugins, plugin_host
from .types import CareEvent

log = logging.getLogger("careteam.plugins")

_PENDING = "careteam_events_pending"
_READY = "careteam_events_ready"
# Handlers may cause further events (a plugin writes a note); stop a loop between plugins.
_MAX_ROUNDS = 5

EVENT_NAMES = frozenset(
    {
        "circle_created",
        "member_joined",
        "member_left",
        "member_role_changed",
        "note_created",
        "note_updated",
        "appointment_created",
        "appointment_updated",
        "appointment_cancelled",
    }
)


def emit(
    name: str, subject: dict[str, Any], actor_id: int | None, details: dict[str, Any] | None = None
) -> None:
    """Queue event ``name`` for delivery once the current transaction commits.

    ``subject`` is the object's ``audit_subject``: events name an object as its audit rows do
    (circle, type, id, and the audience of an object that has one).
    """
    if name not in EVENT_NAMES:
        raise ValueError(f"unknown event {name!r}")
    if not has_app_context():
        return
    host = plugin_host()
    if not host.implements(f"careteam_{name}"):
        return  # nobody listens: keep the hot path free of work
    pending = db.session.info.setdefault(_PENDING, [])
    pending.append(
        (
            subject["circle_id"],
            dict(
                name=name,
                object_type=subject["object_type"],
                object_id=subject["object_id"],
                audience=subject.get("object_audience"),
                details=dict(details or {}),
                occurred_at=utcnow(),
            ),
            actor_id,
        )
    )


def _committed(session: Session) -> None:
    pending = session.info.pop(_PENDING, None)
    if pending:
        session.info.setdefault(_READY, []).extend(pending)


def _rolled_back(session: Session) -> None:
    session.info.pop(_PENDING, None)


def _actor_public_id(user_id: int | None) -> str | None:
    if user_id is None:
        return None
    return db.session.scalar(select(User.public_id).where(User.id == user_id))


def _circle_public_id(circle_id: int) -> str:
    return circle_reads().public_id(circle_id)


def deliver_ready_events() -> int:
    """Call the event hooks for every committed event; return how many events were delivered."""
    if not has_app_context() or not db.session.info.get(_READY):
        return 0
    host = plugin_host()
    delivered = 0
    with immediate_writes():
        for _round in range(_MAX_ROUNDS):
            ready = db.session.info.pop(_READY, [])
            if not ready:
                break
            for circle_pk, fields, actor_id in ready:
                hook = f"careteam_{fields['name']}"
                listeners = host.impls(hook, enabled_plugins(circle_pk))
                if listeners:
                    event = CareEvent(
                        circle_id=_circle_public_id(circle_pk),
                        actor_id=_actor_public_id(actor_id),
                        **fields,
                    )
                    for impl in listeners:
                        _run(impl, hook, event)
                delivered += 1
        else:
            dropped = db.session.info.pop(_READY, [])
            if dropped:
                log.error("Dropped %d plugin events caused by plugin events", len(dropped))
        db.session.commit()
    return delivered


def _run(impl: Any, hook: str, event: CareEvent) -> None:
    try:
        impl.function(*[{"event": event}[arg] for arg in impl.argnames])
        db.session.commit()
    except Exception as error:  # the plugin's fault: undo its own writes, keep the core change
        db.session.rollback()
        if is_database_outage(error):
            raise  # not the plugin's fault, and the next handler would fail the same way
        log.exception("Plugin %s failed in %s", impl.plugin_name, hook)


def init_events(app: Flask) -> None:
    """Deliver committed events at the end of every request and app context."""

    @app.after_request
    def _deliver_after_request(response: Any) -> Any:
        try:
            deliver_ready_events()
        except Exception as error:
            if not is_database_outage(error):
                raise
            # The change is committed and the answer says so: a 503 now would have the person
            # send it again and save it twice.  The plugins miss this request's events.
            db.session.info.pop(_READY, None)
            db.session.rollback()
            log.warning("Plugin events not delivered: the database became unavailable")
        return response

    @app.teardown_appcontext
    def _deliver_at_teardown(_exc: BaseException | None) -> None:
        if _exc is None:
            try:
                deliver_ready_events()
            except Exception:  # never turn a finished command into a crash
                log.exception("Delivering plugin events failed")


def _listen_once() -> None:
    # One listener for every session of every app (db.session is shared by all apps).
    if not sa_event.contains(Session, "after_commit", _committed):
        sa_event.listen(Session, "after_commit", _committed)
        sa_event.listen(Session, "after_rollback", _rolled_back)


_listen_once()
