"""Plugins' Alembic branches: every installed plugin's revisions join core's.

A plugin ships its revisions in its own package, on a branch labelled with its name, whose first
revision ``depends_on`` the core revision it needs.  ``careteam init`` upgrades to ``heads``, so
each branch comes up; ``flask db downgrade <name>@base`` removes one plugin's tables alone.

Blocked plugins and plugins that failed to import keep their folder in the list (found by
convention, ``<package>/migrations``, without importing their code): their tables are still in
the database, and Alembic must know every revision recorded there or it refuses to run.
"""

from __future__ import annotations

import importlib.util
import os
from pathlib import Path
from typing import Any

from flask import current_app, has_app_context

from ..db.migrating import migrate
from ..paths import MIGRATIONS_DIR


def _conventional_folder(module_name: str) -> Path | None:
    if not module_name or "<" in module_name:
        return None
    top = module_name.split(".")[0]
    try:
        spec = importlib.util.find_spec(top)  # finds a top-level package without running it
    except (ImportError, ValueError):
        return None
    if spec is None or not spec.submodule_search_locations:
        return None
    folder = Path(next(iter(spec.submodule_search_locations))) / "migrations"
    return folder if folder.is_dir() else None


def plugin_migration_folders(host: Any) -> list[Path]:
    """Return the revision folders of every installed plugin, loaded or not."""
    folders: list[Path] = []
    for candidate in host.installed:
        loaded = host.plugins.get(candidate.name)
        if loaded is not None:
            folder = loaded.manifest.migrations
            folder = Path(folder) if folder else None
        else:
            folder = _conventional_folder(candidate.module_name)
        if folder is not None and folder.is_dir() and folder not in folders:
            folders.append(folder)
    return folders


@migrate.configure
def _add_plugin_version_locations(config: Any) -> Any:
    # Flask-Migrate calls this each time it builds an Alembic config, inside the app context.
    if not has_app_context() or "careteam" not in current_app.extensions:
        return config
    host = current_app.extensions["careteam"]
    folders = [MIGRATIONS_DIR / "versions", *plugin_migration_folders(host)]
    config.set_main_option("path_separator", "os")
    config.set_main_option(
        "version_locations", os.pathsep.join(str(f).replace("%", "%%") for f in folders)
    )
    return config
