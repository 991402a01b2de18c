"""Core test fixtures come from careteam.testing (a pytest11 plugin); helpers live there too."""

from __future__ import annotations

import pytest

from careteam.appointments.testing import calendar_circle


@pytest.fixture
def setup(app, make_user):
    """The circle most appointment and calendar tests use: one member per role, in Berlin's
    time zone (a module that needs another circle overrides this fixture)."""
    return calendar_circle(app, make_user)
