"""Pytest fixtures for CareTeam and its plugins (installed as a ``pytest11`` plugin).

Database: SQLite in a temporary folder by default; set ``CARETEAM_TEST_DATABASE_URL`` to a
PostgreSQL server URL (e.g. ``postgresql+psycopg://postgres@127.0.0.1:5432/postgres``) and a
fresh database is created for the run and dropped afterwards.  Tables are migrated once per run
and emptied after each test.
"""

from __future__ import annotations

import os
import re
import secrets
import socket
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from email import message_from_bytes, policy
from email.message import EmailMessage
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

TEST_PASSWORD = "correct horse battery staple 42"  # noqa: S105
_CSRF_RE = re.compile(
    r'name="csrf_token" type="hidden" value="([^"]+)"|'
    r'name="csrf_token" value="([^"]+)"'
)


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
        from flask_migrate import upgrade

        upgrade(revision="heads")
        from .extensions import db

        db.engine.dispose()
    yield url
    if name:
        _drop_postgres_database(server, name)


def is_postgres(url: str) -> bool:
    return url.startswith("postgresql")


def make_test_config(database_url: str, instance_dir: Any) -> dict[str, Any]:
    """Settings for a test app: real database, no rate limits, mail into a folder."""
    return {
        "TESTING": True,
        "SQLALCHEMY_DATABASE_URI": database_url,
        "SECRET_KEY": "test-secret-" + "x" * 32,
        "RATELIMIT_ENABLED": False,
        "MAIL_OUTBOX": str(instance_dir / "outbox"),
        "BASE_URL": "http://careteam.test",
        "SMTP_HOST": None,
        # Still argon2id, at a cost that lets a test make dozens of accounts; production keeps
        # argon2-cffi's defaults (tests/test_passwords_cost.py checks that).
        "ARGON2_TIME_COST": 1,
        "ARGON2_MEMORY_KIB": 256,
    }


def make_app(database_url: str, instance_dir: Any, **overrides: Any) -> Flask:
    """Create a CareTeam app with test settings on ``database_url`` (tables not created)."""
    from . import create_app

    config = make_test_config(database_url, instance_dir)
    config.update(overrides)
    return create_app(config)


def _empty_all_tables(app: Flask) -> None:
    from .extensions import db

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


# --- clients --------------------------------------------------------------------------------


class CareClient(FlaskClient):
    """A test client that fills in CSRF tokens the way a browser submitting a form would."""

    def open(self, *args: Any, buffered: bool = True, **kwargs: Any) -> Any:
        """Read each response whole and close it, as a WSGI server does once it has sent the
        body, so what runs after the response (delivering queued email) is done by the time
        the test looks."""
        return super().open(*args, buffered=buffered, **kwargs)

    def csrf_token(self, page: str = "/") -> str:
        response = self.get(page, follow_redirects=True)
        match = _CSRF_RE.search(response.get_data(as_text=True))
        if match is None:
            raise AssertionError(f"no CSRF token on {page} (status {response.status_code})")
        return match.group(1) or match.group(2)

    def post_form(
        self, url: str, data: dict[str, Any] | None = None, page: str | None = None, **kwargs: Any
    ) -> Any:
        """GET ``page`` (default ``url``), take its CSRF token, then POST ``data`` to ``url``."""
        payload = dict(data or {})
        payload["csrf_token"] = self.csrf_token(page or url)
        return self.post(url, data=payload, **kwargs)


@pytest.fixture
def client(app: Flask) -> CareClient:
    app.test_client_class = CareClient
    return app.test_client()  # type: ignore[return-value]


@pytest.fixture
def new_client(app: Flask):
    """Return a factory for independent clients (separate browsers)."""

    def make() -> CareClient:
        app.test_client_class = CareClient
        return app.test_client()  # type: ignore[return-value]

    return make


@pytest.fixture
def runner(app: Flask):
    return app.test_cli_runner()


# --- people ---------------------------------------------------------------------------------


@pytest.fixture
def make_user(app: Flask):
    """Create a user directly (verified unless told otherwise) and return its email."""
    from .auth.models import User
    from .auth.passwords import hash_password
    from .clock import utcnow
    from .extensions import db

    counter = {"n": 0}

    def make(
        email: str | None = None,
        display_name: str = "Test Person",
        password: str = TEST_PASSWORD,
        verified: bool = True,
        **fields: Any,
    ) -> User:
        counter["n"] += 1
        with app.app_context():
            user = User(
                email=email or f"person{counter['n']}@example.org",
                display_name=display_name,
                password_hash=hash_password(password),
                email_verified_at=utcnow() if verified else None,
                **fields,
            )
            db.session.add(user)
            db.session.commit()
            db.session.refresh(user)
            db.session.expunge(user)
            return user

    return make


