"""Plugin permission answers combine by veto: deny anything, grant only your own capabilities."""

from __future__ import annotations

import pytest

from careteam import hookimpl
from careteam.api import Capability, PluginManifest, Role
from careteam.circles.membership import membership_of
from careteam.circles.models import Circle
from careteam.circles.testing import build_circle, people_for_every_role
from careteam.extensions import db
from careteam.permissions import member_can
from careteam.plugins.enablement import set_enabled
from careteam.testing import login


class Strict:
    """Caregivers may not write notes here; tries (and fails) to let supporters moderate."""

    @hookimpl
    def careteam_plugin_manifest(self):
        return PluginManifest(name="strict", label="Strict", enabled_by_default=True)

    @hookimpl
    def careteam_permission(self, capability, membership, circle):
        if capability == "notes.write" and membership.role == Role.CAREGIVER:
            return False
        if capability == "notes.moderate" and membership.role == Role.SUPPORTER:
            return True  # a core capability: ignored
        if capability == "rota.edit" and membership.role == Role.SUPPORTER:
            return True  # another plugin's capability: ignored
        return None


class Rota:
    """Defines its own capability and widens it for supporters in circles named "Open"."""

    @hookimpl
    def careteam_plugin_manifest(self):
        return PluginManifest(name="rota", label="Rota", enabled_by_default=True)

    @hookimpl
    def careteam_capabilities(self):
        return [Capability("rota.edit", "Edit the visiting rota", frozenset({Role.COORDINATOR}))]

    @hookimpl
    def careteam_permission(self, capability, membership, circle):
        if capability == "rota.edit" and circle.name == "Open" and membership.role == "family":
            return True
        return None


@pytest.fixture
def careteam_plugins():
    return [Strict(), Rota()]


@pytest.fixture
def people(make_user):
    return people_for_every_role(make_user)


def _can(app, setup, person, capability):
    with app.test_request_context():
        return member_can(membership_of(setup.id, person.id), capability)


def test_hook_permission(app, new_client, people):
    """A plugin can deny a core capability."""
    setup = build_circle(app, people)
    assert not _can(app, setup, people["caregiver"], "notes.write")
    assert _can(app, setup, people["family"], "notes.write")
    caregiver = new_client()
    login(caregiver, people["caregiver"].email)
    assert caregiver.get(setup.url("/notes/new")).status_code == 403


def test_a_plugin_cannot_grant_a_core_capability_or_another_plugins(app, people):
    setup = build_circle(app, people, name="Open")
    assert not _can(app, setup, people["supporter"], "notes.moderate")
    assert not _can(app, setup, people["supporter"], "rota.edit")


def test_a_plugin_grants_its_own_capability(app, people):
    open_circle = build_circle(app, people, name="Open")
    closed = build_circle(app, people, name="Closed")
    assert _can(app, open_circle, people["family"], "rota.edit")
    assert not _can(app, closed, people["family"], "rota.edit")
    assert _can(app, closed, people["coordinator"], "rota.edit")  # the table's default


def test_veto_and_capabilities_apply_only_where_the_plugin_is_on(app, people):
    setup = build_circle(app, people, name="Open")
    with app.app_context():
        circle = db.session.get(Circle, setup.id)
        set_enabled(circle, "strict", False, None)
        set_enabled(circle, "rota", False, None)
        db.session.commit()
    assert _can(app, setup, people["caregiver"], "notes.write")  # no veto while off
    assert not _can(app, setup, people["coordinator"], "rota.edit")  # no such thing while off


def test_plugin_capabilities_join_the_capability_table(app):
    from careteam.permissions import capabilities_of

    with app.app_context():
        assert "rota.edit" in capabilities_of(Role.COORDINATOR)
        assert "rota.edit" not in capabilities_of(Role.FAMILY)
