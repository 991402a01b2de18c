"""Removing a plugin before ``pip uninstall``, setting it aside with its data, restoring it.

``careteam plugins remove NAME`` takes the plugin's branch down to base through Alembic, which
drops its tables, and forgets its switches and saved settings: after that, ``pip uninstall``
leaves a database that ``careteam init`` and the site accept.  A plugin already uninstalled
without that has revisions in ``alembic_version`` that no file knows; its tables (every name
starts ``<name>_``) are then found by reflection and dropped, and its rows deleted.

``--keep-data`` leaves the tables alone: the branch's rows move from ``alembic_version`` to
``plugin_removals`` (:class:`.models.PluginRemoval`), so the plugin is not served, ``careteam
init`` leaves its branch out (:mod:`.branches`), and ``careteam plugins restore NAME`` writes the
rows back.  Each remove and restore leaves a site-level audit row (no circle).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from flask import current_app
from sqlalchemy import MetaData, delete, inspect, select, text

from .. import audit
from ..extensions import db
from ..paths import MIGRATIONS_DIR
from ..refusals import Refusal
from .branches import plugin_migration_folder, plugin_migration_folders
from .circle_reads import circle_reads
from .enablement import plugin_host
from .migration_state import recorded_versions
from .models import CirclePlugin, PluginReminderClaim, PluginRemoval
from .revisions import plugin_of_revision, read_folder

CORE_BRANCH = "careteam"


class LifecycleRefusal(Refusal):
    """``careteam plugins remove`` or ``restore`` refused: the message says why, nothing changed."""


@dataclass(frozen=True)
class RemovalPlan:
    """What removing one plugin would touch, read before the operator confirms."""

    name: str
    installed: bool
    distribution: str
    # The plugin's tables in the database now, and its revision ids in alembic_version.
    tables: tuple[str, ...]
    recorded: tuple[str, ...]
    # Set aside already with --keep-data: the heads recorded then.
    kept_heads: tuple[str, ...] | None
    # Its installed revision folder knows every recorded id: Alembic takes the branch down.
    through_alembic: bool


@dataclass(frozen=True)
class UnknownPlugin:
    """Revisions in ``alembic_version`` that no installed folder knows, by the plugin they
    name (None when the id names no plugin)."""

    name: str | None
    revisions: tuple[str, ...]


def _installed_names() -> set[str]:
    return {candidate.name for candidate in plugin_host().installed}


def _core_tables() -> set[str]:
    # Tables of core's own models: a plugin's models live in its own package.  (Not "mapped
    # tables minus installed plugins'": a plugin's models stay mapped in a process that imported
    # them, whether or not the app at hand has the plugin.)
    return {
        mapper.local_table.name
        for mapper in db.Model.registry.mappers
        if mapper.class_.__module__.split(".")[0] == "careteam"
    }


def _is_core_name(name: str) -> bool:
    if name == CORE_BRANCH:
        return True
    host = plugin_host()
    if name in current_app.blueprints and name not in host.blueprint_owner:
        return True
    return any(t == name or t.startswith(f"{name}_") for t in _core_tables())


def _removals(conn: Any) -> dict[str, tuple[str, ...]] | None:
    """Return the removal records, or None before core's migration that makes their table."""
    if not inspect(conn).has_table(PluginRemoval.__tablename__):
        return None
    rows = conn.execute(select(PluginRemoval.name, PluginRemoval.heads))
    return {name: tuple(heads or ()) for name, heads in rows}


def _plugin_tables(conn: Any, name: str, known: set[str]) -> list[str]:
    # Tables named "<name>_…", but not those of a plugin whose own name starts "<name>_"
    # (removing "mood" must not touch "mood_log"'s tables), nor core's.
    others = [n for n in known if n != name and n.startswith(f"{name}_")]
    core = _core_tables()
    return sorted(
        t
        for t in inspect(conn).get_table_names()
        if t.startswith(f"{name}_")
        and t not in core
        and not any(t.startswith(f"{other}_") for other in others)
    )


def plan_removal(name: str) -> RemovalPlan:
    """Return what removing plugin ``name`` would touch; refuse a core name or an unknown one."""
    if _is_core_name(name):
        raise LifecycleRefusal(f'"{name}" is part of CareTeam, not a plugin: it cannot be removed.')
    host = plugin_host()
    candidate = next((c for c in host.installed if c.name == name), None)
    conn = db.session.connection()
    versions = recorded_versions(conn)
    removals = _removals(conn) or {}
    known = _installed_names() | set(removals) | {name}
    recorded = tuple(sorted(v for v in versions if plugin_of_revision(v, known) == name))
    tables = tuple(_plugin_tables(conn, name, known))
    switched = conn.execute(
        select(CirclePlugin.plugin).where(CirclePlugin.plugin == name).limit(1)
    ).first()
    db.session.commit()  # end the read: the operator may take a while to answer
    kept = removals.get(name)
    if candidate is None and not (recorded or tables or switched or kept is not None):
        raise LifecycleRefusal(
            f'No plugin named "{name}" is installed, and the database holds nothing of one: '
            "`careteam plugins` lists the installed plugins."
        )
    folder = plugin_migration_folder(host, name) if candidate else None
    known_ids = {r.id for r in read_folder(folder)} if folder else set()
    return RemovalPlan(
        name=name,
        installed=candidate is not None,
        distribution=candidate.distribution if candidate else "",
        tables=tables,
        recorded=recorded,
        kept_heads=kept,
        through_alembic=bool(recorded) and set(recorded) <= known_ids,
    )


