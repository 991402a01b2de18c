"""Plugins' Alembic branches: each comes up with ``careteam init`` and goes down on its own."""

from __future__ import annotations

from alembic.script import ScriptDirectory
from flask_migrate import downgrade, upgrade
from sqlalchemy import inspect, text

from careteam.extensions import db
from careteam.testing import make_app


def _tables(app) -> set[str]:
    with app.app_context():
        names = set(inspect(db.engine).get_table_names())
        db.engine.dispose()
    return names


def _plugin_branches(app) -> dict[str, str]:
    """Return {branch label: its base revision} for every plugin branch Alembic knows."""
    with app.app_context():
        config = app.extensions["migrate"].migrate.get_config()
        script = ScriptDirectory.from_config(config)
        found = {}
        for revision in script.walk_revisions():
            for label in revision.branch_labels or ():
                if label != "careteam":
                    found[label] = revision.revision
    return found


def test_every_installed_plugin_has_a_branch_named_after_it(app):
    branches = _plugin_branches(app)
    for name, plugin in app.extensions["careteam"].plugins.items():
        if plugin.manifest.migrations:
            assert name in branches, f"plugin {name} has no Alembic branch labelled {name!r}"
    assert "hello" in branches


def test_each_plugin_branch_goes_down_alone_and_up_again(empty_database_url, tmp_path):
    app = make_app(empty_database_url, tmp_path)
    branches = _plugin_branches(app)
    with app.app_context():
        upgrade(revision="heads")  # what `careteam init` runs
        db.engine.dispose()
    everything = _tables(app)
    assert {"hello_kind_words", "circles", "notes", "circle_plugins"} <= everything
    for branch in branches:
        prefix = f"{branch}_"
        with app.app_context():
            downgrade(revision=f"{branch}@base")
            with db.engine.connect() as conn:
                versions = set(
                    conn.execute(text("SELECT version_num FROM alembic_version")).scalars()
                )
            db.engine.dispose()
        remaining = _tables(app)
        assert not {t for t in remaining if t.startswith(prefix)}, branch
        # Core and every other plugin keep their tables and their place in the history.
        assert {t for t in everything if not t.startswith(prefix)} <= remaining
        assert "0006" in versions and not any(v.startswith(prefix) for v in versions)
        with app.app_context():
            upgrade(revision="heads")
            db.engine.dispose()
        assert _tables(app) == everything


def test_a_blocked_plugins_revisions_stay_known(empty_database_url, tmp_path):
    app = make_app(empty_database_url, tmp_path)
    with app.app_context():
        upgrade(revision="heads")
        db.engine.dispose()
    blocked = make_app(empty_database_url, tmp_path, BLOCKED_PLUGINS=["hello"])
    # Alembic must still recognise the revision recorded for the blocked plugin's tables.
    result = blocked.test_cli_runner().invoke(args=["careteam", "init"])
    assert result.exit_code == 0, result.output
    assert "hello_kind_words" in _tables(blocked)
