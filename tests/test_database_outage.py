"""A lost database connection answers a calm 503 that keeps what the person typed.

The outage is real on both databases: on PostgreSQL the request's own backend is terminated
(``pg_terminate_backend``) at a chosen statement inside the request, as a restart would; on
SQLite another connection holds the write lock longer than the app's busy timeout.
"""

from __future__ import annotations

import html
import logging
import re
import socket
import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import pytest
from markupsafe import escape
from sqlalchemy import create_engine, event, func, select, text
from sqlalchemy.engine import make_url
from sqlalchemy.orm import Session
from sqlalchemy.pool import NullPool

from careteam import hookimpl
from careteam.api import PluginManifest
from careteam.extensions import db
from careteam.notes.models import Note
from careteam.testing import check_accessible, is_postgres, sign_in_page

TYPED = "Ruth's hip hurt after the walk.\nIce for 20 min <b>helped</b> & she slept."


@pytest.fixture
def app_config() -> dict[str, Any]:
    # How long a SQLite writer waits for the lock before giving up: the outage on SQLite.
    return {"SQLITE_BUSY_TIMEOUT_MS": 100}


class Outage:
    """Take the database away from the app: now (:meth:`start`) or at a statement (:meth:`at`)."""

    def __init__(self, app: Any, database_url: str) -> None:
        self.app = app
        self.url = database_url
        self._lock: sqlite3.Connection | None = None

    @property
    def postgres(self) -> bool:
        return is_postgres(self.url)

    def start(self, session: Any = None) -> None:
        """PostgreSQL: terminate the backend of ``session``'s connection.  SQLite: hold the
        write lock from another connection (``session`` must not hold it already)."""
        if self.postgres:
            self.terminate(session.connection().connection.dbapi_connection.info.backend_pid)
        else:
            path = make_url(self.url).database
            self._lock = sqlite3.connect(path, isolation_level=None)
            self._lock.execute("BEGIN EXCLUSIVE")

    def stop(self) -> None:
        if self._lock is not None:
            self._lock.execute("ROLLBACK")
            self._lock.close()
            self._lock = None

    def terminate(self, *pids: int) -> None:
        admin = create_engine(self.url, poolclass=NullPool, isolation_level="AUTOCOMMIT")
        with admin.connect() as conn:
            for pid in pids:
                # Waits (up to 5 s) until the backend is gone, so the app's next statement fails.
                conn.execute(text("SELECT pg_terminate_backend(:pid, 5000)"), {"pid": pid})
        admin.dispose()

    @contextmanager
    def at_commit(self) -> Iterator[None]:
        """PostgreSQL: kill the connection as the request's transaction commits."""
        fired: list[int] = []

        def kill(conn: Any) -> None:
            if not fired:
                fired.append(1)
                self.terminate(conn.connection.dbapi_connection.info.backend_pid)

        with self._listening("commit", kill):
            yield
        assert fired, "nothing committed"

    @contextmanager
    def after_commit(self) -> Iterator[None]:
        """Take the database away just after the request's first commit."""
        fired: list[int] = []
        armed: list[Any] = []

        def committed(session: Any) -> None:
            if fired or armed:
                return
            if self.postgres:
                armed.append(1)  # the connection is back in the pool: kill it at its next use
            else:
                fired.append(1)
                self.start()  # the commit released the write lock: another writer takes it

        def kill(conn: Any, cursor: Any, *_args: Any) -> None:
            if armed and not fired:
                fired.append(1)
                self.terminate(cursor.connection.info.backend_pid)

        event.listen(Session, "after_commit", committed)
        try:
            with self._listening("before_cursor_execute", kill):
                yield
        finally:
            event.remove(Session, "after_commit", committed)
            self.stop()
        assert fired, "nothing committed"

    @contextmanager
    def _listening(self, name: str, listener: Any) -> Iterator[None]:
        with self.app.app_context():
            engine = db.engine
        event.listen(engine, name, listener)
        try:
            yield
        finally:
            event.remove(engine, name, listener)

    @contextmanager
    def at(self, statement_start: str) -> Iterator[None]:
        """PostgreSQL: kill the connection just before the first statement that starts so.
        SQLite: the lock is held for the whole block (the request's first write gives up)."""
        if not self.postgres:
            self.start()
            try:
                yield
            finally:
                self.stop()
            return
        fired: list[int] = []

        def kill(conn: Any, cursor: Any, statement: str, *_args: Any) -> None:
            if not fired and statement.lstrip().upper().startswith(statement_start.upper()):
                fired.append(1)
                self.terminate(cursor.connection.info.backend_pid)

        with self._listening("before_cursor_execute", kill):
            yield
        assert fired, f"no statement started with {statement_start!r}"


