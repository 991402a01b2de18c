"""Core test fixtures come from careteam.testing (a pytest11 plugin); helpers live there too."""

from __future__ import annotations

import pytest
from wtforms import BooleanField

from careteam import hookimpl
from careteam.api import PluginForm, PluginManifest
from careteam.appointments.testing import calendar_circle


@pytest.fixture
def setup(app, make_user):
    """The circle most appointment and calendar tests use: one member per role, in Berlin's
    time zone (a module that needs another circle overrides this fixture)."""
    return calendar_circle(app, make_user)


class _SettingsForm(PluginForm):
    remind_weekly = BooleanField("Remind us every week", default=True)


class SettingsPlugin:
    """A plugin living in the tests, with per-circle settings: route-wide tests need one
    plugin with a settings page to visit, whichever plugins are installed."""

    @hookimpl
    def careteam_plugin_manifest(self) -> PluginManifest:
        return PluginManifest(name="settingsprobe", label="Settings probe")

    @hookimpl
    def careteam_circle_settings_form(self) -> type:
        return _SettingsForm


@pytest.fixture
def plugin_with_settings() -> SettingsPlugin:
    """A test-only plugin with a settings form (add it to the ``careteam_plugins`` fixture)."""
    return SettingsPlugin()
