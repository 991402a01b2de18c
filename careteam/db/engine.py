"""Engine set-up per backend: SQLite pragmas and write-transaction locking; PostgreSQL pooling
and read-only transactions that keep psycopg's prepared statements.

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
import logging
from collections.abc import Iterator
from typing import Any

from flask import Flask, has_request_context, request
from sqlalchemy import event
from sqlalchemy.engine import Engine

from ..extensions import db
from .outages import is_database_outage

log = logging.getLogger(__name__)

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


_WROTE = "careteam_transaction_wrote"
# Transaction control: it changes no data.
_CONTROL_STARTS = ("BEGIN", "SAVEPOINT", "RELEASE", "ROLLBACK TO")


def _is_read(statement: str, context: Any) -> bool:
    built = getattr(getattr(context, "compiled", None), "statement", None)
    if getattr(built, "is_dml", False):
        return False
    if getattr(built, "is_select", False):
        return True  # a select built with SQLAlchemy, CTEs included (none of ours holds DML)
    return statement.lstrip()[:11].upper().startswith(("SELECT", *_CONTROL_STARTS))


def _install_write_tracking(engine: Engine) -> None:
    """Remember, per transaction, whether anything but a read ran in it (see
    :func:`finish_read_only_transaction`)."""

    @event.listens_for(engine, "begin")
    def _on_begin(connection: Any) -> None:
        connection.info[_WROTE] = False

    @event.listens_for(engine, "before_cursor_execute")
    def _on_statement(
        connection: Any, _cursor: Any, statement: str, _params: Any, context: Any, _many: bool
    ) -> None:
        if not _is_read(statement, context):
            connection.info[_WROTE] = True


def transaction_wrote(connection: Any) -> bool:
    """Whether anything but a read ran in ``connection``'s transaction (the current one, or the
    one just committed until the next begins); True when unknown."""
    return bool(connection.info.get(_WROTE, True))


def finish_read_only_transaction(error: BaseException | None) -> None:
    """End a request's transaction that only read with COMMIT rather than a rollback.

    Both end a read the same way, but psycopg forgets every prepared statement of the
    connection at each ROLLBACK (it cannot tell what the rollback undid), and the pool rolls
    back whatever a request leaves open: so no statement was ever prepared across requests and
    PostgreSQL parsed and planned each one every time.  A
    transaction that wrote anything, has unflushed changes, or ended in an error is left to
    the rollback as before.
    """
    if error is not None:
        return
    session = db.session()
    if not session.in_transaction() or session.new or session.dirty or session.deleted:
        return
    if transaction_wrote(session.connection()):
        return
    try:
        session.commit()
    except Exception as failure:
        # The answer is on its way: a failed end of a read must not turn it.
        if is_database_outage(failure):  # it only read: nothing is lost, no traceback needed
            log.warning("Ending a read-only transaction failed: the database became unavailable")
        else:
            log.exception("Ending a read-only transaction failed; rolling it back")
        session.rollback()


def configure_engines(app: Flask) -> None:
    """Attach backend-specific hooks to the app's engine (call inside an app context)."""
    url: str = app.config["SQLALCHEMY_DATABASE_URI"]
    if is_sqlite(url):
        _install_sqlite_hooks(db.engine, app.config["SQLITE_BUSY_TIMEOUT_MS"])
    _install_write_tracking(db.engine)
    app.teardown_request(finish_read_only_transaction)
