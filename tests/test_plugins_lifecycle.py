"""A plugin's life on a site: not migrated yet, removed, uninstalled, set aside, restored.

Uses the example plugin ``hello`` on an empty database of the run's backend.  "Uninstalled" is an
app made with ``LOAD_INSTALLED_PLUGINS=False`` and ``PLUGINS=`` every other installed plugin: that
is what ``pip uninstall careteam-example-hello`` leaves -- no ``hello`` entry point, so no hello
plugin and no hello revision folder in Alembic's ``version_locations`` -- while devices (and
whatever else is installed) is still there.  (hello's models stay mapped in this process, as
they would not in a new one; the code under test never relies on mapped tables to find a
plugin's.)
"""

from __future__ import annotations

import logging
import textwrap
from importlib.metadata import entry_points
from pathlib import Path

import pytest
from flask_migrate import downgrade
from sqlalchemy import inspect, select, text

from careteam import hookimpl
from careteam.api import PluginManifest
from careteam.audit import AuditEvent
from careteam.circles.demo import DEMO_PASSWORD, demo_circle
from careteam.extensions import db
from careteam.plugins.migrations import plugin_migration_folders
from careteam.plugins.models import CirclePlugin, PluginRemoval
from careteam.plugins.revisions import branch_heads, plugin_of_revision, read_folder
from careteam.testing import CareClient, is_postgres, login, make_app

HELLO_TABLES = {"hello_kind_words", "hello_shared_update_counts"}
DEMO_WORDS = "walk to the bench and back today"


# --- helpers ---------------------------------------------------------------------------------


def _cli(app, *args: str, input: str | None = None):
    result = app.test_cli_runner().invoke(args=["careteam", *args], input=input)
    with app.app_context():
        db.session.remove()
        db.engine.dispose()
    assert "Traceback" not in result.output
    return result


def _uninstalled(url: str, tmp_path: Path):
    """An app as after ``pip uninstall careteam-example-hello`` (see the module docstring)."""
    others = [e.load() for e in entry_points(group="careteam.plugins") if e.name != "hello"]
    return make_app(url, tmp_path, LOAD_INSTALLED_PLUGINS=False, PLUGINS=others)


def _tables(app) -> set[str]:
    with app.app_context():
        names = set(inspect(db.engine).get_table_names())
        db.engine.dispose()
    return names


def _read(app, statement, **params) -> list:
    with app.app_context():
        with db.engine.connect() as conn:
            rows = list(conn.execute(statement, params))
        db.engine.dispose()
    return rows


def _versions(app) -> set[str]:
    return {row[0] for row in _read(app, text("SELECT version_num FROM alembic_version"))}


def _hello_switches(app) -> int:
    return len(_read(app, select(CirclePlugin.circle_id).where(CirclePlugin.plugin == "hello")))


def _site_with_demo(url: str, tmp_path: Path):
    """Migrate an empty database and fill it with the demo; return a new app on it."""
    first = make_app(url, tmp_path)
    assert _cli(first, "init").exit_code == 0
    app = make_app(url, tmp_path)  # made after migrating: hello is served
    result = _cli(app, "demo")
    assert result.exit_code == 0, result.output
    return app


def _maya(app) -> tuple[CareClient, str]:
    """Sign in as the demo's Maya; return the client and her circle's path."""
    app.test_client_class = CareClient
    client = app.test_client()
    assert login(client, "maya@example.org", DEMO_PASSWORD).status_code == 302
    with app.app_context():
        circle = demo_circle("maya")
        path = f"/circles/{circle.public_id}"
        db.session.remove()
    return client, path


def _assert_site_works(app, *, hello: bool) -> None:
    client, circle = _maya(app)
    assert client.get("/home").status_code == 200
    home = client.get(circle)
    assert home.status_code == 200
    assert (f'href="{circle}/hello"' in home.get_data(as_text=True)) is hello
    page = client.get(f"{circle}/hello")
    assert page.status_code == (200 if hello else 404)
    with app.app_context():
        db.engine.dispose()


