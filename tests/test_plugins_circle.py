"""Plugins inside one circle: switching on and off, pages, nav, panels, settings, faults."""

from __future__ import annotations

import logging

import pytest
from sqlalchemy import select

from careteam import hookimpl
from careteam.api import NavItem, Panel, PluginManifest, WhatsNextItem
from careteam.audit import AuditEvent
from careteam.circles.models import Circle
from careteam.circles.testing import build_circle, people_for_every_role
from careteam.extensions import db
from careteam.plugins.models import CirclePlugin
from careteam.testing import signed_in


@pytest.fixture
def people(make_user):
    return people_for_every_role(make_user)


@pytest.fixture
def circle(app, people):
    return build_circle(app, people, name="Maya's circle")


@pytest.fixture
def example_plugin():
    """The example plugin, whose pages, nav item, panel and settings these tests drive."""
    pytest.importorskip(
        "careteam_hello", reason="the example plugin (careteam-example-hello) is not installed"
    )
    return "hello"


def _switch(client, setup, plugin: str, state: str):
    return client.post_form(setup.url("/settings/plugins"), {"plugin": plugin, "enabled": state})


def test_new_circles_get_plugins_that_ask_for_it_and_not_others(app, circle):
    # The example plugin is third-party: coordinators switch it on themselves.
    with app.app_context():
        rows = db.session.scalars(
            select(CirclePlugin.plugin).where(CirclePlugin.circle_id == circle.id)
        ).all()
        assert "hello" not in rows
        host = app.extensions["careteam"]
        defaults = {n for n, p in host.plugins.items() if p.manifest.enabled_by_default}
        assert set(rows) == defaults


def test_a_switched_off_plugin_is_absent_from_the_circle(
    app, new_client, circle, people, example_plugin
):
    coordinator = signed_in(new_client, people["coordinator"])
    assert coordinator.get(circle.url("/hello")).status_code == 404
    home = coordinator.get(circle.url()).get_data(as_text=True)
    assert "Kind words" not in home

    response = _switch(coordinator, circle, "hello", "on")
    assert response.status_code == 302
    page = coordinator.get(circle.url("/settings/plugins")).get_data(as_text=True)
    assert "is on in this circle" in page
    home = coordinator.get(circle.url()).get_data(as_text=True)
    assert f'href="/circles/{circle.public_id}/hello"' in home  # nav item and panel link
    assert "No kind words yet." in home
    family = signed_in(new_client, people["family"])
    added = family.post_form(circle.url("/hello"), {"message": "You did great at PT today."})
    assert added.status_code == 302

    assert _switch(coordinator, circle, "hello", "off").status_code == 302
    assert family.get(circle.url("/hello")).status_code == 404
    assert (
        family.post_form(circle.url("/hello"), {"message": "again"}, page=circle.url()).status_code
        == 404
    )
    assert "You did great" not in family.get(circle.url()).get_data(as_text=True)

    # Off kept the data; on again shows it.
    _switch(coordinator, circle, "hello", "on")
    assert "You did great at PT today." in family.get(circle.url("/hello")).get_data(as_text=True)
    with app.app_context():
        actions = db.session.scalars(
            select(AuditEvent.action)
            .where(AuditEvent.circle_id == circle.id, AuditEvent.object_type == "plugin")
            .order_by(AuditEvent.id)
        ).all()
    assert actions == ["plugin.enabled", "plugin.disabled", "plugin.enabled"]


def test_only_people_who_manage_the_circle_switch_plugins(
    new_client, circle, people, example_plugin
):
    for role in ("family", "caregiver", "therapist", "supporter"):
        client = signed_in(new_client, people[role])
        assert client.get(circle.url("/settings/plugins")).status_code == 403
        assert _switch(client, circle, "hello", "on").status_code in (403,)
    recipient = signed_in(new_client, people["care_recipient"])
    assert _switch(recipient, circle, "hello", "on").status_code == 302


def test_switching_refuses_unknown_plugins_and_bad_values(
    new_client, circle, people, example_plugin
):
    coordinator = signed_in(new_client, people["coordinator"])
    assert _switch(coordinator, circle, "no-such-plugin", "on").status_code == 404
    assert _switch(coordinator, circle, "hello", "maybe").status_code == 400
    missing_token = coordinator.post(
        circle.url("/settings/plugins"), data={"plugin": "hello", "enabled": "on"}
    )
    assert missing_token.status_code == 400