@pytest.fixture
def outage(app, database_url) -> Iterator[Outage]:
    taker = Outage(app, database_url)
    yield taker
    taker.stop()


def _note_data(body: str, **extra: str) -> dict[str, str]:
    return {
        "title": "Walk",
        "body": body,
        "category": "symptoms",
        "tags": "hip",
        "audience": "care_team",
        **extra,
    }


def _bodies(app: Any, circle_id: int) -> list[str]:
    with app.app_context():
        return list(
            db.session.scalars(
                select(Note.body).where(Note.circle_id == circle_id).order_by(Note.id)
            )
        )


def _resend_form(page: str) -> tuple[str, dict[str, list[str]]]:
    """The 503 page's form: where it posts and every field it sends."""
    form = re.search(r'<form method="post" action="([^"]*)"[^>]*>(.*?)</form>', page, re.S)
    assert form is not None, page
    fields: dict[str, list[str]] = {}
    for name, value in re.findall(r'<input type="hidden" name="([^"]+)" value="([^"]*)">', form[2]):
        fields.setdefault(html.unescape(name), []).append(html.unescape(value))
    return html.unescape(form[1]), fields


def _outage_log(caplog: pytest.LogCaptureFixture) -> list[logging.LogRecord]:
    return [r for r in caplog.records if r.levelno >= logging.WARNING]


def test_a_lost_connection_under_a_post_answers_503_with_the_text_kept(
    app, client_as, circle_with_roles, outage, caplog
):
    family = client_as("family")
    new_url = circle_with_roles.url("/notes/new")
    saved = family.post_form(new_url, _note_data("Walked to the corner."))
    assert saved.status_code == 302  # acknowledged before the outage
    token = family.csrf_token(new_url)

    caplog.clear()
    with caplog.at_level(logging.INFO), outage.at("INSERT INTO notes"):
        response = family.post(new_url, data={**_note_data(TYPED), "csrf_token": token})
    assert response.status_code == 503
    assert response.headers["Retry-After"].isdigit()
    assert response.headers["Cache-Control"] == "no-store"
    page = response.get_data(as_text=True)
    assert "Traceback" not in page
    # The typed text is on the page (escaped, never run), in a form that sends it again.
    assert f'<dd class="user-text">{escape(TYPED)}</dd>' in page
    assert "Nothing was saved" in page
    action, fields = _resend_form(page)
    assert action == new_url
    assert fields["body"] == [TYPED] and fields["title"] == ["Walk"]
    assert fields["audience"] == ["care_team"] and fields["tags"] == ["hip"]
    assert fields["csrf_token"][0]
    # One calm line in the log: no traceback, no error, nothing the person wrote.
    records = _outage_log(caplog)
    assert [r.levelno for r in records] == [logging.WARNING], [r.getMessage() for r in records]
    assert "database" in records[0].getMessage().lower()
    assert all(r.exc_info is None for r in caplog.records)
    assert "hip hurt" not in caplog.text and "Walk" not in caplog.text

    # Nothing acknowledged was lost, nothing half-saved; the form sent again is saved once.
    assert _bodies(app, circle_with_roles.id) == ["Walked to the corner."]
    again = family.post(action, data=fields)
    assert again.status_code == 302
    assert _bodies(app, circle_with_roles.id) == ["Walked to the corner.", TYPED]
    assert family.get(circle_with_roles.url("/notes")).status_code == 200


def test_an_outage_after_the_change_was_committed_does_not_say_nothing_was_saved(
    app, client_as, circle_with_roles, outage
):
    """notes.new commits, then reads the note's id again for its redirect: the outage hits there."""
    family = client_as("family")
    new_url = circle_with_roles.url("/notes/new")
    token = family.csrf_token(new_url)
    with outage.after_commit():
        response = family.post(new_url, data={**_note_data(TYPED), "csrf_token": token})
    assert response.status_code == 503
    page = response.get_data(as_text=True)
    assert "Nothing was saved" not in page
    assert "It may have been saved already" in page
    assert f'<dd class="user-text">{escape(TYPED)}</dd>' in page
    assert _bodies(app, circle_with_roles.id) == [TYPED]


