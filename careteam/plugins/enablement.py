"""Per-circle switches: which plugins are on in a circle, and switching them.

A circle's switches are read once per request and cached on ``flask.g``: on circle pages the
guard's query brings them along with the membership; elsewhere one query, only when something
asks (an event, a page outside the circle's routes).
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from flask import current_app, g
from sqlalchemy import func, select

from .. import audit
from ..db.clock import utcnow
from ..extensions import db
from .host import PluginHost
from .models import CirclePlugin


def plugin_host() -> PluginHost:
    return current_app.extensions["careteam"]


def _cache() -> dict[int, frozenset[str]]:
    cache = g.get("_careteam_plugins_on")
    if cache is None:
        cache = g._careteam_plugins_on = {}
    return cache


def enabled_plugins(circle_id: int) -> frozenset[str]:
    """Return the names of the loaded plugins switched on in this circle."""
    host = plugin_host()
    if not host.plugins:
        return frozenset()
    cache = _cache()
    if circle_id not in cache:
        names = db.session.scalars(
            select(CirclePlugin.plugin).where(
                CirclePlugin.circle_id == circle_id, CirclePlugin.enabled.is_(True)
            )
        )
        cache[circle_id] = frozenset(n for n in names if n in host.plugins)
    return cache[circle_id]


def remember_enabled(circle_id: int, names: Iterable[str]) -> None:
    """Keep, for this request, the switches a query that had to run anyway read (the circle
    guard's), so :func:`enabled_plugins` does not ask again."""
    loaded = plugin_host().plugins
    _cache()[circle_id] = frozenset(n for n in names if n in loaded)


def is_enabled(circle_id: int, plugin: str) -> bool:
    return plugin in enabled_plugins(circle_id)


def set_enabled(circle: Any, plugin: str, enabled: bool, actor_id: int | None) -> bool:
    """Switch ``plugin`` on or off in ``circle``; return whether anything changed.

    Switching off keeps every row the plugin stored; switching on again shows it all.
    """
    if plugin not in plugin_host().plugins:
        raise KeyError(plugin)
    row = db.session.get(CirclePlugin, (circle.id, plugin))
    if row is not None and row.enabled == enabled:
        return False
    if row is None:
        if not enabled:
            return False
        row = CirclePlugin(circle_id=circle.id, plugin=plugin)
        db.session.add(row)
    row.enabled = enabled
    row.changed_at = utcnow()
    row.changed_by_id = actor_id
    audit.record(
        "plugin.enabled" if enabled else "plugin.disabled",
        circle_id=circle.id,
        object_type="plugin",
        object_id=plugin,
        actor_id=actor_id,
    )
    _cache().pop(circle.id, None)
    return True


def enable_defaults(circle: Any, actor_id: int | None) -> None:
    """Switch on, in a new circle, every plugin whose manifest asks for it."""
    for name, plugin in plugin_host().plugins.items():
        if plugin.manifest.enabled_by_default:
            db.session.add(
                CirclePlugin(circle_id=circle.id, plugin=name, enabled=True, changed_by_id=actor_id)
            )
    _cache().pop(circle.id, None)


def circle_counts() -> dict[str, int]:
    """Return, per plugin name, the number of circles it is switched on in."""
    rows = db.session.execute(
        select(CirclePlugin.plugin, func.count())
        .where(CirclePlugin.enabled.is_(True))
        .group_by(CirclePlugin.plugin)
    )
    return {name: count for name, count in rows}


def plugin_settings(circle: Any, plugin: str) -> dict[str, Any]:
    """Return the plugin's settings for this circle: its defaults, overlaid with saved values."""
    loaded = plugin_host().plugins.get(plugin)
    defaults = dict(loaded.manifest.default_settings) if loaded else {}
    saved = ((circle.settings or {}).get("plugins") or {}).get(plugin) or {}
    return {**defaults, **saved}


def save_plugin_settings(circle: Any, plugin: str, values: dict[str, Any], actor_id: int) -> None:
    """Store the plugin's settings for this circle (the caller holds the circle's row lock)."""
    settings = dict(circle.settings or {})
    plugins = dict(settings.get("plugins") or {})
    plugins[plugin] = values
    settings["plugins"] = plugins
    circle.settings = settings
    audit.record(
        "plugin.settings_changed",
        circle_id=circle.id,
        object_type="plugin",
        object_id=plugin,
        actor_id=actor_id,
        details={"fields": sorted(values)},
    )
