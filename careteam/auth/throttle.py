"""Failed sign-ins, counted in the database so every worker (and every store) sees them.

Failures are counted three ways, so that guessing from one place cannot lock the owner out
from another:

* per (email address, client address): a few failures, then each further one doubles the wait
  for that address only -- the owner signing in from elsewhere is not slowed;
* per client address, whatever email it tries: a larger allowance, then the same doubling, so
  one address cannot spray guesses over many accounts;
* per email address from anywhere: only a distributed attack reaches this count, and then
  the account is locked for everyone for a while and its owner is mailed a one-time sign-in
  link that gets them in despite the lock (see :func:`careteam.auth.service.authenticate`).

Addresses with no account are counted the same way, so the answers never reveal which
addresses are registered.  The client address is the one the app computes everywhere else
(``request.remote_addr`` after ProxyFix, as the rate limiter keys requests).
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import datetime, timedelta

from flask import current_app, has_request_context
from flask_limiter.util import get_remote_address
from sqlalchemy import case, delete, or_, select, update
from sqlalchemy.dialects.postgresql import insert as postgresql_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert

from ..db.clock import utcnow
from ..db.tokens import token_hash
from ..extensions import db
from .models import LoginThrottle

# A failure this long after the previous one starts a per-address count again, so a typo next
# month does not inherit last month's lock-out.
FORGET_AFTER = timedelta(hours=24)
# The account-wide count is of failures an hour: it restarts after an hour without any.
ACCOUNT_WINDOW = timedelta(hours=1)

PAIR, ADDRESS, ACCOUNT = "pair", "address", "account"


@dataclass(frozen=True)
class Lock:
    """Sign-in is refused until ``until``; ``kind`` says which count tripped."""

    until: datetime
    kind: str


@dataclass(frozen=True)
class Failure:
    """What a counted failure led to."""

    lock: Lock | None
    # True only for the failure that tripped the account-wide lock, so its owner is mailed
    # once per lock, not once per refused attempt.
    account_lock_started: bool = False


def client_address() -> str:
    """Return the requesting client's address as the rest of the app sees it ("" outside)."""
    return (get_remote_address() or "") if has_request_context() else ""


def _keys(email: str, address: str) -> dict[str, str]:
    email = email.strip().lower()
    return {
        PAIR: token_hash(f"login:{email}|{address}"),
        ADDRESS: token_hash(f"login-address:{address}"),
        # Not the "login:<email>" key of the per-email count before these three: an old
        # row's lock must not pose as an account-wide lock whose link was never sent.
        ACCOUNT: token_hash(f"login-account:{email}"),
    }


def locked_until(email: str, address: str, account_wide: bool = True) -> Lock | None:
    """Return the lock in force for this email from this address, or None if it may try.

    ``account_wide=False`` leaves out the account-wide lock (for a signed-in owner).
    """
    keys = _keys(email, address)
    if not account_wide:
        del keys[ACCOUNT]
    kind_of = {key: kind for kind, key in keys.items()}
    now = utcnow()
    rows = db.session.execute(
        select(LoginThrottle.email_hash, LoginThrottle.locked_until).where(
            LoginThrottle.email_hash.in_(list(keys.values())),
            LoginThrottle.locked_until > now,
        )
    ).all()
    if not rows:
        return None
    # The account-wide lock is named first: only its message mentions the emailed link.
    key, until = max(rows, key=lambda row: (kind_of[row[0]] == ACCOUNT, row[1]))
    return Lock(until, kind_of[key])


def _ensure_row(key: str) -> None:
    """Insert the counter row unless it exists, without failing when another worker races us."""
    dialect = db.session.get_bind().dialect.name
    if dialect == "postgresql":
        insert = postgresql_insert
    elif dialect == "sqlite":
        insert = sqlite_insert
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


def _count(key: str, now: datetime, forget_after: timedelta) -> int:
    """Add one failure to ``key``'s count and return the new count.

    The count is incremented in the database (not read, changed and written back), so
    parallel guesses from several workers are each counted.
    """
    _ensure_row(key)
    return db.session.execute(
        update(LoginThrottle)
        .where(LoginThrottle.email_hash == key)
        .values(
            failures=case(
                (LoginThrottle.last_failure_at.is_(None), 1),
                (LoginThrottle.last_failure_at < now - forget_after, 1),
                else_=LoginThrottle.failures + 1,
            ),
            last_failure_at=now,
        )
        .returning(LoginThrottle.failures)
        .execution_options(synchronize_session=False)
    ).scalar_one()