def test_plugin_settings_are_saved_per_circle(app, new_client, people, circle, example_plugin):
    other = build_circle(app, people, name="Joe's circle")
    coordinator = signed_in(new_client, people["coordinator"])
    for setup in (circle, other):
        _switch(coordinator, setup, "hello", "on")
    page = coordinator.get(circle.url("/settings/plugins/hello"))
    assert page.status_code == 200
    assert "checked" in page.get_data(as_text=True)  # the manifest's default
    saved = coordinator.post_form(circle.url("/settings/plugins/hello"), {})  # box unticked
    assert saved.status_code == 302
    with app.app_context():
        mine = db.session.get(Circle, circle.id).settings["plugins"]["hello"]
        theirs = db.session.get(Circle, other.id).settings or {}
    assert mine == {"show_count": False}
    assert "plugins" not in theirs
    assert "updates shared with everyone" not in coordinator.get(circle.url()).get_data(
        as_text=True
    )
    assert "updates shared with everyone" in coordinator.get(other.url()).get_data(as_text=True)
    assert coordinator.get(circle.url("/settings/plugins/nothing")).status_code == 404


def test_the_plugin_page_needs_no_javascript_and_names_each_button(app, new_client, circle, people):
    coordinator = signed_in(new_client, people["coordinator"])
    page = coordinator.get(circle.url("/settings/plugins")).get_data(as_text=True)
    plugins = app.extensions["careteam"].plugins.values()
    if not plugins:
        pytest.skip("no plugin is installed, so the page has no buttons")
    for plugin in plugins:
        hidden = f'<span class="visually-hidden"> {plugin.label}</span>'
        assert f"Switch on{hidden}" in page or f"Switch off{hidden}" in page, plugin.name


# --- a plugin that fails at every runtime hook -------------------------------------------------


class Faulty:
    """Registers fine, then raises in every hook a page, an email or an event calls."""

    @hookimpl
    def careteam_plugin_manifest(self):
        return PluginManifest(name="faulty", label="Faulty", enabled_by_default=True)

    @hookimpl
    def careteam_circle_nav_items(self):
        def visible():
            raise RuntimeError("nav visibility bug")

        return [NavItem("Faulty", "circles.home", visible=visible)]

    @hookimpl
    def careteam_circle_panels(self):
        def context(**_):
            raise RuntimeError("panel bug")

        return [
            Panel("faulty-context", "Faulty context", "circles/_whats_next.html", context=context),
            # Renders a template that does not exist.
            Panel("faulty-template", "Faulty template", "faulty/missing.html"),
        ]

    @hookimpl
    def careteam_whats_next(self, circle, membership):
        raise RuntimeError("what's next bug")

    @hookimpl
    def careteam_permission(self, capability, membership, circle):
        raise RuntimeError("permission bug")

    @hookimpl
    def careteam_note_created(self, event):
        raise RuntimeError("event bug")


class Steady:
    """A well-behaved neighbour: its items must survive the faulty plugin."""

    @hookimpl
    def careteam_plugin_manifest(self):
        return PluginManifest(name="steady", label="Steady", enabled_by_default=True)

    @hookimpl
    def careteam_whats_next(self, circle, membership):
        return [
            WhatsNextItem("Check the rollator brakes"),
            WhatsNextItem("Evil", url="javascript:x"),
        ]


@pytest.fixture
def careteam_plugins():
    return [Faulty(), Steady()]


def test_hook_whats_next(new_client, circle, people):
    """A plugin's items join "What's next"; a link that is not a page of the site is dropped."""
    home = signed_in(new_client, people["caregiver"]).get(circle.url()).get_data(as_text=True)
    assert "Check the rollator brakes" in home
    assert "javascript:" not in home


def test_a_faulty_plugin_leaves_every_core_page_working(app, new_client, circle, people, caplog):
    coordinator = signed_in(new_client, people["coordinator"])
    with caplog.at_level(logging.ERROR):
        home = coordinator.get(circle.url())
        assert home.status_code == 200
        html = home.get_data(as_text=True)
        assert "Faulty context" not in html and "Faulty template" not in html
        assert "Check the rollator brakes" in html
        assert "javascript:x" not in html
        for path in ("/notes", "/notes/new", "/appointments", "/members", "/settings", "/audit"):
            assert coordinator.get(circle.url(path)).status_code == 200, path
        created = coordinator.post_form(
            circle.url("/notes/new"),
            {
                "title": "Evening",
                "body": "Left AFO off at 8pm, no red marks.",
                "category": "shift_handoff",
                "audience": "care_team",
                "tags": "",
            },
        )
        assert created.status_code == 302
    for bug in (
        "nav visibility bug",
        "panel bug",
        "what's next bug",
        "permission bug",
        "event bug",
    ):
        assert bug in caplog.text
    assert "Plugin faulty failed in careteam_note_created" in caplog.text
    assert "Plugin faulty failed in careteam_permission" in caplog.text
    assert "faulty-template" in caplog.text
    with app.app_context():
        from careteam.notes.models import Note

        # The core change stands although the plugin's event hook raised.
        assert db.session.scalar(select(Note.body).where(Note.circle_id == circle.id)) == (
            "Left AFO off at 8pm, no red marks."
        )
