"""CareTeam: care coordination for the circle around someone living with a chronic condition."""

from __future__ import annotations

import logging
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import click
from flask import Flask

from .config import load_settings
from .hookspecs import hookimpl
from .paths import TEMPLATES_DIR
from .web.logredact import install_log_redaction
from .web.proxies import TrustedProxyFix

__all__ = ["create_app", "hookimpl"]


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

    _init_extensions(app)
    if not for_web_server or click.get_current_context(silent=True) is not None:
        from .db.migrating import init_migrations

        init_migrations(app)
    _register_features(app)

    from .cli import add_commands

    add_commands(app)
    return app


def _init_extensions(app: Flask) -> None:
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
    from . import models  # noqa: F401 - every table registered before migrations run
    from .account.views import bp as account_bp
    from .admin.views import bp as admin_bp
    from .auth.login import init_login
    from .auth.views import bp as auth_bp
    from .permissions import init_permissions
    from .plugins import init_plugin_host
    from .plugins.setup import load_plugins
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
    from .circles import init_circles

    init_circles(app)
    from .notes import init_notes

    init_notes(app)
    from .outbox import init_app as init_outbox

    init_outbox(app)
    from .appointments import init_appointments

    init_appointments(app)
    from .reminders import init_reminders

    init_reminders(app)
    from .calendar_feeds import init_calendar_feeds

    init_calendar_feeds(app)
    from .invitations import init_invitations

    init_invitations(app)
    from .exports import init_exports

    init_exports(app)
    from .plugins.views import init_plugin_pages

    init_plugin_pages(app)
    # Installed plugins load last, so they see (and cannot shadow) every core capability,
    # blueprint and command.
    load_plugins(app)