def _lock(key: str, until: datetime, now: datetime | None = None) -> bool:
    """Lock ``key`` until ``until``; with ``now``, only if it is not locked already.

    Returns whether the row was changed, so of several workers tripping the same lock at
    once only one goes on to act on it.
    """
    stmt = update(LoginThrottle).where(LoginThrottle.email_hash == key)
    if now is not None:
        stmt = stmt.where(
            or_(LoginThrottle.locked_until.is_(None), LoginThrottle.locked_until <= now)
        )
    result = db.session.execute(
        stmt.values(locked_until=until).execution_options(synchronize_session=False)
    )
    return result.rowcount == 1


def _doubling_wait(failures: int, free: int) -> timedelta | None:
    if failures < free:
        return None
    # Capping the exponent keeps the number small however many guesses arrive.
    minutes = min(2 ** min(failures - free, 16), current_app.config["LOGIN_MAX_DELAY_MINUTES"])
    return timedelta(minutes=minutes)


def record_failure(email: str, address: str) -> Failure:
    """Count a failed sign-in of ``email`` from ``address`` in all three counts."""
    config = current_app.config
    keys = _keys(email, address)
    now = utcnow()
    locks: list[Lock] = []
    for kind, free in (
        (PAIR, config["LOGIN_FAILURES_BEFORE_DELAY"]),
        (ADDRESS, config["LOGIN_ADDRESS_FAILURES_BEFORE_DELAY"]),
    ):
        wait = _doubling_wait(_count(keys[kind], now, FORGET_AFTER), free)
        if wait is not None:
            _lock(keys[kind], now + wait)
            locks.append(Lock(now + wait, kind))
    started = False
    if _count(keys[ACCOUNT], now, ACCOUNT_WINDOW) >= config["LOGIN_ACCOUNT_FAILURES_PER_HOUR"]:
        # Attempts refused by this lock keep the hour going (see note_refused_attempt), so
        # the first failure after the lock ends locks again unless the attack had stopped.
        until = now + timedelta(minutes=config["LOGIN_ACCOUNT_LOCK_MINUTES"])
        started = _lock(keys[ACCOUNT], until, now=now)
        locks.append(Lock(until, ACCOUNT))
    if not locks:
        return Failure(None)
    account = [lock for lock in locks if lock.kind == ACCOUNT]
    return Failure(account[0] if account else max(locks, key=lambda lock: lock.until), started)


def note_refused_attempt(email: str, lock: Lock) -> None:
    """Keep the account-wide count's hour going while its lock refuses attempts unchecked.

    Without this, the hour of the count would run out during the lock and a guesser still at
    it would get a fresh allowance the moment the lock ends.
    """
    if lock.kind != ACCOUNT:
        return
    db.session.execute(
        update(LoginThrottle)
        .where(LoginThrottle.email_hash == _keys(email, "")[ACCOUNT])
        .values(last_failure_at=utcnow())
        .execution_options(synchronize_session=False)
    )


def forget_address(email: str, address: str) -> None:
    """Forget this address's failures for this email after it signed in with the password.

    The per-address and account-wide counts stay: a success must not let whoever sprays
    guesses start afresh by signing in to an account of their own.
    """
    db.session.execute(
        delete(LoginThrottle).where(LoginThrottle.email_hash == _keys(email, address)[PAIR])
    )


def clear(email: str, address: str) -> None:
    """Forget the account's failures after its password was reset or changed.

    The new password makes every earlier guess worthless, so the account-wide lock and the
    count of the address that proved it knows the password both go.
    """
    keys = _keys(email, address)
    db.session.execute(
        delete(LoginThrottle).where(LoginThrottle.email_hash.in_([keys[PAIR], keys[ACCOUNT]]))
    )


def lock_message(lock: Lock) -> str:
    """Explain a lock-out and how long it lasts, in whole minutes rounded up."""
    seconds = max(0.0, (lock.until - utcnow()).total_seconds())
    wait = max(1, math.ceil(seconds / 60))
    minutes = f"{wait} minute{'s' if wait != 1 else ''}"
    if lock.kind == ACCOUNT:
        return (
            "Signing in to this email address is paused after very many unsuccessful attempts "
            f"from many places. If it has an account, we have emailed it a one-time sign-in "
            f"link that works now. Otherwise please wait {minutes}, or reset your password."
        )
    if lock.kind == ADDRESS:
        return (
            "Too many unsuccessful sign-ins from your network. "
            f"Please wait {minutes} and try again, or reset your password."
        )
    return (
        "Too many unsuccessful attempts for this email address. "
        f"Please wait {minutes} and try again, or reset your password."
    )
