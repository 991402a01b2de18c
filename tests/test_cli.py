"""The ``careteam`` commands: init, demo and create-admin, through Flask's CLI runner."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from sqlalchemy import create_engine, func, inspect, select, text

from careteam import create_app
from careteam.audit import AuditEvent
from careteam.auth.models import User
from careteam.auth.passwords import verify_password
from careteam.extensions import db
from careteam.testing import TEST_PASSWORD, make_test_config

STRONG = "plum orbit lantern gravel 7"


@pytest.fixture
def fresh_app(tmp_path: Path):
    """An app on a new, empty SQLite file (no tables at all)."""
    url = f"sqlite:///{tmp_path / 'fresh.sqlite3'}"
    app = create_app(make_test_config(url, tmp_path))
    yield app
    with app.app_context():
        db.engine.dispose()


def _row_counts(app) -> dict[str, int]:
    with app.app_context():
        return {
            table.name: db.session.scalar(select(func.count()).select_from(table)) or 0
            for table in db.metadata.sorted_tables
        }


def test_init_creates_every_table_on_an_empty_database(fresh_app):
    url = fresh_app.config["SQLALCHEMY_DATABASE_URI"]
    engine = create_engine(url)
    assert inspect(engine).get_table_names() == []
    result = fresh_app.test_cli_runner().invoke(args=["careteam", "init"])
    assert result.exit_code == 0, result.output
    assert "Database is up to date." in result.output
    tables = set(inspect(engine).get_table_names())
    with fresh_app.app_context():
        expected = {table.name for table in db.metadata.sorted_tables}
        from alembic.script import ScriptDirectory

        config = fresh_app.extensions["migrate"].migrate.get_config()
        heads = set(ScriptDirectory.from_config(config).get_heads())
    assert expected <= tables
    with engine.connect() as conn:
        assert set(conn.execute(text("SELECT version_num FROM alembic_version")).scalars()) == heads
        assert conn.execute(text("PRAGMA journal_mode")).scalar() == "wal"
    # Running it again is harmless.
    again = fresh_app.test_cli_runner().invoke(args=["careteam", "init"])
    assert again.exit_code == 0, again.output
    engine.dispose()


def test_demo_fills_the_database_and_running_it_again_changes_nothing(fresh_app):
    runner = fresh_app.test_cli_runner()
    assert runner.invoke(args=["careteam", "init"]).exit_code == 0
    first = runner.invoke(args=["careteam", "demo"])
    assert first.exit_code == 0, first.output
    counts = _row_counts(fresh_app)
    assert counts["users"] > 0 and counts["circles"] > 0 and counts["memberships"] > 0
    second = runner.invoke(args=["careteam", "demo"])
    assert second.exit_code == 0, second.output
    assert _row_counts(fresh_app) == counts


def test_create_admin_makes_a_verified_site_admin(app, runner):
    result = runner.invoke(
        args=["careteam", "create-admin", "--email", " Boss@Example.org ", "--password-stdin"],
        input=STRONG + "\n",
    )
    assert result.exit_code == 0, result.output
    assert "Created site administrator boss@example.org." in result.output
    with app.app_context():
        user = db.session.scalar(select(User).where(User.email == "boss@example.org"))
        assert user.is_site_admin and user.email_verified and user.active
        assert user.display_name == "Site administrator"
        assert verify_password(user.password_hash, STRONG)
        audit_row = db.session.scalar(
            select(AuditEvent).where(AuditEvent.action == "admin.granted")
        )
        assert audit_row.object_id == user.public_id
        assert audit_row.details == {"created": True, "via": "cli"}
        assert STRONG not in str(audit_row.details)


@pytest.mark.parametrize(
    ("password", "message"),
    [
        ("short", "Use at least 12 characters"),
        ("password1234", "too easy to guess"),
        ("boss@example.org", "too easy to guess"),
        ("aaaaaaaaaaaaaaaa", "too easy to guess"),
    ],
)
def test_create_admin_refuses_a_weak_password(app, runner, password, message):
    result = runner.invoke(
        args=["careteam", "create-admin", "--email", "boss@example.org", "--password-stdin"],
        input=password + "\n",
    )
    assert result.exit_code == 1
    assert result.output.startswith("Error: ")
    assert message in result.output
    assert "Traceback" not in result.output
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(User)) == 0


def test_create_admin_refuses_a_bad_email(app, runner):
    result = runner.invoke(
        args=["careteam", "create-admin", "--email", "not-an-address", "--password-stdin"],
        input=STRONG + "\n",
    )
    assert result.exit_code == 1
    assert "Give a valid email address." in result.output


def test_create_admin_promotes_an_existing_account_and_keeps_its_password(app, runner, make_user):
    existing = make_user(email="therapist@example.org", display_name="Theo Therapist")
    result = runner.invoke(
        args=["careteam", "create-admin", "--email", "therapist@example.org", "--password-stdin"],
        input="anything at all, it is not used\n",
    )
    assert result.exit_code == 0, result.output
    assert "Promoted site administrator therapist@example.org." in result.output
    with app.app_context():
        user = db.session.get(User, existing.id)
        assert user.is_site_admin
        assert user.display_name == "Theo Therapist"
        assert verify_password(user.password_hash, TEST_PASSWORD)
        assert db.session.scalar(select(func.count()).select_from(User)) == 1
    again = runner.invoke(
        args=["careteam", "create-admin", "--email", "therapist@example.org", "--password-stdin"],
        input="\n",
    )
    assert again.exit_code == 0
    with app.app_context():
        rows = db.session.scalars(select(AuditEvent).where(AuditEvent.action == "admin.granted"))
        assert len(list(rows)) == 1


def test_console_script_entry_point_runs_the_commands(tmp_path):
    """``careteam`` (careteam.main) finds the app from the environment, like an operator runs it."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("CARETEAM_")}
    env["CARETEAM_DATABASE_URL"] = f"sqlite:///{tmp_path / 'script.sqlite3'}"
    env["CARETEAM_SECRET_KEY"] = "script-test-secret-" + "s" * 30
    script = "import sys; from careteam import main; sys.argv[0] = 'careteam'; main()"

    def run(*args: str, stdin: str = "") -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [sys.executable, "-c", script, *args],
            input=stdin,
            env=env,
            cwd=tmp_path,
            capture_output=True,
            text=True,
            timeout=120,
        )

    listing = run("--help")
    assert listing.returncode == 0, listing.stderr
    for command in ("init", "demo", "create-admin", "run", "send-reminders"):
        assert command in listing.stdout
    assert run("init").returncode == 0
    created = run("create-admin", "--email", "ops@example.org", "--password-stdin", stdin=STRONG)
    assert created.returncode == 0, created.stderr
    assert "Created site administrator ops@example.org." in created.stdout


def test_a_production_site_without_its_secret_key_is_told_so_without_a_traceback(tmp_path):
    env = {k: v for k, v in os.environ.items() if not k.startswith("CARETEAM_")}
    env["CARETEAM_ENV"] = "production"
    script = "import sys; from careteam import main; sys.argv[0] = 'careteam'; main()"
    result = subprocess.run(
        [sys.executable, "-c", script, "init"],
        env=env,
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 1
    assert result.stderr.strip() == (
        "Error: CARETEAM_SECRET_KEY is required when CARETEAM_ENV=production"
    )
