"""The plugin platform: one pluggy manager per app, per-circle switches, events, fault isolation.

``create_app`` builds the :class:`~careteam.plugins.host.PluginHost` first (core features
register their own hook implementations on it, ``trylast``), then loads installed plugins from
the ``careteam.plugins`` entry points last, once every core capability and page exists.
Plugins themselves import only :mod:`careteam.api`.
"""

from __future__ import annotations

from typing import Any

from flask import Flask

from .enablement import enabled_plugins, is_enabled, plugin_host
from .host import PluginHost

__all__ = [
    "PluginHost",
    "enabled_plugins",
    "init_plugin_host",
    "is_enabled",
    "plugin_host",
    "register_core_hooks",
]


def init_plugin_host(app: Flask) -> PluginHost:
    """Create the app's plugin host (empty) and the event delivery; plugins load later."""
    from .events import init_events

    host = PluginHost()
    app.extensions["careteam"] = host
    app.extensions["careteam_cli_commands"] = []
    init_events(app)
    return host


def register_core_hooks(app: Flask, name: str, obj: Any) -> None:
    """Register a core feature's hook implementations: on in every circle, never switchable."""
    app.extensions["careteam"].register_core(name, obj)