def test_a_lost_connection_under_a_page_view_answers_503(
    app, client_as, circle_with_roles, outage, caplog
):
    family = client_as("family")
    saved = family.post_form(circle_with_roles.url("/notes/new"), _note_data(TYPED))
    note_page = saved.headers["Location"]
    # PostgreSQL: at the request's first statement (loading the signed-in session); SQLite:
    # reads go on under another writer's lock, and the audit row of the view gives up.
    with caplog.at_level(logging.INFO), outage.at("SELECT"):
        response = family.get(note_page)
    assert response.status_code == 503
    assert response.headers["Retry-After"].isdigit()
    page = response.get_data(as_text=True)
    assert "hip hurt" not in page  # the note shown without its audit row: not on SQLite either
    assert f'href="{note_page}"' in page  # a way to try again
    assert all(r.exc_info is None for r in caplog.records)
    assert [r.levelno for r in _outage_log(caplog)] == [logging.WARNING]
    assert family.get(note_page).status_code == 200


@pytest.mark.browser
def test_the_outage_page_in_a_browser_is_accessible_and_sends_the_note_again(
    app, circle_with_roles, outage, live_url, browser
):
    page = browser.new_page(viewport={"width": 1024, "height": 900})
    sign_in_page(page, live_url, circle_with_roles.people["family"].email)
    page.goto(f"{live_url}{circle_with_roles.url('/notes/new')}")
    page.fill("#title", "Evening")
    page.fill("#body", TYPED)
    page.check("#audience-0")
    with outage.at("INSERT INTO notes"):
        page.click("text=Save note")
        page.wait_for_selector("h1:has-text('Please try again in a moment')")
    assert TYPED.split("\n")[1] in page.locator(".kept-text").inner_text()
    check_accessible(page, "database outage")
    page.click("button:has-text('Send it again')")
    page.wait_for_selector("h1:has-text('Evening')")
    # Byte for byte what the browser sent the first time (forms send line breaks as CRLF).
    assert _bodies(app, circle_with_roles.id) == [TYPED.replace("\n", "\r\n")]


@pytest.mark.parametrize(
    ("method", "url"), [("GET", "/no-such-page"), ("POST", "/logout")], ids=["404", "csrf-400"]
)
def test_an_error_page_that_cannot_ask_who_is_signed_in_answers_503(
    app, client_as, circle_with_roles, outage, caplog, method, url
):
    if not outage.postgres:
        pytest.skip("these pages only read, and SQLite reads go on under another writer's lock")
    family = client_as("family")
    with caplog.at_level(logging.INFO), outage.at("SELECT"):
        response = family.open(url, method=method)  # the POST has no CSRF token
    assert response.status_code == 503
    assert response.headers["Retry-After"].isdigit()
    assert all(r.exc_info is None for r in caplog.records)
    assert [r.levelno for r in _outage_log(caplog)] == [logging.WARNING]
    assert family.open(url, method=method).status_code in (400, 404)


def test_the_pool_drops_connections_that_died_while_idle(app, client_as, circle_with_roles, outage):
    if not outage.postgres:
        pytest.skip("SQLite has no server connection to lose")
    family = client_as("family")
    feed = circle_with_roles.url("/notes")
    assert family.get(feed).status_code == 200
    with outage.app.app_context():
        pids = db.session.scalars(
            text(
                "SELECT pid FROM pg_stat_activity "
                "WHERE datname = current_database() AND pid <> pg_backend_pid()"
            )
        ).all()
        db.session.remove()
    outage.terminate(*pids)  # every pooled connection of the app, as a restart would
    assert family.get(feed).status_code == 200


def test_a_lost_connection_at_the_end_of_a_read_is_one_warning(
    app, client_as, circle_with_roles, outage, caplog
):
    """A page that only read ends its transaction with COMMIT after the answer is built."""
    if not outage.postgres:
        pytest.skip("a SQLite read holds no lock another writer could outlast")
    family = client_as("family")
    feed = circle_with_roles.url("/notes")
    with caplog.at_level(logging.INFO), outage.at_commit():
        response = family.get(feed)
    assert response.status_code == 200  # it read everything it showed
    assert all(r.exc_info is None for r in caplog.records)
    records = _outage_log(caplog)
    assert [r.levelno for r in records] == [logging.WARNING], [r.getMessage() for r in records]
    assert family.get(feed).status_code == 200