# --- not migrated ----------------------------------------------------------------------------


def test_a_plugin_whose_branch_is_not_migrated_is_not_served(empty_database_url, tmp_path):
    fresh = make_app(empty_database_url, tmp_path)
    # No alembic_version table at all: nothing is migrated, and no connection is left open.
    host = fresh.extensions["careteam"]
    assert host.held_back["hello"][1] == "not migrated"
    assert "hello" not in host.plugins and "hello" not in fresh.blueprints
    with fresh.app_context():
        assert db.engine.pool.checkedin() == 0
        # careteam init still finds the held-back plugin's revisions.
        assert any(
            f.parts[-2:] == ("careteam_hello", "migrations") for f in plugin_migration_folders(host)
        )

    app = _site_with_demo(empty_database_url, tmp_path)
    _assert_site_works(app, hello=True)
    with app.app_context():
        downgrade(revision="hello@base")
        db.engine.dispose()

    stale = make_app(empty_database_url, tmp_path)
    stale_host = stale.extensions["careteam"]
    assert "hello" not in stale_host.plugins and not stale_host.pm.has_plugin("hello")
    # Not its hooks either: the note-created counter would write into a table that is gone.
    assert "hello" not in {i.plugin_name for i in stale_host.impls("careteam_note_created")}
    assert "hello-stats" not in stale.cli.commands
    _assert_site_works(stale, hello=False)
    listing = _cli(stale, "plugins")
    assert "hello 0.1.0 [not migrated]" in listing.output
    assert "run `careteam init`" in listing.output
    assert "devices 0.1.0 [loaded]" in listing.output

    assert _cli(stale, "init").exit_code == 0
    _assert_site_works(make_app(empty_database_url, tmp_path), hello=True)


def test_a_database_out_of_reach_at_start_up_serves_every_plugin(database_url, tmp_path, caplog):
    if is_postgres(database_url):
        unreachable = "postgresql+psycopg://postgres@127.0.0.1:1/careteam"
    else:
        unreachable = f"sqlite:///{tmp_path / 'no' / 'such' / 'folder' / 'db.sqlite3'}"
    with caplog.at_level(logging.WARNING, logger="careteam.plugins"):
        app = make_app(unreachable, tmp_path)
    assert "hello" in app.extensions["careteam"].plugins
    assert "Could not read which plugins are migrated" in caplog.text


# --- remove ----------------------------------------------------------------------------------


def test_remove_answered_no_changes_nothing(empty_database_url, tmp_path):
    app = _site_with_demo(empty_database_url, tmp_path)
    versions, switches = _versions(app), _hello_switches(app)
    result = _cli(app, "plugins", "remove", "hello", input="n\n")
    assert result.exit_code == 0, result.output
    assert "drops its tables and everything in them" in result.output
    assert "hello_kind_words, hello_shared_update_counts" in result.output
    assert "Nothing was changed." in result.output
    assert _tables(app) >= HELLO_TABLES
    assert _versions(app) == versions and _hello_switches(app) == switches == 2


def test_remove_then_uninstall_leaves_a_site_that_starts(empty_database_url, tmp_path):
    app = _site_with_demo(empty_database_url, tmp_path)
    result = _cli(app, "plugins", "remove", "hello", "--yes")
    assert result.exit_code == 0, result.output
    assert "dropped: hello_kind_words, hello_shared_update_counts" in result.output
    assert "Next: pip uninstall careteam-example-hello" in result.output
    assert not {t for t in _tables(app) if t.startswith("hello_")}
    assert not {v for v in _versions(app) if v.startswith("hello_")}
    assert _hello_switches(app) == 0
    [audit_row] = _read(
        app,
        select(AuditEvent.circle_id, AuditEvent.details).where(
            AuditEvent.action == "plugin.removed"
        ),
    )
    assert audit_row.circle_id is None and audit_row.details["data_kept"] is False

    uninstalled = _uninstalled(empty_database_url, tmp_path)
    assert _cli(uninstalled, "init").exit_code == 0
    demo = _cli(uninstalled, "demo")
    assert demo.exit_code == 0, demo.output
    _assert_site_works(uninstalled, hello=False)
    assert "hello" not in _cli(uninstalled, "plugins").output


