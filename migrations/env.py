"""Alembic environment: runs CareTeam's migrations against the Flask app's own engine."""

from __future__ import annotations

import logging
from logging.config import fileConfig

from alembic import context
from flask import current_app

config = context.config
if config.config_file_name is not None and not logging.getLogger().handlers:
    fileConfig(config.config_file_name, disable_existing_loggers=False)

extension = current_app.extensions["migrate"]
target_metadata = extension.db.metadata


def _include_object(obj, name, type_, reflected, compare_to):
    # Full-text search objects (SQLite FTS5 tables and their shadow tables, PostgreSQL GIN
    # indexes, the stored tsvector column notes.search_fts) are managed by hand-written migrations.
    return not (type_ in ("table", "index", "column") and name and "_fts" in name)


def run_migrations_offline() -> None:
    context.configure(
        url=str(extension.db.engine.url).replace("%", "%%"),
        target_metadata=target_metadata,
        literal_binds=True,
        render_as_batch=True,
        include_object=_include_object,
    )
    with context.begin_transaction():
        context.run_migrations()


def run_migrations_online() -> None:
    connectable = extension.db.engine
    options = dict(extension.configure_args)
    options.setdefault("render_as_batch", True)
    options.setdefault("compare_type", True)
    options.setdefault("include_object", _include_object)
    with connectable.connect() as connection:
        context.configure(connection=connection, target_metadata=target_metadata, **options)
        with context.begin_transaction():
            context.run_migrations()


if context.is_offline_mode():
    run_migrations_offline()
else:
    run_migrations_online()
