"""Flask-Migrate, set up only where migrations can run: the command line and tests.

Importing Flask-Migrate imports Alembic (and Mako), a sizeable share of a worker's memory.  A worker
never migrates, so ``create_app(for_web_server=True)`` (what ``wsgi.py`` does) leaves this
module alone unless a command line is what is loading the app.
"""

from __future__ import annotations

from flask import Flask
from flask_migrate import Migrate

from ..extensions import db
from ..paths import MIGRATIONS_DIR

migrate = Migrate()


def init_migrations(app: Flask) -> None:
    """Let ``app`` run core's migrations (:mod:`careteam.plugins.migrations` adds every installed
    plugin's branch to them)."""
    migrate.init_app(app, db, directory=str(MIGRATIONS_DIR), render_as_batch=True)