@pytest.mark.parametrize("keep_data", [False, True])
def test_uninstall_without_remove_init_names_the_command_that_fixes_it(
    empty_database_url, tmp_path, keep_data
):
    _site_with_demo(empty_database_url, tmp_path)
    uninstalled = _uninstalled(empty_database_url, tmp_path)
    refused = _cli(uninstalled, "init")
    assert refused.exit_code == 1
    assert 'plugin "hello" (revision hello_0001)' in refused.output
    assert "careteam plugins remove hello " in refused.output
    assert "careteam plugins remove hello --keep-data" in refused.output

    args = ["plugins", "remove", "hello", *(["--keep-data"] if keep_data else [])]
    result = _cli(uninstalled, *args, input="y\n")
    assert result.exit_code == 0, result.output
    assert "hello_kind_words, hello_shared_update_counts" in result.output  # in the question
    assert "Next: `careteam init`" in result.output
    assert not {v for v in _versions(uninstalled) if v.startswith("hello_")}
    assert (_tables(uninstalled) >= HELLO_TABLES) is keep_data
    assert {"users", "circles", "notes", "devices_devices"} <= _tables(uninstalled)
    assert _hello_switches(uninstalled) == (2 if keep_data else 0)

    fixed = _cli(uninstalled, "init")
    assert fixed.exit_code == 0, fixed.output
    _assert_site_works(_uninstalled(empty_database_url, tmp_path), hello=False)


def test_keep_data_uninstall_reinstall_restore_brings_the_old_rows_back(
    empty_database_url, tmp_path
):
    app = _site_with_demo(empty_database_url, tmp_path)
    result = _cli(app, "plugins", "remove", "hello", "--keep-data", "--yes")
    assert result.exit_code == 0, result.output
    assert "its tables stay: hello_kind_words, hello_shared_update_counts" in result.output
    assert _tables(app) >= HELLO_TABLES
    assert not {v for v in _versions(app) if v.startswith("hello_")}
    assert _read(app, select(PluginRemoval.name, PluginRemoval.heads)) == [
        ("hello", ["hello_0001"])
    ]

    uninstalled = _uninstalled(empty_database_url, tmp_path)
    assert _cli(uninstalled, "init").exit_code == 0  # no attempt to make the kept tables again
    assert _cli(uninstalled, "demo").exit_code == 0
    _assert_site_works(uninstalled, hello=False)
    listing = _cli(uninstalled, "plugins").output
    assert "hello - [removed (data kept)]" in listing and "install it again" in listing

    reinstalled = make_app(empty_database_url, tmp_path)
    assert reinstalled.extensions["careteam"].held_back["hello"][1] == "removed"
    assert "hello 0.1.0 [removed (data kept)]" in _cli(reinstalled, "plugins").output
    assert _cli(reinstalled, "init").exit_code == 0
    _assert_site_works(make_app(empty_database_url, tmp_path), hello=False)

    restored = _cli(reinstalled, "plugins", "restore", "hello")
    assert restored.exit_code == 0, restored.output
    assert "hello_0001" in _versions(reinstalled)
    assert _read(reinstalled, select(PluginRemoval.name)) == []
    served = make_app(empty_database_url, tmp_path)
    _assert_site_works(served, hello=True)
    client, circle = _maya(served)
    assert DEMO_WORDS in client.get(f"{circle}/hello").get_data(as_text=True)