def login(client: CareClient, email: str, password: str = TEST_PASSWORD, remember: bool = False):
    """Sign in through the real form; return the response."""
    data = {"email": email, "password": password}
    if remember:
        data["remember"] = "y"
    return client.post_form("/login", data)


def logout(client: CareClient):
    return client.post_form("/logout", {}, page="/home")


# --- mail -----------------------------------------------------------------------------------


@dataclass
class MailServer:
    """A real SMTP server on 127.0.0.1 collecting every message it receives."""

    host: str
    port: int
    messages: list[EmailMessage] = field(default_factory=list)

    def wait_for(self, to: str, count: int = 1, timeout: float = 15.0) -> list[EmailMessage]:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            found = [m for m in self.messages if to.lower() in str(m["To"]).lower()]
            if len(found) >= count:
                return found
            time.sleep(0.02)
        raise AssertionError(f"expected {count} message(s) to {to}, got {len(found)}")

    def last_to(self, to: str) -> EmailMessage:
        return self.wait_for(to)[-1]


def message_text(message: EmailMessage) -> str:
    part = message.get_body(preferencelist=("plain",))
    return part.get_content() if part is not None else ""


def links_in(message: EmailMessage) -> list[str]:
    return re.findall(r"https?://[^\s<>\"]+", message_text(message))


@pytest.fixture(scope="session")
def smtp_server() -> Iterator[MailServer]:
    """Run aiosmtpd on a free local port for the whole test run."""
    from aiosmtpd.controller import Controller

    server = MailServer("127.0.0.1", 0)

    class Handler:
        async def handle_DATA(self, _server, _session, envelope):
            server.messages.append(
                message_from_bytes(
                    envelope.original_content or envelope.content, policy=policy.default
                )  # type: ignore[arg-type]
            )
            return "250 OK"

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        server.port = probe.getsockname()[1]
    controller = Controller(Handler(), hostname="127.0.0.1", port=server.port)
    controller.start()
    yield server
    controller.stop()


@pytest.fixture
def mail(smtp_server: MailServer, app_config: dict[str, Any]) -> MailServer:
    """Send the test app's mail through the real SMTP server; the inbox starts empty."""
    smtp_server.messages.clear()
    app_config.update(
        {"SMTP_HOST": smtp_server.host, "SMTP_PORT": smtp_server.port, "SMTP_SECURITY": "none"}
    )
    return smtp_server


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
    from .circles.testing import build_circle, people_for_every_role
    from .plugins.testing import switch_on_every_plugin

    setup = build_circle(app, people_for_every_role(make_user), name="Plugin test circle")
    switch_on_every_plugin(app, setup)
    return setup


@pytest.fixture
def client_as(app: Flask, circle_with_roles: Any):
    """Return a factory: ``client_as("therapist")`` is a client signed in as that member."""

    def make(role: str) -> CareClient:
        app.test_client_class = CareClient
        member_client: CareClient = app.test_client()  # type: ignore[assignment]
        response = login(member_client, circle_with_roles.people[role].email)
        assert response.status_code == 302, f"could not sign in as {role}"
        return member_client

    return make


@pytest.fixture(scope="session")
def blns(pytestconfig: pytest.Config) -> list[str]:
    """The Big List of Naughty Strings, from ``shared/data/blns.json`` beside the checkout.

    Set ``CARETEAM_BLNS`` to its path when the checkout lives elsewhere.
    """
    import json
    from pathlib import Path

    explicit = os.environ.get("CARETEAM_BLNS")
    candidates = [Path(explicit)] if explicit else []
    for folder in (pytestconfig.rootpath, *pytestconfig.rootpath.parents):
        candidates.append(folder / "shared" / "data" / "blns.json")
        candidates.append(folder.parent / "shared" / "data" / "blns.json")
    for path in candidates:
        if path.is_file():
            return json.loads(path.read_text(encoding="utf-8"))
    raise FileNotFoundError("blns.json not found: set CARETEAM_BLNS to its path")


# --- a real browser ---------------------------------------------------------------------------

CHROMIUM = "/usr/bin/chromium"
# What this machine's Chromium needs headless, and no calls home (the network is closed).
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
# Everything a person clicks or types into: each must be at least 44 px tall.
TARGETS = (
    "button, .button, .link-target, .note-title a, select, textarea, .radio label, "
    ".checkbox label, "
    "input[type=text], input[type=email], input[type=password], input[type=search], "
    "input[type=date], input[type=time], input[type=number], input[type=url]"
)


