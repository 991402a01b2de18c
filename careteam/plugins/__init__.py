"""The plugin platform: one pluggy manager per app, per-circle switches, events, fault isolation.

``create_app`` builds the :class:`~careteam.plugins.host.PluginHost` first (core features
register their own hook implementations on it, ``trylast``), then loads installed plugins from
the ``careteam.plugins`` entry points last, once every core capability and page exists.
Plugins themselves import only :mod:`careteam.api`.

The platform sits below the features, which call it (events, switches, hook calls): it imports
no feature but :mod:`careteam.auth` (whose models sit below it too), and reads circles through
the functions the circles package hands it (:mod:`.circle_reads`).
"""

from __future__ import annotations

from flask import Flask

from .enablement import enabled_plugins, is_enabled, plugin_host
from .events import init_events
from .host import PluginHost
from .static_files import init_plugin_static

__all__ = [
    "PluginHost",
    "enabled_plugins",
    "init_plugin_host",
    "is_enabled",
    "plugin_host",
]


def init_plugin_host(app: Flask) -> PluginHost:
    """Create the app's plugin host (empty) and the event delivery; plugins load later."""
    host = PluginHost()
    app.extensions["careteam"] = host
    app.extensions["careteam_cli_commands"] = []
    init_events(app)
    init_plugin_static(app)
    return host
