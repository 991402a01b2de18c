"""Test helpers for the plugin platform: switch plugins on in a test circle, fill ``plugin``."""

from __future__ import annotations

from typing import Any

from flask import Flask

from ..circles.models import Circle
from ..circles.testing import CircleSetup, register_url_argument
from ..extensions import db
from ..plugins.enablement import set_enabled


def switch_on_every_plugin(app: Flask, setup: CircleSetup) -> None:
    """Switch every loaded plugin on in the test circle (new circles get only the defaults)."""
    with app.app_context():
        circle = db.session.get(Circle, setup.id)
        for name in app.extensions["careteam"].plugins:
            set_enabled(circle, name, True, None)
        db.session.commit()


def _plugin_with_settings(app: Flask, _setup: Any, _role: str | None) -> str:
    host = app.extensions["careteam"]
    for name, plugin in sorted(host.plugins.items()):
        if plugin.settings_form is not None:
            return name
    # No loaded plugin has settings: the page is a 404 for everyone, as it should be.
    return "no-such-plugin"


register_url_argument("plugin", _plugin_with_settings, site_wide=True)
