"""Queue messages in the caller's transaction; deliver them once the work that queued them is
done.

In a request that is after the response has been sent: werkzeug's ``call_on_close`` runs when
the WSGI server closes the response, which gunicorn's workers and werkzeug's server do after
writing the whole body (Flask's teardown functions run earlier, before the body is sent).  So
nobody waits for the mail server, and the answer takes as long whether or not it sent mail.
Outside a request (CLI commands, scripts) they are delivered when the app context ends, after
the command's commit.  Only committed rows can be claimed, so a message whose transaction was
rolled back is simply not there to deliver.
"""

from __future__ import annotations

import logging
from email.message import EmailMessage
from typing import Any

from flask import Flask, Response, current_app, g
from sqlalchemy import insert
from sqlalchemy.engine import Connection

from ..db.clock import utcnow
from ..extensions import db
from .delivery import deliver
from .models import OutboxMessage

log = logging.getLogger(__name__)

_QUEUED = "careteam_outbox_queued"


def serialise(message: EmailMessage) -> bytes:
    """Return the stored form of a message (raises ValueError for one that cannot be carried)."""
    return bytes(message)


def enqueue(message: EmailMessage, connection: Connection | None = None) -> int:
    """Queue ``message`` in the session's transaction (or on ``connection``); return its id.

    Raises ValueError for a message the mail library cannot serialise.
    """
    stored = serialise(message)
    now = utcnow()
    statement = insert(OutboxMessage.__table__).values(
        recipient=str(message["To"]),
        subject=str(message["Subject"]),
        message=stored,
        created_at=now,
        attempts=0,
        next_attempt_at=now,
    )
    result = (connection or db.session).execute(statement)
    message_id = int(result.inserted_primary_key[0])
    g.setdefault(_QUEUED, []).append(message_id)
    return message_id


def init_app(app: Flask) -> None:
    """Deliver what each request queued after its response, and what a command queued at its
    end."""
    app.after_request(_deliver_after_response)
    app.teardown_appcontext(_deliver_at_teardown)


def _deliver_after_response(response: Response) -> Response:
    queued = g.pop(_QUEUED, None)
    if queued:
        app = current_app._get_current_object()  # type: ignore[attr-defined]
        response.call_on_close(lambda: _deliver_in_context(app, queued))
    return response


def _deliver_in_context(app: Flask, ids: list[int]) -> None:
    try:
        with app.app_context():
            deliver(ids)
    except Exception:  # the response is gone: nothing to show, and send-mail retries
        log.exception("Delivering queued email after the response failed")


def _deliver_at_teardown(_error: Any) -> None:
    queued = g.pop(_QUEUED, None)
    if not queued:
        return
    # End the caller's transaction first: on SQLite, one still open after a write would hold
    # the lock the delivery's own transactions wait for.
    db.session.remove()
    try:
        deliver(queued)
    except Exception:
        log.exception("Delivering queued email failed")
