"""Engine set-up per backend: SQLite pragmas and write-transaction locking; PostgreSQL pooling
and custom plans for prepared statements.

SQLite: a transaction that reads first and writes later can fail at once with "database is
locked" when another connection wrote in between, whatever busy_timeout says.  Write transactions
therefore start with ``BEGIN IMMEDIATE`` (they wait for the lock up front, honouring
busy_timeout), while reads stay deferred so a page view never takes the write lock.

A transaction is a write transaction when it runs inside :func:`immediate_writes`, or in a
request whose method is not safe (POST, PUT, PATCH, DELETE) -- every state change in the web UI --
unless it runs inside :func:`snapshot_reads` (a long read behind a POST, such as the export).
"""

from __future__ import annotations

import contextlib
import contextvars
from collections.abc import Iterator
from typing import Any

from flask import Flask, has_request_context, request
from sqlalchemy import event
from sqlalchemy.engine import Engine

from .extensions import db

_SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})
_force_immediate: contextvars.ContextVar[bool] = contextvars.ContextVar(
    "careteam_force_immediate", default=False
)
_force_deferred: contextvars.ContextVar[bool] = contextvars.ContextVar(
    "careteam_force_deferred", default=False
)


@contextlib.contextmanager
def immediate_writes() -> Iterator[None]:
    """Make transactions begun inside this block take the SQLite write lock up front.

    Use it for writes outside a state-changing request: the audit row after a page view, CLI
    commands, background jobs.  It changes nothing on PostgreSQL.
    """
    token = _force_immediate.set(True)
    try:
        yield
    finally:
        _force_immediate.reset(token)


@contextlib.contextmanager
def snapshot_reads() -> Iterator[None]:
    """Run a long read inside a POST as one consistent snapshot that holds no write lock.

    A POST begins ``BEGIN IMMEDIATE`` and would keep every other SQLite writer waiting for as
    long as the read takes (the export of a whole circle).  This block commits the request's
    transaction so far and begins the next one deferred, so WAL gives it one snapshot and
    writers carry on; PostgreSQL runs it at REPEATABLE READ, so every statement sees the same
    data.  The snapshot stays open until the request ends (rolling it back would expire every
    loaded object, and the next attribute read would begin a write transaction again).  Write
    nothing more through ``db.session`` in that request; :func:`careteam.audit.record_now`
    writes on a connection of its own and is fine.
    """
    db.session.commit()
    token = _force_deferred.set(True)
    try:
        if db.engine.dialect.name == "postgresql":
            db.session.connection(execution_options={"isolation_level": "REPEATABLE READ"})
        else:
            db.session.connection()  # BEGIN now, while the flag says "deferred"
        yield
    finally:
        _force_deferred.reset(token)


_HOLDS_WRITE_LOCK = "careteam_holds_write_lock"


def _session_holds_write_lock() -> bool:
    """Whether this request's session has begun a SQLite write transaction (BEGIN IMMEDIATE)."""
    session = db.session()  # the request's Session behind the scoped proxy
    if not session.in_transaction():
        return False
    return bool(session.connection().info.get(_HOLDS_WRITE_LOCK))


@contextlib.contextmanager
def short_write() -> Iterator[Any]:
    """Give a connection for a small write (session activity, read markers, view audit rows).

    Normally the write runs on a connection of its own and is committed at once, so a page view
    never holds the write lock for longer than that insert.  But when this request's session
    already holds SQLite's write lock (a POST that has read something), another connection would
    wait for that very lock until the busy timeout and fail: then the write joins the request's
    transaction instead, and is committed (or rolled back) with it.
    """
    if _session_holds_write_lock():
        yield db.session.connection()
        return
    with immediate_writes(), db.engine.begin() as conn:
        yield conn


def _transaction_writes() -> bool:
    if _force_immediate.get():
        return True
    if _force_deferred.get():
        return False
    if has_request_context():
        return request.method not in _SAFE_METHODS
    # CLI commands, scripts and workers: assume they write.
    return True


def is_sqlite(url: str) -> bool:
    return url.startswith("sqlite")


def engine_options(app: Flask) -> dict[str, Any]:
    """Return SQLAlchemy engine options suited to the configured backend."""
    url: str = app.config["SQLALCHEMY_DATABASE_URI"]
    options = dict(app.config.get("SQLALCHEMY_ENGINE_OPTIONS", {}))
    if is_sqlite(url):
        options.pop("pool_pre_ping", None)
        timeout_s = app.config["SQLITE_BUSY_TIMEOUT_MS"] / 1000
        options.setdefault("connect_args", {}).update(
            {"timeout": timeout_s, "check_same_thread": False}
        )
    else:
        options.setdefault("pool_pre_ping", True)
    return options


def _install_sqlite_hooks(engine: Engine, busy_timeout_ms: int) -> None:
    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection: Any, _record: Any) -> None:
        # Let SQLAlchemy's "begin" event below issue BEGIN; pysqlite's own would be deferred.
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute(f"PRAGMA busy_timeout={int(busy_timeout_ms)}")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.close()

    @event.listens_for(engine, "begin")
    def _on_begin(connection: Any) -> None:
        writes = _transaction_writes()
        connection.exec_driver_sql("BEGIN IMMEDIATE" if writes else "BEGIN")
        connection.info[_HOLDS_WRITE_LOCK] = writes

    @event.listens_for(engine, "commit")
    @event.listens_for(engine, "rollback")
    def _on_end(connection: Any) -> None:
        connection.info[_HOLDS_WRITE_LOCK] = False


def _install_postgres_hooks(engine: Engine) -> None:
    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection: Any, _record: Any) -> None:
        # psycopg prepares a statement once a connection has run it five times, and PostgreSQL
        # then plans it once for any values and keeps that generic plan if it looks no dearer.
        # For the home page's recent notes with their unread count, it walked every note of
        # every circle: 20-27 ms a request instead of 2.  Each execution gets a plan for its own
        # values instead (a fraction of a millisecond); the parsing is still saved.
        with dbapi_connection.cursor() as cursor:
            cursor.execute("SET plan_cache_mode = force_custom_plan")
        dbapi_connection.commit()  # a SET in a transaction rolled back would be undone


def configure_engines(app: Flask) -> None:
    """Attach backend-specific hooks to the app's engine (call inside an app context)."""
    url: str = app.config["SQLALCHEMY_DATABASE_URI"]
    if is_sqlite(url):
        _install_sqlite_hooks(db.engine, app.config["SQLITE_BUSY_TIMEOUT_MS"])
    else:
        _install_postgres_hooks(db.engine)