def _drop_tables(conn: Any, names: list[str]) -> None:
    if not names:
        return
    metadata = MetaData()
    metadata.reflect(conn, only=names)
    # Reflection brings along the core tables they point at (users, circles): name the
    # plugin's own, or drop_all would drop those too.  It drops children first.
    metadata.drop_all(conn, tables=[metadata.tables[name] for name in names])


def remove_plugin(plan: RemovalPlan, *, keep_data: bool) -> list[str]:
    """Remove the plugin ``plan`` describes; return the tables dropped (none with
    ``keep_data``).  The operator has confirmed; this commits."""
    name = plan.name
    if keep_data:
        return _set_aside(plan)
    # Alembic works on its own connection: the session holds no transaction meanwhile (on
    # SQLite it would hold the write lock Alembic waits for).
    db.session.commit()
    if plan.through_alembic:
        # start-up: Alembic is loaded only by the commands that migrate, never in web workers.
        from flask_migrate import downgrade

        downgrade(revision=f"{name}@base")
    # What Alembic left: everything, for a plugin no installed file knows.  Dropped in the
    # transaction that deletes its rows, so both happen or neither.
    conn = db.session.connection()
    _drop_tables(conn, _plugin_tables(conn, name, _installed_names() | {name}))
    for revision in plan.recorded:
        db.session.execute(
            text("DELETE FROM alembic_version WHERE version_num = :v"), {"v": revision}
        )
    if plan.kept_heads is not None:
        db.session.execute(delete(PluginRemoval).where(PluginRemoval.name == name))
    db.session.execute(delete(CirclePlugin).where(CirclePlugin.plugin == name))
    db.session.execute(delete(PluginReminderClaim).where(PluginReminderClaim.plugin == name))
    circle_reads().forget_plugin_settings(name)
    audit.record(
        "plugin.removed",
        object_type="plugin",
        object_id=name,
        details={"tables_dropped": list(plan.tables), "data_kept": False},
    )
    db.session.commit()
    return list(plan.tables)


def _set_aside(plan: RemovalPlan) -> list[str]:
    if plan.kept_heads is not None:
        raise LifecycleRefusal(
            f'The plugin "{plan.name}" is already removed with its data kept: '
            f"`careteam plugins restore {plan.name}` brings it back."
        )
    if _removals(db.session.connection()) is None:
        raise LifecycleRefusal(
            "This database is older than this CareTeam: run `careteam init` first "
            "(or remove the plugin without --keep-data)."
        )
    db.session.add(PluginRemoval(name=plan.name, heads=list(plan.recorded)))
    for revision in plan.recorded:
        db.session.execute(
            text("DELETE FROM alembic_version WHERE version_num = :v"), {"v": revision}
        )
    audit.record(
        "plugin.removed",
        object_type="plugin",
        object_id=plan.name,
        details={"tables_kept": list(plan.tables), "data_kept": True},
    )
    db.session.commit()
    return []


def restore_plugin(name: str) -> tuple[str, ...]:
    """Bring back a plugin removed with its data kept: write its recorded heads back into
    ``alembic_version`` and delete the record; return the heads.  This commits."""
    removal = db.session.get(PluginRemoval, name)
    if removal is None:
        raise LifecycleRefusal(
            f'The plugin "{name}" was not removed with its data kept, so there is nothing to '
            "restore."
        )
    host = plugin_host()
    if name not in _installed_names():
        raise LifecycleRefusal(
            f'The plugin "{name}" is not installed: install it again (pip install …), '
            f"then run `careteam plugins restore {name}`."
        )
    heads = tuple(removal.heads or ())
    folder = plugin_migration_folder(host, name)
    known_ids = {r.id for r in read_folder(folder)} if folder else set()
    missing = [head for head in heads if head not in known_ids]
    if missing:
        raise LifecycleRefusal(
            f'The installed version of "{name}" does not know its revision '
            f"{', '.join(missing)}: install the version that was removed, or a later one."
        )
    present = recorded_versions(db.session.connection())
    for head in heads:
        if head not in present:
            db.session.execute(
                text("INSERT INTO alembic_version (version_num) VALUES (:v)"), {"v": head}
            )
    db.session.delete(removal)
    audit.record(
        "plugin.restored", object_type="plugin", object_id=name, details={"heads": list(heads)}
    )
    db.session.commit()
    return heads


def unknown_revisions() -> list[UnknownPlugin]:
    """Return the revisions recorded in ``alembic_version`` that neither core's folder nor an
    installed plugin's knows (Alembic would refuse to run), grouped by the plugin they name."""
    host = plugin_host()
    conn = db.session.connection()
    versions = recorded_versions(conn)
    removals = _removals(conn) or {}
    db.session.commit()  # end the read: on SQLite it would keep Alembic from writing
    if not versions:
        return []
    folders = [MIGRATIONS_DIR / "versions", *plugin_migration_folders(host, frozenset(removals))]
    known_ids = {revision.id for folder in folders for revision in read_folder(folder)}
    found: dict[str | None, list[str]] = {}
    names = _installed_names() | set(removals)
    for revision in sorted(versions - known_ids):
        found.setdefault(plugin_of_revision(revision, names), []).append(revision)
    return [UnknownPlugin(name, tuple(ids)) for name, ids in found.items()]
