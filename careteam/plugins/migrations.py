"""Plugins' Alembic branches: every installed plugin's revisions join core's.

A plugin ships its revisions in its own package, on a branch labelled with its name, whose first
revision ``depends_on`` the core revision it needs.  ``careteam init`` upgrades to ``heads``, so
each branch comes up; ``careteam plugins remove <name>`` downgrades ``<name>@base``, which
removes one plugin's tables alone.  Which folders join is decided in :mod:`.branches`.
"""

from __future__ import annotations

import os
from typing import Any

from flask import current_app, has_app_context

from ..db.migrating import migrate
from ..paths import MIGRATIONS_DIR
from .branches import plugin_migration_folders, removed_plugins

__all__ = ["plugin_migration_folders"]


@migrate.configure
def _add_plugin_version_locations(config: Any) -> Any:
    # Flask-Migrate calls this each time it builds an Alembic config, inside the app context.
    if not has_app_context() or "careteam" not in current_app.extensions:
        return config
    host = current_app.extensions["careteam"]
    # Read afresh, not from the app's start: a removal or restore may have happened since.
    folders = [MIGRATIONS_DIR / "versions", *plugin_migration_folders(host, removed_plugins())]
    config.set_main_option("path_separator", "os")
    config.set_main_option(
        "version_locations", os.pathsep.join(str(f).replace("%", "%%") for f in folders)
    )
    return config
