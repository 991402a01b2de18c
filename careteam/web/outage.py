"""A calm 503 when the database is out of reach for a moment, instead of a crash page.

A PostgreSQL restart drops every open connection, and a SQLite writer gives up after the busy
timeout while another holds the lock; in both cases the request's transaction was rolled back,
so the honest answer is "not now, try again": 503 with ``Retry-After``.  A form that was being
sent comes back on that page, ready to send again, so nothing the person typed is lost (and
when the request had committed a change before the outage, the page says it may be saved
already).  The outage goes to the log as one warning line, without a
traceback and without anything from the form.

The pool drops dead connections by itself: SQLAlchemy invalidates a connection (and every older
one in the pool) when the driver reports a disconnect, and ``pool_pre_ping`` tests each
PostgreSQL connection before a request uses it (:func:`careteam.db.engine.engine_options`).
"""

from __future__ import annotations

import logging
from typing import Any

from flask import (
    Flask,
    current_app,
    g,
    has_request_context,
    make_response,
    render_template,
    request,
)
from sqlalchemy import event
from sqlalchemy.engine import ExceptionContext
from sqlalchemy.orm import Session

from ..db.engine import transaction_wrote
from ..db.outages import is_database_outage, is_outage, outage_in
from ..extensions import db

log = logging.getLogger(__name__)

RETRY_AFTER_SECONDS = 5
_SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})
# Request state that says the database was lost earlier in this request (a plugin's panel or
# hook may have caught the error itself; the next statement then fails with a plainer one).
_SEEN = "careteam_database_outage"


def _reason(error: BaseException | None) -> str:
    """Name the driver's error in a few words: its class and first line, never the statement
    or its parameters (they may hold what someone wrote)."""
    if error is None:
        return "unknown"
    orig = getattr(error, "orig", None) or error
    first_line = (str(orig).strip().splitlines() or [""])[0][:160]
    return f"{type(orig).__name__}: {first_line}" if first_line else type(orig).__name__


def _remember_outage(context: ExceptionContext) -> None:
    error = context.sqlalchemy_exception
    if has_request_context() and (
        context.is_disconnect or (error is not None and is_outage(error))
    ):
        g.setdefault(_SEEN, _reason(error or context.original_exception))


def outage_seen(error: BaseException) -> bool:
    """Whether this request's failure comes from a database outage (now or earlier in it)."""
    return is_database_outage(error) or (has_request_context() and _SEEN in g)


def answer_outage(error: BaseException) -> Any:
    """Answer 503 with ``Retry-After`` and the sent form ready to send again; log one line."""
    found = outage_in(error)
    reason = _reason(found) if found is not None else g.get(_SEEN, "unknown")
    log.warning(
        "Database unavailable: answered 503 to %s %s (%s)",
        request.method,
        request.endpoint or "an unknown page",
        reason,
    )
    _forget_database_state()
    page = render_template(
        "errors/unavailable.html",
        resend=_resend_form() if request.method not in _SAFE_METHODS else None,
        saved_already=g.get(_SAVED, False),
        retry_url=_same_url(),
        retry_after=RETRY_AFTER_SECONDS,
    )
    response = make_response(page, 503)
    response.headers["Retry-After"] = str(RETRY_AFTER_SECONDS)
    # The page may show what someone wrote about the person cared for.
    response.headers["Cache-Control"] = "no-store"
    return response


def _forget_database_state() -> None:
    """Roll back, and keep the page from touching the database again while it renders.

    After the rollback every loaded object (the signed-in user, the circle) is expired, and
    reading any of its fields would query the database that just failed.  So the page is
    rendered as for a visitor, without the circle's menu.
    """
    try:
        db.session.rollback()
    except Exception as failure:
        log.warning("Rolling back after a database outage failed too (%s)", _reason(failure))
    g._login_user = current_app.login_manager.anonymous_user()  # type: ignore[attr-defined]
    g.pop("circle", None)
    g.pop("membership", None)


def _same_url() -> str:
    query = request.query_string.decode("latin-1")
    return request.script_root + request.path + (f"?{query}" if query else "")


def _label(name: str) -> str:
    words = name.replace("-", " ").replace("_", " ").strip()
    return words[:1].upper() + words[1:] if words else name


def _resend_form() -> dict[str, Any]:
    """What the form sent, to send again: every field but the spent CSRF token and passwords
    (never written into a page); the fields with text in them are also shown."""
    fields, password_left_out = [], False
    for name, value in request.form.items(multi=True):
        if "password" in name.lower():
            password_left_out = password_left_out or bool(value)
        elif name != "csrf_token":
            fields.append((name, value))
    shown = [(_label(name), value) for name, value in fields if value.strip()]
    return {
        "action": _same_url(),
        "fields": fields,
        "shown": shown,
        "password_left_out": password_left_out,
    }


# Whether the request committed a change before the database went away (a view commits, then
# reads again to build its redirect): its page must not say that nothing was saved, or the
# person would send it again and save it twice.
_CONNECTION = "careteam_transaction_connection"
_SAVED = "careteam_request_saved_a_change"


def _began(session: Session, _transaction: Any, connection: Any) -> None:
    session.info[_CONNECTION] = connection


def _committed(session: Session) -> None:
    connection = session.info.pop(_CONNECTION, None)
    if connection is not None and has_request_context() and transaction_wrote(connection):
        setattr(g, _SAVED, True)


def _rolled_back(session: Session) -> None:
    session.info.pop(_CONNECTION, None)


def init_outage(app: Flask) -> None:
    """Note outages the engine reports and changes a request commits (call inside an app
    context, after the engine exists)."""
    event.listen(db.engine, "handle_error", _remember_outage)
    # One set of session listeners for every app (db.session is shared by all apps).
    if not event.contains(Session, "after_commit", _committed):
        event.listen(Session, "after_begin", _began)
        event.listen(Session, "after_commit", _committed)
        event.listen(Session, "after_rollback", _rolled_back)
