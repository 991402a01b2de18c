"""Server-side sign-in sessions: what makes logout and "log out everywhere" final.

The browser's cookies carry a random token (through Flask-Login's ``get_id``); the database
keeps its hash with the session's age, last activity and revocation.  A cookie copied before
logout names a revoked row and is refused.
"""

from __future__ import annotations

import re
from datetime import datetime, timedelta

from flask import current_app, request
from sqlalchemy import select, update
from sqlalchemy.orm.attributes import set_committed_value

from ..db.clock import utcnow
from ..db.engine import short_write
from ..db.tokens import new_token, token_hash
from ..extensions import db
from .models import User, UserSession

# Recording last activity on every request would turn each page view into a write.
_ACTIVITY_GRANULARITY = timedelta(seconds=60)
_PUBLIC_ID = re.compile(r"[A-Za-z0-9_-]{1,16}")


def start_session(user: User, remember: bool) -> str:
    """Create a session row for ``user`` and return the raw token for the cookies."""
    now = utcnow()
    lifetime = (
        timedelta(days=current_app.config["REMEMBER_DAYS"])
        if remember
        else timedelta(hours=current_app.config["SESSION_MAX_HOURS"])
    )
    token = new_token()
    row = UserSession(
        user_id=user.id,
        token_hash=token_hash(token),
        remember=remember,
        created_at=now,
        last_seen_at=now,
        expires_at=now + lifetime,
        user_agent=(request.user_agent.string or "")[:255],
        ip_address=(request.remote_addr or "")[:64],
    )
    db.session.add(row)
    db.session.flush()
    # From here on this request acts as the new session (e.g. "end my other sessions").
    user.current_session = row
    user.pending_session_token = token
    return token


def renew_session(user: User) -> str:
    """Replace the session this request authenticated with by a new one; return its token.

    Called after the person proved who they are again (password or email change): a token
    someone copied before is dead at once.  The new session keeps "keep me signed in"; the
    caller commits and then writes the new token into the cookies (Flask-Login's
    ``login_user``).
    """
    remember = bool(user.current_session is not None and user.current_session.remember)
    end_session(user)
    return start_session(user, remember)


def load_session_user(token: str) -> User | None:
    """Return the user of a live session named by ``token``, or None if it has ended."""
    row = db.session.execute(
        select(UserSession, User)
        .join(User, User.id == UserSession.user_id)
        .where(UserSession.token_hash == token_hash(token))
    ).first()
    if row is None:
        return None
    return live_session_user(row[0], row[1], token)


def live_session_user(sess: UserSession, user: User, token: str) -> User | None:
    """Return ``user`` if ``sess`` (read by its token) is still live, else None; record
    activity now and then."""
    now = utcnow()
    idle_limit = (
        timedelta(days=current_app.config["REMEMBER_DAYS"])
        if sess.remember
        else timedelta(minutes=current_app.config["SESSION_IDLE_MINUTES"])
    )
    if (
        sess.revoked_at is not None
        or sess.expires_at <= now
        or sess.last_seen_at + idle_limit <= now
        or not user.active
    ):
        return None
    if now - sess.last_seen_at >= _ACTIVITY_GRANULARITY:
        _touch(sess.id, now)
        # Show the new value without marking the row dirty: an ORM flush later in a GET
        # would turn the page view into a write (and on SQLite fail on the stale snapshot).
        set_committed_value(sess, "last_seen_at", now)
    user.current_session = sess
    user.pending_session_token = token
    return user


def _touch(session_id: int, now: datetime) -> None:
    """Record activity in its own short write, so reads never hold the SQLite write lock."""
    with short_write() as conn:
        conn.execute(
            update(UserSession).where(UserSession.id == session_id).values(last_seen_at=now)
        )


def end_session(user: User) -> None:
    """Revoke the session the current request authenticated with."""
    if user.current_session is not None:
        db.session.execute(
            update(UserSession)
            .where(UserSession.id == user.current_session.id)
            .values(revoked_at=utcnow())
        )


def end_other_sessions(user: User, keep_current: bool = True) -> int:
    """Revoke every live session of ``user`` except, optionally, the current one."""
    stmt = update(UserSession).where(
        UserSession.user_id == user.id, UserSession.revoked_at.is_(None)
    )
    if keep_current and user.current_session is not None:
        stmt = stmt.where(UserSession.id != user.current_session.id)
    return db.session.execute(stmt.values(revoked_at=utcnow())).rowcount or 0


def end_session_by_public_id(user: User, public_id: str) -> bool:
    """Revoke one of the user's own sessions; False when no such live session is theirs."""
    if not _PUBLIC_ID.fullmatch(public_id):
        return False  # PostgreSQL would refuse e.g. a NUL byte instead of finding nothing
    result = db.session.execute(
        update(UserSession)
        .where(
            UserSession.user_id == user.id,
            UserSession.public_id == public_id,
            UserSession.revoked_at.is_(None),
        )
        .values(revoked_at=utcnow())
    )
    return bool(result.rowcount)


def active_sessions(user: User) -> list[UserSession]:
    """Return the user's live sessions, most recently active first."""
    now = utcnow()
    return list(
        db.session.scalars(
            select(UserSession)
            .where(
                UserSession.user_id == user.id,
                UserSession.revoked_at.is_(None),
                UserSession.expires_at > now,
            )
            .order_by(UserSession.last_seen_at.desc())
        )
    )