@pytest.fixture
def live_url(app: Flask) -> Iterator[str]:
    """Serve the test app on a free local port for a real browser; yield its base URL."""
    import threading

    from werkzeug.serving import make_server

    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}"
    server.shutdown()
    thread.join(timeout=5)


@pytest.fixture
def browser() -> Iterator[Any]:
    """Debian's Chromium through Playwright (skipped without it, unless CI requires it)."""
    from pathlib import Path

    if not Path(CHROMIUM).exists():
        if os.environ.get("CARETEAM_REQUIRE_BROWSER") == "1":
            pytest.fail(f"{CHROMIUM} is missing: apt-get install -y chromium")
        pytest.skip(f"{CHROMIUM} is missing")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        chromium = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()


def check_accessible(page: Any, label: str, targets: str = TARGETS) -> None:
    """Assert zero axe-core violations, 44 px targets and no inline styles on ``page``."""
    from axe_playwright_python.sync_playwright import Axe

    results = Axe().run(
        page,
        options={"resultTypes": ["violations"], "rules": {"target-size": {"enabled": True}}},
    )
    assert results.violations_count == 0, f"{label}:\n{results.generate_report()}"
    sizes = page.eval_on_selector_all(
        targets,
        """els => els.filter(e => e.offsetParent !== null)
                    .map(e => { const r = e.getBoundingClientRect();
                                return [e.outerHTML.slice(0, 80), r.width, r.height]; })""",
    )
    # 44 x 44 CSS px, both ways (WCAG 2.5.5): people with tremor or weak hands miss less.
    small = [(html, w, h) for html, w, h in sizes if w < 44 or h < 44]
    assert small == [], f"{label}: targets under 44 x 44 px: {small}"
    assert page.locator("[style]").count() == 0, f"{label}: inline style"
    _screenshot(page, label)


def sign_in_page(page: Any, live_url: str, email: str, password: str = TEST_PASSWORD) -> None:
    """Sign in through the real form in a browser page, and wait for the home page."""
    page.goto(f"{live_url}/login")
    page.fill("#email", email)
    page.fill("#password", password)
    page.keyboard.press("Enter")
    page.wait_for_url("**/home")


def _screenshot(page: Any, label: str) -> None:
    # Kept for people reviewing a run (tests/artifacts/ is git-ignored).
    from pathlib import Path

    folder = Path.cwd() / "tests" / "artifacts"
    if folder.parent.is_dir():
        folder.mkdir(exist_ok=True)
        name = re.sub(r"[^a-z0-9]+", "-", label.lower()).strip("-") or "page"
        page.screenshot(path=str(folder / f"{name}.png"), full_page=True)


# --- counting SQL statements -------------------------------------------------------------------


@contextmanager
def sql_statements(app: Flask) -> Iterator[list[str]]:
    """Collect the SQL statements the app's engine runs inside the block (for N+1 tests)."""
    from sqlalchemy import event

    from .extensions import db

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


# --- URL arguments of plugin routes ------------------------------------------------------------

# Re-exported so a plugin's test support needs only careteam.testing: CareTeam's route-wide
# tests (the permission matrix, cross-circle probes) fill each URL argument from a factory.
from .circles.testing import CircleSetup, register_url_argument  # noqa: E402, F401

TEST_FACTORY_GROUP = "careteam.test_factories"


def load_plugin_test_factories() -> list[str]:
    """Import every installed plugin's test-factory module (entry-point group
    ``careteam.test_factories``), so core's route-wide tests can visit the plugin's pages."""
    from importlib import metadata

    loaded = []
    for ep in metadata.entry_points(group=TEST_FACTORY_GROUP):
        ep.load()
        loaded.append(ep.name)
    return loaded


def pytest_configure(config: pytest.Config) -> None:
    load_plugin_test_factories()


def send_reminders(app: Flask, now: Any = None) -> Any:
    """Run ``careteam send-reminders`` as if the time were ``now``; return its report."""
    from .reminders.sending import send_due_reminders

    with app.app_context():
        return send_due_reminders(now)


def deliver_mail(app: Flask, now: Any = None) -> Any:
    """Run ``careteam send-mail`` as if the time were ``now``; return its report."""
    from .outbox import deliver_due

    with app.app_context():
        return deliver_due(now)


def outbox_rows(app: Flask) -> list[Any]:
    """Return every queued email's (recipient, attempts, sent or not, last error), oldest
    first."""
    from sqlalchemy import select

    from .extensions import db
    from .outbox import OutboxMessage

    with app.app_context():
        return [
            (row.recipient, row.attempts, row.sent_at is not None, row.last_error)
            for row in db.session.execute(select(OutboxMessage).order_by(OutboxMessage.id))
            .scalars()
            .all()
        ]
