"""CareTeam: care coordination for the circle around someone living with a chronic condition.

The top of the package: the app factory (:func:`create_app`) and the ``careteam`` console script
(:func:`main`) wire every layer together (docs/architecture.md has the map).  Python runs this
file before any ``careteam.<module>`` import, and the gunicorn master (``careteam.gunicorn_conf``),
the pytest plugin and the Alembic revisions import light modules only; so what an app needs is
imported when an app is made, for start-up cost, not at the top of this file.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import click
from flask import Flask
from flask.cli import FlaskGroup

from .config import ConfigurationError, load_settings
from .hookspecs import hookimpl
from .paths import TEMPLATES_DIR
from .web.logredact import install_log_redaction
from .web.proxies import TrustedProxyFix

__all__ = ["create_app", "hookimpl", "main"]


def create_app(config: Mapping[str, Any] | None = None, *, for_web_server: bool = False) -> Flask:
    """Create and configure a CareTeam application.

    ``config`` overrides settings read from the environment (tests pass their database here).
    ``for_web_server`` (``wsgi.py``) leaves out the migration machinery, which only commands
    use, unless a command line is what is creating the app (``flask --app wsgi db …``).
    """
    app = Flask(
        __name__,
        instance_relative_config=True,
        template_folder=str(TEMPLATES_DIR),
        static_folder=str(Path(__file__).parent / "static"),
    )
    Path(app.instance_path).mkdir(parents=True, exist_ok=True)
    app.config.update(load_settings(Path(app.instance_path)))
    if config:
        app.config.update(config)
    logging.basicConfig(
        level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s"
    )
    install_log_redaction()

    if app.config["PROXY_COUNT"]:
        app.wsgi_app = TrustedProxyFix(  # type: ignore[method-assign]
            app.wsgi_app, app.config["PROXY_COUNT"], app.config["TRUSTED_PROXIES"]
        )

    # start-up: the app's parts load when an app is made (see the module docstring).
    from .cli import add_commands

    _init_extensions(app)
    if not for_web_server or click.get_current_context(silent=True) is not None:
        # start-up: Flask-Migrate loads Alembic, which web workers never use.
        from .db.migrating import init_migrations
        from .plugins import migrations  # noqa: F401 - adds plugins' Alembic branches to upgrades

        init_migrations(app)
    _register_features(app)
    add_commands(app)
    return app


def _init_extensions(app: Flask) -> None:
    # start-up: the app's parts load when an app is made (see the module docstring).
    from .db.engine import configure_engines, engine_options
    from .extensions import csrf, db, limiter, login_manager
    from .web.outage import init_outage

    app.config["SQLALCHEMY_ENGINE_OPTIONS"] = engine_options(app)
    db.init_app(app)
    with app.app_context():
        configure_engines(app)
        init_outage(app)
    csrf.init_app(app)
    limiter.init_app(app)
    login_manager.init_app(app)


def _register_features(app: Flask) -> None:
    # start-up: the app's parts load when an app is made (see the module docstring).
    from . import models  # noqa: F401 - every table registered before migrations run
    from .account.views import bp as account_bp
    from .admin.views import bp as admin_bp
    from .appointments import init_appointments
    from .auth.login import init_login
    from .auth.views import bp as auth_bp
    from .calendar_feeds import init_calendar_feeds
    from .circles import init_circles
    from .circles.plugin_views import init_plugin_pages
    from .cli import careteam_cli
    from .exports import init_exports
    from .invitations import init_invitations
    from .notes import init_notes
    from .outbox import init_app as init_outbox
    from .permissions import init_permissions
    from .plugins import init_plugin_host
    from .plugins.setup import load_plugins
    from .reminders import init_reminders
    from .ui import init_ui
    from .web.errors import init_errors
    from .web.pages import bp as pages_bp
    from .web.security_headers import init_security
    from .web.templating import init_templating

    init_ui(app)
    init_permissions(app)
    init_plugin_host(app)
    init_security(app)
    init_errors(app)
    init_login(app)
    init_templating(app)
    for blueprint in (pages_bp, auth_bp, account_bp, admin_bp):
        app.register_blueprint(blueprint)
    init_circles(app)
    init_notes(app)
    init_outbox(app)
    init_appointments(app)
    init_reminders(app)
    init_calendar_feeds(app)
    init_invitations(app)
    init_exports(app)
    init_plugin_pages(app)
    # Installed plugins load last, so they see (and cannot shadow) every core capability,
    # blueprint and command.
    load_plugins(app, core_commands=careteam_cli.commands)


def _create_app_for_command() -> Flask:
    # A setting an operator must fix (a production site without its secret key) is a sentence
    # on the command line, not a traceback.
    try:
        return create_app()
    except ConfigurationError as error:
        raise click.ClickException(str(error)) from error


def main() -> None:
    """Run the ``careteam`` console script: its commands plus Flask's own (run, shell)."""
    # start-up: the app's parts load when an app is made (see the module docstring).
    from .cli import careteam_cli

    cli = FlaskGroup(create_app=_create_app_for_command, help="CareTeam site commands.")
    for name, command in careteam_cli.commands.items():
        cli.add_command(command, name)
    cli.main(prog_name="careteam")
