"""Failed sign-ins per email address, held in the database so every worker sees them.

Addresses with no account are counted the same way, so the answers never reveal which
addresses are registered.  After a few failures each further one doubles the wait.
"""

from __future__ import annotations

import math
from datetime import datetime, timedelta

from flask import current_app
from sqlalchemy import case, delete, update

from ..clock import utcnow
from ..extensions import db
from ..tokens import token_hash
from .models import LoginThrottle

# A failure this long after the previous one starts the count again, so a typo next month
# does not inherit last month's lock-out.
FORGET_AFTER = timedelta(hours=24)


def _key(email: str) -> str:
    return token_hash("login:" + email.strip().lower())


def locked_until(email: str) -> datetime | None:
    """Return when sign-in may be tried again, or None if it may be tried now."""
    row = db.session.get(LoginThrottle, _key(email), populate_existing=True)
    if row is None or row.locked_until is None or row.locked_until <= utcnow():
        return None
    return row.locked_until


def _ensure_row(key: str) -> None:
    """Insert the counter row unless it exists, without failing when another worker races us."""
    dialect = db.session.get_bind().dialect.name
    if dialect == "postgresql":
        from sqlalchemy.dialects.postgresql import insert
    elif dialect == "sqlite":
        from sqlalchemy.dialects.sqlite import insert
    else:  # pragma: no cover - only SQLite and PostgreSQL are supported
        if db.session.get(LoginThrottle, key) is None:
            db.session.add(LoginThrottle(email_hash=key, failures=0))
            db.session.flush()
        return
    db.session.execute(
        insert(LoginThrottle)
        .values(email_hash=key, failures=0)
        .on_conflict_do_nothing(index_elements=["email_hash"])
    )


def record_failure(email: str) -> datetime | None:
    """Count a failed sign-in; return the time the address is locked until, if it now is.

    The count is incremented in the database (not read, changed and written back), so
    parallel guesses from several workers are each counted.
    """
    key = _key(email)
    now = utcnow()
    _ensure_row(key)
    failures = db.session.execute(
        update(LoginThrottle)
        .where(LoginThrottle.email_hash == key)
        .values(
            failures=case(
                (LoginThrottle.last_failure_at.is_(None), 1),
                (LoginThrottle.last_failure_at < now - FORGET_AFTER, 1),
                else_=LoginThrottle.failures + 1,
            ),
            last_failure_at=now,
        )
        .returning(LoginThrottle.failures)
        .execution_options(synchronize_session=False)
    ).scalar_one()
    free = current_app.config["LOGIN_FAILURES_BEFORE_DELAY"]
    if failures < free:
        return None
    # Capping the exponent keeps the number small however many guesses arrive.
    minutes = min(2 ** min(failures - free, 16), current_app.config["LOGIN_MAX_DELAY_MINUTES"])
    until = now + timedelta(minutes=minutes)
    db.session.execute(
        update(LoginThrottle)
        .where(LoginThrottle.email_hash == key)
        .values(locked_until=until)
        .execution_options(synchronize_session=False)
    )
    return until


def clear(email: str) -> None:
    """Forget the failures of an address after a successful sign-in or password reset."""
    db.session.execute(delete(LoginThrottle).where(LoginThrottle.email_hash == _key(email)))


def lock_message(until: datetime) -> str:
    """Explain a lock-out and how long it lasts, in whole minutes rounded up."""
    seconds = max(0.0, (until - utcnow()).total_seconds())
    wait = max(1, math.ceil(seconds / 60))
    return (
        "Too many unsuccessful attempts for this email address. "
        f"Please wait {wait} minute{'s' if wait != 1 else ''} and try again, "
        "or reset your password."
    )
