"""SQLite under concurrent writers, and which requests take the write lock up front.

Eight processes write through the app's own session set-up into one SQLite file.  Each
transaction reads and then writes, the pattern that fails at once with "database is locked"
under plain deferred BEGIN; ``immediate_writes()`` (BEGIN IMMEDIATE) makes them queue instead.
"""

from __future__ import annotations

import multiprocessing
import sqlite3
import time
from pathlib import Path

import pytest
from flask import jsonify
from sqlalchemy import func, select

from careteam.testing import is_postgres, make_test_config

WORKERS = 8
WRITES_EACH = 50


def _write_many(database_url: str, instance_dir: str, worker: int, count: int) -> None:
    """Run in a fresh process: create the app and do ``count`` read-then-write transactions."""
    from careteam import audit, create_app
    from careteam.audit import AuditEvent
    from careteam.db.engine import immediate_writes
    from careteam.extensions import db

    app = create_app(make_test_config(database_url, Path(instance_dir)))
    with app.app_context():
        for n in range(count):
            with immediate_writes():
                seen = db.session.scalar(
                    select(func.count()).where(AuditEvent.action == "test.concurrent")
                )
                audit.record(
                    "test.concurrent",
                    object_type="worker",
                    object_id=worker,
                    details={"n": n, "seen_before": seen},
                )
                db.session.commit()
        db.session.remove()
        db.engine.dispose()


@pytest.fixture
def sqlite_file(tmp_path: Path) -> str:
    """A new SQLite file migrated to every head."""
    from flask_migrate import upgrade

    from careteam import create_app
    from careteam.extensions import db

    url = f"sqlite:///{tmp_path / 'shared.sqlite3'}"
    app = create_app(make_test_config(url, tmp_path))
    with app.app_context():
        upgrade(revision="heads")
        db.engine.dispose()
    return url


@pytest.mark.slow
def test_eight_processes_writing_at_once_lose_nothing(sqlite_file: str, tmp_path: Path):
    context = multiprocessing.get_context("spawn")
    started = time.monotonic()
    processes = [
        context.Process(target=_write_many, args=(sqlite_file, str(tmp_path), worker, WRITES_EACH))
        for worker in range(WORKERS)
    ]
    for process in processes:
        process.start()
    for process in processes:
        process.join(timeout=120)
    elapsed = time.monotonic() - started
    assert [p.exitcode for p in processes] == [0] * WORKERS, "a writer raised (see its stderr)"
    assert elapsed < 60

    path = sqlite_file.removeprefix("sqlite:///")
    conn = sqlite3.connect(path)
    try:
        rows = conn.execute(
            "SELECT object_id, count(*), count(DISTINCT json_extract(details, '$.seen_before')) "
            "FROM audit_events WHERE action = 'test.concurrent' GROUP BY object_id"
        ).fetchall()
        assert sorted(rows) == [(str(w), WRITES_EACH, WRITES_EACH) for w in range(WORKERS)]
        # Every transaction saw a different count: they ran one after another, not interleaved.
        seen = [
            r[0]
            for r in conn.execute(
                "SELECT json_extract(details, '$.seen_before') FROM audit_events "
                "WHERE action = 'test.concurrent'"
            )
        ]
        assert sorted(seen) == list(range(WORKERS * WRITES_EACH))
        assert conn.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    finally:
        conn.close()


def test_app_connections_use_wal_foreign_keys_and_a_busy_timeout(app):
    from careteam.extensions import db

    if is_postgres(app.config["SQLALCHEMY_DATABASE_URI"]):
        pytest.skip("SQLite pragmas")
    with app.app_context(), db.engine.connect() as conn:
        assert conn.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
        assert conn.exec_driver_sql("PRAGMA foreign_keys").scalar() == 1
        assert conn.exec_driver_sql("PRAGMA busy_timeout").scalar() == 15000


# --- which requests take the write lock --------------------------------------------------------


def _probe_view():
    """Start the request's transaction, then see whether another writer can begin."""
    from careteam.extensions import db

    db.session.execute(select(1))
    dbapi = db.session.connection().connection.dbapi_connection
    path = db.engine.url.database
    other = sqlite3.connect(path, timeout=0, isolation_level=None)
    try:
        other.execute("BEGIN IMMEDIATE")
        other.execute("ROLLBACK")
        blocked = False
    except sqlite3.OperationalError as error:
        assert "locked" in str(error)
        blocked = True
    finally:
        other.close()
    return jsonify(in_transaction=dbapi.in_transaction, other_writer_blocked=blocked)


@pytest.fixture
def probe_client(app, client):
    from careteam.extensions import csrf

    if is_postgres(app.config["SQLALCHEMY_DATABASE_URI"]):
        pytest.skip("SQLite locking")
    app.add_url_rule("/_test/lock-probe", "lock_probe", _probe_view, methods=["GET", "POST"])
    csrf.exempt(_probe_view)
    return client


def test_a_get_request_reads_in_a_deferred_transaction(probe_client):
    answer = probe_client.get("/_test/lock-probe").get_json()
    assert answer == {"in_transaction": True, "other_writer_blocked": False}


def test_a_post_request_takes_the_write_lock_up_front(probe_client):
    answer = probe_client.post("/_test/lock-probe").get_json()
    assert answer == {"in_transaction": True, "other_writer_blocked": True}


def test_immediate_writes_takes_the_write_lock_in_a_get_request(app, probe_client):
    from careteam.db.engine import immediate_writes

    app.view_functions["lock_probe"] = _immediate_probe
    with immediate_writes():
        pass  # the context variable must not leak out of the block
    answer = probe_client.get("/_test/lock-probe").get_json()
    assert answer == {"in_transaction": True, "other_writer_blocked": True}


def _immediate_probe():
    from careteam.db.engine import immediate_writes

    with immediate_writes():
        return _probe_view()
