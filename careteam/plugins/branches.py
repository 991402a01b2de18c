"""Which plugins' revision folders join core's Alembic history (read without Alembic).

Blocked plugins, plugins that failed to import and plugins not migrated yet keep their folder in
the list (a blocked or broken one's found by convention, ``<package>/migrations``, without
importing its code): their tables may be in the database, and Alembic must know every revision
recorded there or it refuses to run; a plugin not migrated yet is what ``careteam init`` is for.

Two kinds are left out.  A plugin removed with its data kept (``careteam plugins remove NAME
--keep-data``): its rows left ``alembic_version``, so without its folder ``heads`` does not
reach it and ``careteam init`` does not re-create the tables it kept.  And a plugin whose folder
breaks the rules of :mod:`.revisions` (a branch label or revision id not its own): such a folder
can clash with core's or another plugin's history, and one clash stops ``careteam init`` for the
whole site; if its revisions were applied before, ``careteam init`` names the plugin and the
command that clears them instead.

:mod:`careteam.plugins.migrations` hands this list to Alembic; ``careteam init`` and ``careteam
plugins remove`` read it too, and they are loaded in web workers, which never import Alembic.
"""

from __future__ import annotations

import importlib.util
from pathlib import Path
from typing import Any

from sqlalchemy import inspect, select
from sqlalchemy.exc import SQLAlchemyError

from ..extensions import db
from .models import PluginRemoval
from .revisions import RevisionFolderError, check_plugin_folder


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


def plugin_migration_folder(
    host: Any, name: str, removed: frozenset[str] = frozenset()
) -> Path | None:
    """Return the revision folder Alembic uses for installed plugin ``name``, if any;
    ``removed`` names the plugins removed with their data kept."""
    candidate = next((c for c in host.installed if c.name == name), None)
    if candidate is None or name in removed or host.problem_stage(name) == "migrations":
        return None
    held = host.held_back.get(name)
    plugin = host.plugins.get(name) or (held[0] if held else None)
    if plugin is not None:
        return plugin.migrations
    folder = _conventional_folder(candidate.module_name)
    if folder is None:
        return None
    try:
        check_plugin_folder(name, folder)
    except RevisionFolderError:
        return None
    return folder


def plugin_migration_folders(host: Any, removed: frozenset[str] = frozenset()) -> list[Path]:
    """Return the revision folders of every installed plugin, loaded or not (but see the
    module docstring for the two kinds left out); ``removed`` as for
    :func:`plugin_migration_folder`."""
    folders: list[Path] = []
    for candidate in host.installed:
        folder = plugin_migration_folder(host, candidate.name, removed)
        if folder is not None and folder.is_dir() and folder not in folders:
            folders.append(folder)
    return folders


def removed_plugins(conn: Any = None) -> frozenset[str]:
    """Return the names of the plugins removed with their data kept (none before core's
    migration that makes their table has run, or when the database cannot be read).

    Read on ``conn`` when given (pass the session's: on SQLite a second connection waits for
    the write lock the session holds in a command), else on a connection of its own.
    """
    try:
        if conn is not None:
            return _removed_names(conn)
        with db.engine.connect() as own:
            return _removed_names(own)
    except SQLAlchemyError:
        return frozenset()  # Alembic, about to use the same database, reports the fault


def _removed_names(conn: Any) -> frozenset[str]:
    if not inspect(conn).has_table(PluginRemoval.__tablename__):
        return frozenset()
    return frozenset(conn.execute(select(PluginRemoval.name)).scalars())
