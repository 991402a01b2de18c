"""Plugins' Alembic branches: each installed plugin passes the kit's migration check.

The tests are made for whatever plugins are installed (none, the first-party ones, someone
else's), so CareTeam's suite runs the same check a plugin's own tests run.
"""

from __future__ import annotations

import pytest
from flask_migrate import upgrade
from sqlalchemy import inspect

from careteam.extensions import db
from careteam.plugins.host import entry_point_candidates
from careteam.testing import check_plugin_migrations, make_app


def _plugins_with_migrations() -> list[str]:
    """Names of the installed plugins whose manifest names a migrations folder (and of those
    that cannot say: their check then fails and shows why)."""
    names = []
    for candidate in entry_point_candidates():
        try:
            migrations = candidate.load().careteam_plugin_manifest().migrations
        except Exception:  # any fault in a plugin's import or manifest: checked, not hidden
            migrations = "unknown"
        if migrations is not None:
            names.append(candidate.name)
    return names


MIGRATING = _plugins_with_migrations()
needs_a_plugin = pytest.mark.skipif(
    not MIGRATING, reason="no installed plugin has migrations (install careteam-example-hello)"
)


def _tables(app) -> set[str]:
    with app.app_context():
        names = set(inspect(db.engine).get_table_names())
        db.engine.dispose()
    return names


@needs_a_plugin
@pytest.mark.parametrize("name", MIGRATING)
def test_each_installed_plugins_branch_passes_the_kits_check(name, empty_database_url, tmp_path):
    check_plugin_migrations(name, empty_database_url, tmp_path)


@needs_a_plugin
@pytest.mark.parametrize("name", MIGRATING[:1])
def test_a_blocked_plugins_revisions_stay_known(name, empty_database_url, tmp_path):
    app = make_app(empty_database_url, tmp_path)
    with app.app_context():
        upgrade(revision="heads")
        db.engine.dispose()
    own = {t for t in _tables(app) if t.startswith(f"{name}_")}
    blocked = make_app(empty_database_url, tmp_path, BLOCKED_PLUGINS=[name])
    # Alembic must still recognise the revision recorded for the blocked plugin's tables.
    result = blocked.test_cli_runner().invoke(args=["careteam", "init"])
    assert result.exit_code == 0, result.output
    assert own and own <= _tables(blocked)