def test_signing_in_during_an_outage_never_writes_the_password_into_the_page(
    app, new_client, make_user, outage
):
    person = make_user(email="ruth@example.org")
    client = new_client()
    token = client.csrf_token("/login")
    with outage.at("SELECT"):
        response = client.post(
            "/login",
            data={"csrf_token": token, "email": person.email, "password": "s3cret typed words"},
        )
    assert response.status_code == 503
    page = response.get_data(as_text=True)
    assert "s3cret" not in page
    _, fields = _resend_form(page)
    assert fields["email"] == ["ruth@example.org"] and "password" not in fields
    assert "asked for yours again" in page


def test_no_password_field_could_be_written_into_the_outage_page(app):
    """The 503 page leaves out fields named like passwords: every password field is."""
    from wtforms import PasswordField

    from careteam.web.forms import CareForm

    def every_form(cls: type) -> list[type]:
        return [cls, *(form for sub in cls.__subclasses__() for form in every_form(sub))]

    forms = every_form(CareForm)
    assert len(forms) > 20  # the app, its features and plugins are loaded
    unnamed = [
        f"{form.__module__}.{form.__name__}.{name}"
        for form in forms
        for name, field in vars(form).items()
        if getattr(field, "field_class", None) is PasswordField and "password" not in name
    ]
    assert unnamed == []


class EventListener:
    """Hears of every new note; the database goes away while it handles one."""

    def __init__(self) -> None:
        self.outage: Outage | None = None
        self.heard = 0

    @hookimpl
    def careteam_plugin_manifest(self):
        return PluginManifest(name="outage_listener", label="Listener")

    @hookimpl
    def careteam_note_created(self, event):
        if self.outage is None:
            return
        self.heard += 1
        # End delivery's transaction first: on SQLite it holds the write lock, which no other
        # writer could take from it.
        db.session.commit()
        self.outage.start(db.session)
        db.session.execute(select(func.count(Note.id)))


@pytest.fixture
def listener() -> EventListener:
    return EventListener()


@pytest.fixture
def careteam_plugins(listener) -> list[Any]:
    return [listener]


def test_an_outage_while_delivering_events_keeps_the_saved_answer(
    app, client_as, circle_with_roles, outage, listener, caplog
):
    """The note is committed before events go out: answering 503 would invite a duplicate."""
    family = client_as("family")
    listener.outage = outage
    with caplog.at_level(logging.INFO):
        response = family.post_form(circle_with_roles.url("/notes/new"), _note_data(TYPED))
    outage.stop()
    assert response.status_code == 302
    assert listener.heard == 1
    assert _bodies(app, circle_with_roles.id) == [TYPED]
    assert all(r.exc_info is None for r in caplog.records)
    records = _outage_log(caplog)
    assert [r.levelno for r in records] == [logging.WARNING], [r.getMessage() for r in records]
    assert "not delivered" in records[0].getMessage()
    assert family.get(circle_with_roles.url("/notes")).status_code == 200


def _real_error(url: str, statement: str) -> BaseException:
    engine = create_engine(url, poolclass=NullPool)
    try:
        with engine.connect() as conn:
            conn.execute(text(statement))
    except Exception as error:
        return error
    finally:
        engine.dispose()
    raise AssertionError("no error")


def test_only_errors_that_pass_count_as_an_outage(tmp_path):
    from careteam.db.outages import is_database_outage

    with socket.socket() as probe:  # a port nobody listens on: connection refused
        probe.bind(("127.0.0.1", 0))
        closed = probe.getsockname()[1]
    refused = _real_error(f"postgresql+psycopg://postgres@127.0.0.1:{closed}/x", "SELECT 1")
    missing = _real_error(f"sqlite:///{tmp_path / 'x.sqlite3'}", "SELECT * FROM nowhere")
    syntax = _real_error(f"sqlite:///{tmp_path / 'x.sqlite3'}", "SELEKT 1")
    assert is_database_outage(refused)
    assert not is_database_outage(missing)  # sqlite3.OperationalError, but a fault
    assert not is_database_outage(syntax)
    assert not is_database_outage(ValueError("database is locked"))
    try:
        try:
            raise refused
        except Exception as caught:
            raise RuntimeError("while saving") from caught
    except RuntimeError as wrapped:
        assert is_database_outage(wrapped)  # caused by an outage
