"""Wire Flask-Login to the server-side sessions."""

from __future__ import annotations

from flask import Flask, session
from flask_login import current_user, login_user

from .. import audit
from ..extensions import db, login_manager
from .models import User
from .sessions import end_session, load_session_user, start_session


def init_login(app: Flask) -> None:
    login_manager.login_view = "auth.login"
    login_manager.login_message = "Please sign in to see that page."
    login_manager.login_message_category = "info"
    # Our own session rows already bind cookies to one sign-in; Flask-Login's IP/agent
    # heuristics would only sign out people whose phone changes networks.
    login_manager.session_protection = None
    login_manager.user_loader(load_session_user)


def session_token() -> str | None:
    """Return the session token this browser's cookie session names, if any.

    Flask-Login keeps what :meth:`User.get_id` returned under ``_user_id``; a remember cookie
    alone (no token here yet) is left to Flask-Login.
    """
    token = session.get("_user_id")
    return token if isinstance(token, str) else None


def make_current_user(user: User) -> None:
    """Make ``user``, read by another query, Flask-Login's ``current_user`` for this request.

    The circle guard reads the session together with the circle (:mod:`careteam.circles.guard`).
    Flask-Login has no public call for this: ``login_user`` would also rewrite the cookies, so
    this is its own internal step, pinned by constraints.txt and covered by the guard's tests.
    """
    login_manager._update_request_context_with_user(user)


def write_session_cookies(user: User) -> None:
    """Point this browser's cookies at ``user``'s current session token.

    Call it after committing :func:`careteam.auth.sessions.start_session` or
    :func:`~careteam.auth.sessions.renew_session`; the remember cookie follows the session's
    own "keep me signed in" choice.
    """
    session_row = user.current_session
    login_user(user, remember=bool(session_row is not None and session_row.remember))


def sign_in(user: User, remember: bool, how: str = "password") -> None:
    """Sign ``user`` in to this browser with a fresh session; commits.

    Nothing from before sign-in carries over, and a session this browser already had (the
    same person or another) ends at once, so its token, wherever it was copied to, stops
    working.  ``how`` other than "password" is noted in the audit row.
    """
    if current_user.is_authenticated:
        end_session(current_user)
    session.clear()
    start_session(user, remember)
    audit.record(
        "auth.signed_in",
        actor_id=user.id,
        details={"with": how} if how != "password" else None,
        **user.audit_subject,
    )
    db.session.commit()
    write_session_cookies(user)
