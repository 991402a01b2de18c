"""Failed sign-ins per email address, held in the database so every worker sees them.

Addresses with no account are counted the same way, so the answers never reveal which
addresses are registered.  After a few failures each further one doubles the wait.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from flask import current_app
from sqlalchemy import delete, select

from ..clock import utcnow
from ..extensions import db
from ..tokens import token_hash
from .models import LoginThrottle


def _key(email: str) -> str:
    return token_hash("login:" + email.strip().lower())


def locked_until(email: str) -> datetime | None:
    """Return when sign-in may be tried again, or None if it may be tried now."""
    row = db.session.get(LoginThrottle, _key(email))
    if row is None or row.locked_until is None or row.locked_until <= utcnow():
        return None
    return row.locked_until


def record_failure(email: str) -> datetime | None:
    """Count a failed sign-in; return the time the address is locked until, if it now is."""
    key = _key(email)
    now = utcnow()
    row = db.session.scalar(select(LoginThrottle).where(LoginThrottle.email_hash == key))
    if row is None:
        row = LoginThrottle(email_hash=key, failures=0)
        db.session.add(row)
    row.failures = (row.failures or 0) + 1
    row.last_failure_at = now
    free = current_app.config["LOGIN_FAILURES_BEFORE_DELAY"]
    if row.failures >= free:
        minutes = min(2 ** (row.failures - free), current_app.config["LOGIN_MAX_DELAY_MINUTES"])
        row.locked_until = now + timedelta(minutes=minutes)
    return row.locked_until


def clear(email: str) -> None:
    db.session.execute(delete(LoginThrottle).where(LoginThrottle.email_hash == _key(email)))