# --- refusals --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["remove", "careteam"], '"careteam" is part of CareTeam, not a plugin'),
        (["remove", "notes"], '"notes" is part of CareTeam, not a plugin'),
        (["remove", "circle"], '"circle" is part of CareTeam, not a plugin'),
        (["remove", "nosuch"], 'No plugin named "nosuch" is installed'),
        (["restore", "hello"], 'The plugin "hello" was not removed with its data kept'),
        (["restore", "gone"], 'The plugin "gone" is not installed: install it again'),
        (["remove", "gone", "--keep-data", "--yes"], '"gone" is already removed'),
    ],
)
def test_refusals_change_nothing(app, args, message):
    with app.app_context():
        db.session.add(PluginRemoval(name="gone", heads=["gone_0001"]))
        db.session.commit()
        before = (_versions(app), _tables(app))
    result = _cli(app, "plugins", *args)
    assert result.exit_code == 1
    assert message in result.output
    assert (_versions(app), _tables(app)) == before
    assert _read(app, select(PluginRemoval.name)) == [("gone",)]


# --- bad revision folders --------------------------------------------------------------------


REVISION = '''
"""A revision."""
revision = {revision!r}
down_revision = None
branch_labels = {labels!r}
depends_on = "0002"


def upgrade():
    pass


def downgrade():
    pass
'''


class Tidy:
    """A plugin living in a test, with the revision folder it is given."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder

    @hookimpl
    def careteam_plugin_manifest(self):
        return PluginManifest(name="tidy", label="Tidy", migrations=self.folder)


def _folder(tmp_path: Path, revision: str | None, labels=("tidy",)) -> Path:
    folder = tmp_path / "tidy_migrations"
    folder.mkdir()
    if revision is not None:
        source = REVISION.format(revision=revision, labels=labels)
        (folder / f"{revision}_first.py").write_text(textwrap.dedent(source))
    return folder


@pytest.mark.parametrize(
    ("make_folder", "reason"),
    [
        (lambda tmp: tmp / "missing", "migrations folder"),
        (lambda tmp: _folder(tmp, None), "holds no revision"),
        (lambda tmp: _folder(tmp, "tidy_0001", ("tidier",)), "must have branch_labels = ('tidy',)"),
        (
            lambda tmp: _folder(tmp, "0099"),
            "revision '0099' (0099_first.py) must start with 'tidy_'",
        ),
    ],
)
def test_a_bad_revision_folder_fails_the_plugin_and_the_site_starts(
    database_url, tmp_path, make_folder, reason
):
    folder = make_folder(tmp_path)
    app = make_app(database_url, tmp_path, PLUGINS=[Tidy(folder)])
    host = app.extensions["careteam"]
    assert "tidy" not in host.plugins and "hello" in host.plugins
    [problem] = host.problems
    assert problem.stage == "migrations" and reason in problem.error
    with app.app_context():
        assert folder not in plugin_migration_folders(host)
    listing = _cli(app, "plugins").output
    assert "tidy - [failed]" in listing and reason in listing
    assert app.test_client().get("/login").status_code == 200


def test_revisions_are_read_without_running_them(tmp_path):
    folder = tmp_path / "versions"
    folder.mkdir()
    (folder / "a.py").write_text(
        'import no_such_module\nrevision: str = "mood_log_0001"\n'
        'down_revision = None\nbranch_labels = ("mood_log",)\n'
    )
    (folder / "b.py").write_text('revision = "mood_log_0002"\ndown_revision = "mood_log_0001"\n')
    (folder / "c.py").write_text('revision = "mood_log_0003"\ndown_revision = ("mood_log_0001",)\n')
    revisions = read_folder(folder)
    assert [r.id for r in revisions] == ["mood_log_0001", "mood_log_0002", "mood_log_0003"]
    assert branch_heads(revisions) == {"mood_log_0002", "mood_log_0003"}
    assert plugin_of_revision("mood_log_0002") == "mood_log"
    assert plugin_of_revision("mood_log_0002", ["mood", "mood_log"]) == "mood_log"
    assert plugin_of_revision("0012") is None
