"""The migration check a plugin's own tests run: ``check_plugin_migrations("mood", ...)``.

CareTeam runs every installed plugin's Alembic branch with core's (``careteam init`` upgrades to
``heads``; ``flask db downgrade <name>@base`` takes one plugin's tables away), so a plugin's
revisions must keep to three rules this module checks on a real, empty database:

- its revisions are on a branch labelled with the plugin's name, and every table they create is
  named ``<name>_...`` (so core's and other plugins' tables can never collide with it);
- its models and its migrations agree (what Alembic's autogenerate would find is nothing);
- downgrading ``<name>@base`` removes exactly its tables, and upgrading again puts them back.

Each step works through a fresh app, so the check does not depend on whether the plugin is
served by an app made before its branch was at head.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from alembic.script import ScriptDirectory
from flask import Flask
from flask_migrate import downgrade, upgrade
from sqlalchemy import inspect, text

from ..extensions import db
from ..plugins.host import entry_point_candidates
from .apps import make_app

__all__ = ["check_plugin_migrations"]


class _Database:
    """An empty test database, reached each time through a fresh app in its own folder."""

    def __init__(self, database_url: str, instance_dir: Path) -> None:
        self.url = database_url
        self.instance_dir = instance_dir
        self._apps = 0

    def app(self) -> Flask:
        self._apps += 1
        folder = self.instance_dir / f"migration-check-{self._apps}"
        folder.mkdir(parents=True, exist_ok=True)
        return make_app(self.url, folder)

    def tables(self) -> set[str]:
        app = self.app()
        with app.app_context():
            names = set(inspect(db.engine).get_table_names())
            db.engine.dispose()
        return names

    def versions(self) -> set[str]:
        app = self.app()
        with app.app_context():
            with db.engine.connect() as conn:
                rows = conn.execute(text("SELECT version_num FROM alembic_version")).scalars()
                found = set(rows)
            db.engine.dispose()
        return found

    def run(self, step: str, action: Any, revision: str) -> None:
        """Run ``upgrade``/``downgrade`` to ``revision``; a failure names the step it broke."""
        app = self.app()
        with app.app_context():
            try:
                action(revision=revision)
            except Exception as error:
                raise AssertionError(
                    f"{step} failed: {type(error).__name__}: {error}. Run the same step with "
                    f"`flask --app careteam db {action.__name__} {revision}` on an empty "
                    "database to see the whole traceback, then fix the revision it names."
                ) from error
            finally:
                db.engine.dispose()


def _branch_revisions(app: Flask, name: str) -> set[str]:
    """Return the revision ids of the Alembic branch labelled ``name`` (empty if none)."""
    with app.app_context():
        config = app.extensions["migrate"].migrate.get_config()
        script = ScriptDirectory.from_config(config)
        return {
            revision.revision
            for revision in script.walk_revisions()
            if name in (revision.branch_labels or ())
        }


def _plugin_package(name: str) -> str:
    for candidate in entry_point_candidates():
        if candidate.name == name:
            return candidate.module_name.split(".")[0]
    raise AssertionError(
        f"No installed plugin is named {name!r}: CareTeam finds plugins by their "
        f'[project.entry-points."careteam.plugins"] entry in pyproject.toml. Add '
        f'`{name} = "<your_package>.plugin"` there and `pip install -e .` the plugin.'
    )


def _mapped_tables(package: str) -> set[str]:
    """Return the tables mapped by the models defined in ``package`` (the plugin's code)."""
    tables = set()
    for mapper in db.Model.registry.mappers:
        module = mapper.class_.__module__
        if (module == package or module.startswith(package + ".")) and mapper.local_table.name:
            tables.add(mapper.local_table.name)
    return tables


def _is_fts(type_: str, name: str | None) -> bool:
    # As in migrations/env.py: full-text search objects are hand-written DDL that autogenerate
    # cannot describe.
    return type_ in ("table", "index", "column") and bool(name) and "_fts" in (name or "")


def _table_name(obj: Any, type_: str, name: str | None) -> str:
    if type_ == "table":
        return name or ""
    # Columns, indexes and constraints (foreign keys included) know the table they belong to.
    return getattr(getattr(obj, "table", None), "name", "") or ""


def _model_drift(app: Flask, prefix: str) -> list[Any]:
    """Return what autogenerate finds between the models and the database, for ``prefix`` tables."""

    def include(obj: Any, name: str | None, type_: str, _reflected: bool, _compare: Any) -> bool:
        return not _is_fts(type_, name) and _table_name(obj, type_, name).startswith(prefix)

    with app.app_context(), db.engine.connect() as conn:
        context = MigrationContext.configure(
            conn,
            opts={"render_as_batch": True, "compare_type": True, "include_object": include},
        )
        diffs = compare_metadata(context, db.metadata)
        db.engine.dispose()
    return diffs


def check_plugin_migrations(name: str, database_url: str, instance_dir: Any) -> None:
    """Check plugin ``name``'s Alembic branch on an empty database; raise AssertionError if not.

    Pass the ``empty_database_url`` fixture and a temporary folder::

        def test_migrations(empty_database_url, tmp_path):
            check_plugin_migrations("mood", empty_database_url, tmp_path)

    Upgrades to every head (as ``careteam init`` does), checks the branch labelled ``name``
    exists and creates only ``<name>_`` tables, that the plugin's models and migrations agree,
    that downgrading ``<name>@base`` drops its tables and nothing else, and that upgrading again
    brings back the same tables.  Each failure says what to change.
    """
    prefix = f"{name}_"
    package = _plugin_package(name)
    database = _Database(database_url, Path(instance_dir))
    before = database.tables()
    assert not before, (
        f"check_plugin_migrations needs an empty database, and this one has tables "
        f"({', '.join(sorted(before)[:5])}...): pass the `empty_database_url` fixture."
    )

    branch = _branch_revisions(database.app(), name)
    assert branch, (
        f"No Alembic branch is labelled {name!r}. The plugin's first revision (in the folder "
        f"its manifest names as `migrations`) needs `branch_labels = ({name!r},)`, "
        '`down_revision = None` and `depends_on = "<the core revision it needs>"`.'
    )

    database.run("Upgrading every branch to its head (what `careteam init` does)", upgrade, "heads")
    everything = database.tables()
    heads = database.versions()

    # The models are read after the upgrade through a fresh app, which loads the plugin whatever
    # start-up decides about plugins whose branch was not yet at head.
    app = database.app()
    misnamed_models = {t for t in _mapped_tables(package) if not t.startswith(prefix)}
    assert not misnamed_models, (
        f"Models of {package} map tables whose names do not start with {prefix!r}: "
        f"{sorted(misnamed_models)}. Set `__tablename__ = '{prefix}...'` on each, and create "
        "them under that name in the plugin's revisions."
    )
    drift = _model_drift(app, prefix)
    assert not drift, (
        f"The {name} plugin's models and migrations disagree; Alembic's autogenerate finds:\n"
        + "\n".join(f"  {diff}" for diff in drift)
        + f"\nAdd a revision on the {name!r} branch that makes these changes "
        f"(`flask --app careteam db revision --autogenerate --head {name}@head -m ...`, then "
        "keep only the lines about your tables), or change the models to match."
    )

    database.run(f"Downgrading {name}@base", downgrade, f"{name}@base")
    after_down = database.tables()
    left = sorted(t for t in after_down if t.startswith(prefix))
    assert not left, (
        f"After `downgrade {name}@base` these tables remain: {left}. Each revision's "
        "downgrade() must drop what its upgrade() created."
    )
    not_its_own = sorted(t for t in everything - after_down if not t.startswith(prefix))
    assert not not_its_own, (
        f"`downgrade {name}@base` dropped tables whose names do not start with {prefix!r}: "
        f"{not_its_own}. If the {name!r} branch creates them, rename them (and their models' "
        f"__tablename__) to {prefix}..., so they cannot collide with core's or another "
        "plugin's tables; otherwise its downgrade() must leave them alone."
    )
    versions = database.versions()
    assert versions == heads - branch, (
        f"After `downgrade {name}@base` Alembic records {sorted(versions)}, expected the other "
        f"branches' heads {sorted(heads - branch)}: no other branch may depend on the {name!r} "
        "branch (`depends_on` in its revisions names only core revisions)."
    )

    # A failure here is most often a downgrade() that left a table (or an index) behind.
    database.run(f"Upgrading again after `downgrade {name}@base`", upgrade, "heads")
    again = database.tables()
    created = again - after_down
    misnamed = sorted(t for t in created if not t.startswith(prefix))
    assert not misnamed, (
        f"The {name!r} branch creates tables whose names do not start with {prefix!r}: "
        f"{misnamed}. Rename them (and their models' __tablename__) to {prefix}..., so they "
        "cannot collide with core's or another plugin's tables."
    )
    assert again == everything, (
        f"Upgrading again after `downgrade {name}@base` gives different tables: missing "
        f"{sorted(everything - again)}, new {sorted(again - everything)}. The branch's "
        "upgrade() and downgrade() must mirror each other."
    )
