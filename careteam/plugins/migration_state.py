"""Whose tables exist: the one read of ``alembic_version`` an app makes when it is created.

A plugin whose branch heads are not all recorded there has no tables yet (installed, but
``careteam init`` not run), or had them set aside by ``careteam plugins remove --keep-data``
(recorded in ``plugin_removals``).  Either way its pages would fail on the first query, so the
app leaves the plugin out altogether (:func:`careteam.plugins.setup.load_plugins`).
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from dataclasses import dataclass, field

from flask import Flask
from sqlalchemy import inspect, select, text
from sqlalchemy.exc import SQLAlchemyError

from ..extensions import db
from .models import PluginRemoval

log = logging.getLogger("careteam.plugins")

NOT_MIGRATED = "not migrated"
REMOVED = "removed"


@dataclass(frozen=True)
class MigrationState:
    """The revisions recorded in the database and the plugins removed with their data kept."""

    # None when the database could not be read: then every plugin counts as migrated.
    versions: frozenset[str] | None
    removed: Mapping[str, tuple[str, ...]] = field(default_factory=dict)

    def hold_back(self, name: str, heads: frozenset[str]) -> str | None:
        """Return why plugin ``name`` (whose branch ends at ``heads``) must not be served:
        :data:`REMOVED`, :data:`NOT_MIGRATED`, or None when its tables are there."""
        if self.versions is None:
            return None
        if name in self.removed:
            return REMOVED
        if not heads <= self.versions:
            return NOT_MIGRATED
        return None


def recorded_versions(conn) -> frozenset[str]:
    """Return the revision ids in ``alembic_version`` (none on a database never migrated)."""
    if not inspect(conn).has_table("alembic_version"):
        return frozenset()
    return frozenset(conn.execute(text("SELECT version_num FROM alembic_version")).scalars())


def read_migration_state(app: Flask) -> MigrationState:
    """Read ``alembic_version`` and ``plugin_removals`` once, then close every connection.

    A database out of reach is logged as a warning and counts as migrated: a blip while a
    worker starts must not take plugins away for the worker's whole life.  The engine is
    disposed afterwards because gunicorn may fork workers after the app is made, and a pooled
    connection must not be shared across processes.
    """
    with app.app_context():
        try:
            with db.engine.connect() as conn:
                tables = set(inspect(conn).get_table_names())
                versions: frozenset[str] = frozenset()
                if "alembic_version" in tables:
                    versions = frozenset(
                        conn.execute(text("SELECT version_num FROM alembic_version")).scalars()
                    )
                removed: dict[str, tuple[str, ...]] = {}
                if PluginRemoval.__tablename__ in tables:
                    for name, heads in conn.execute(
                        select(PluginRemoval.name, PluginRemoval.heads)
                    ):
                        removed[name] = tuple(heads or ())
        except SQLAlchemyError as error:
            log.warning(
                "Could not read which plugins are migrated (%s); serving every plugin.",
                type(error).__name__,
            )
            return MigrationState(versions=None)
        finally:
            db.engine.dispose()
    return MigrationState(versions=versions, removed=removed)
