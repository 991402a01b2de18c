"""Loading plugins: entry points, blocking, and plugins that fail to import or to set up."""

from __future__ import annotations

import logging
import textwrap

import pytest

from careteam import create_app, hookimpl
from careteam.api import API_VERSION, Capability, NavItem, Panel, PluginManifest, Role
from careteam.plugins.migrations import plugin_migration_folders
from careteam.testing import login, make_test_config


def _app(database_url, tmp_path, **config):
    return create_app({**make_test_config(database_url, tmp_path), **config})


class Greeter:
    """A plugin living in a test: a manifest and a circle nav item."""

    def __init__(self, name: str = "greeter", **hooks):
        self.name = name
        for hook, impl in hooks.items():
            setattr(self, hook, hookimpl(impl))

    @hookimpl
    def careteam_plugin_manifest(self):
        return PluginManifest(name=self.name, label="Greeter", version="1.2.3")


def test_the_blocked_setting_is_read_from_the_environment(monkeypatch, tmp_path):
    from careteam.config import load_settings

    monkeypatch.setenv("CARETEAM_BLOCKED_PLUGINS", " hello , ,devices,")
    assert load_settings(tmp_path)["BLOCKED_PLUGINS"] == ["hello", "devices"]


@pytest.fixture
def fake_distribution(tmp_path, monkeypatch):
    """Install a real (if tiny) distribution with a ``careteam.plugins`` entry point."""
    site = tmp_path / "site"
    site.mkdir()
    monkeypatch.syspath_prepend(str(site))

    def install(name: str, source: str) -> str:
        module = f"careteam_{name}_test_plugin"
        dist = site / f"{module}-0.1.dist-info"
        dist.mkdir()
        (dist / "METADATA").write_text(f"Metadata-Version: 2.1\nName: {module}\nVersion: 0.1\n")
        (dist / "entry_points.txt").write_text(f"[careteam.plugins]\n{name} = {module}\n")
        (site / f"{module}.py").write_text(textwrap.dedent(source))
        return name

    return install


@pytest.fixture
def broken_entry_point(fake_distribution):
    return fake_distribution(
        "broken", 'raise RuntimeError("this plugin is broken at import time")\n'
    )


LISTED = """
    from careteam.api import ALL_ROLES, Capability, PluginManifest, hookimpl

    @hookimpl
    def careteam_plugin_manifest():
        return PluginManifest(name="listed", label="Listed thing", version="2.5.0")

    @hookimpl
    def careteam_capabilities():
        return [Capability("listed.lean", "Lean on it", ALL_ROLES)]

    @hookimpl
    def careteam_note_created(event):
        return None
"""


@pytest.fixture
def listed_plugin(fake_distribution):
    """An installed plugin of a test's own: a manifest, a capability, a hook."""
    return fake_distribution("listed", LISTED)


def test_hook_plugin_manifest(database_url, tmp_path, listed_plugin):
    """An installed plugin loads through its entry point, named and versioned by its manifest."""
    app = _app(database_url, tmp_path)
    host = app.extensions["careteam"]
    listed = host.plugins["listed"]
    assert listed.distribution == "careteam_listed_test_plugin"
    assert listed.version == "2.5.0"
    assert listed.label == "Listed thing"
    assert "listed.lean" in app.extensions["careteam_capabilities"]
    assert host.owner_of_capability("listed.lean") == "listed"
    assert host.problems == []


def test_a_blocked_plugin_is_not_imported_or_registered(database_url, tmp_path, fake_distribution):
    fake_distribution("shelved", 'raise RuntimeError("imported although blocked")\n')
    app = _app(database_url, tmp_path, BLOCKED_PLUGINS=["shelved"])
    host = app.extensions["careteam"]
    assert "shelved" not in host.plugins
    assert host.blocked == ["shelved"]
    assert host.pm.is_blocked("shelved")
    assert host.problems == []  # never imported, so its import error never ran


def test_a_blocked_plugins_migrations_stay_known(database_url, tmp_path):
    pytest.importorskip(
        "careteam_hello", reason="the example plugin (careteam-example-hello) is not installed"
    )
    app = _app(database_url, tmp_path, BLOCKED_PLUGINS=["hello"])
    host = app.extensions["careteam"]
    assert "hello" not in app.blueprints
    assert "hello.write" not in app.extensions["careteam_capabilities"]
    # Its tables stay in the database, so Alembic must still know its revisions.
    with app.app_context():
        folders = plugin_migration_folders(host)
    assert any(folder.parts[-2:] == ("careteam_hello", "migrations") for folder in folders)


def test_a_plugin_that_fails_to_import_is_reported_and_skipped(
    database_url, tmp_path, broken_entry_point, listed_plugin, caplog
):
    with caplog.at_level(logging.ERROR, logger="careteam.plugins"):
        app = _app(database_url, tmp_path)
    host = app.extensions["careteam"]
    assert "broken" not in host.plugins
    assert "listed" in host.plugins  # the others still load
    [problem] = host.problems
    assert (problem.name, problem.stage) == ("broken", "import")
    assert "broken at import time" in problem.error
    assert "Plugin broken was not loaded (import failed)" in caplog.text
    client = app.test_client()
    assert client.get("/login").status_code == 200


@pytest.mark.parametrize(
    ("hooks", "message"),
    [
        ({"careteam_capabilities": lambda: [Capability("notes.write", "x", frozenset())]}, "start"),
        (
            {"careteam_capabilities": lambda: [Capability("greeter.x", "x", frozenset({"boss"}))]},
            "unknown roles",
        ),
        ({"careteam_circle_panels": lambda: 1 / 0}, "ZeroDivisionError"),
        ({"careteam_circle_nav_items": lambda: ["<a href=x>raw html</a>"]}, "not"),
        ({"careteam_cli_commands": lambda: ["init"]}, "not"),
        ({"careteam_circle_settings_form": lambda: dict}, "WTForms"),
        ({"careteam_audit_labels": lambda: {"note.created": "Wrote a note"}}, "must start"),
        ({"careteam_audit_labels": lambda: {"greeter.waved": " "}}, "needs a label"),
    ],
)
def test_a_plugin_whose_setup_fails_leaves_nothing_behind(database_url, tmp_path, hooks, message):
    nav = NavItem("Greeter page", "greeter.page")
    plugin = Greeter(**{"careteam_circle_nav_items": lambda: [nav], **hooks})
    app = _app(database_url, tmp_path, PLUGINS=[plugin])
    host = app.extensions["careteam"]
    assert "greeter" not in host.plugins
    assert not host.pm.has_plugin("greeter")
    [problem] = [p for p in host.problems if p.name == "greeter"]
    assert problem.stage == "setup"
    assert message in problem.error
    circle_menu = app.extensions["careteam_ui"].nav.get("circle", [])
    assert all(item.plugin != "greeter" for item in circle_menu)


def test_a_manifest_must_carry_the_entry_point_name(database_url, tmp_path, fake_distribution):
    fake_distribution(
        "impostor",
        """
        from careteam.api import PluginManifest, hookimpl

        @hookimpl
        def careteam_plugin_manifest():
            return PluginManifest(name="notes", label="Not really notes")
        """,
    )
    app = _app(database_url, tmp_path)
    host = app.extensions["careteam"]
    assert "impostor" not in host.plugins and "notes" not in host.plugins
    [problem] = host.problems
    assert "differs from entry point" in problem.error


@pytest.mark.parametrize(
    ("name", "requires_api", "message"),
    [
        ("later", ">=2.0,<3", f"needs careteam.api >=2.0,<3; this CareTeam provides {API_VERSION}"),
        ("garbled", "one point oh", "requires_api 'one point oh' is not a version range"),
    ],
)
def test_a_plugin_for_another_api_version_is_listed_as_failed(
    database_url, tmp_path, fake_distribution, name, requires_api, message
):
    # Each case its own module name: an imported module stays in sys.modules.
    fake_distribution(
        name,
        f"""
        from careteam.api import PluginManifest, hookimpl

        @hookimpl
        def careteam_plugin_manifest():
            return PluginManifest(name={name!r}, label="Later", requires_api={requires_api!r})
        """,
    )
    app = _app(database_url, tmp_path)
    assert name not in app.extensions["careteam"].plugins
    assert [problem.name for problem in app.extensions["careteam"].problems] == [name]
    result = app.test_cli_runner().invoke(args=["careteam", "plugins"])
    assert f"{name} 0.1 [failed]" in result.output
    assert f"error: ValueError: {message}" in result.output


def test_first_party_plugins_pin_the_api_versions_they_work_with(app):
    from packaging.specifiers import SpecifierSet

    first_party = [n for n in ("devices", "hello") if n in app.extensions["careteam"].plugins]
    if not first_party:
        pytest.skip("no first-party plugin (careteam-devices, careteam-example-hello) installed")
    for name in first_party:
        requires_api = app.extensions["careteam"].plugins[name].manifest.requires_api
        assert API_VERSION in SpecifierSet(requires_api), name
        assert "<" in requires_api, f"{name} should say which major version it stops at"


def test_a_misspelt_hook_is_refused_at_registration(database_url, tmp_path):
    plugin = Greeter(careteam_circle_nav_item=lambda: [])  # singular: not a hook
    app = _app(database_url, tmp_path, PLUGINS=[plugin])
    [problem] = app.extensions["careteam"].problems
    assert problem.stage == "register"
    assert "careteam_circle_nav_item is not a CareTeam hook" in problem.error


def test_hook_capabilities(database_url, tmp_path):
    """A capability a plugin defines grants its default roles."""
    plugin = Greeter(
        careteam_capabilities=lambda: [
            Capability("greeter.wave", "Wave", frozenset({Role.SUPPORTER}))
        ]
    )
    app = _app(database_url, tmp_path, PLUGINS=[plugin])
    table = app.extensions["careteam_capabilities"]
    assert table["greeter.wave"].roles == frozenset({Role.SUPPORTER})
    assert app.extensions["careteam"].owner_of_capability("greeter.wave") == "greeter"


def test_hook_main_nav_items(database_url, tmp_path):
    """Main nav items join the site's menu."""
    plugin = Greeter(
        careteam_main_nav_items=lambda: [NavItem("Support groups", "pages.index", order=50)]
    )
    app = _app(database_url, tmp_path, PLUGINS=[plugin])
    with app.test_request_context():
        from careteam.ui import nav_items

        assert "Support groups" in [item.label for item in nav_items("main")]


def test_panels_and_items_are_stamped_with_their_plugin(database_url, tmp_path):
    panel = Panel("greeting", "Greeting", "greeter/panel.html")
    plugin = Greeter(careteam_circle_panels=lambda: [panel])
    app = _app(database_url, tmp_path, PLUGINS=[plugin])
    sections = app.extensions["careteam_ui"].sections["circle_home"]
    [ours] = [s for s in sections if s.key == "greeting"]
    assert ours.plugin == "greeter"
    assert panel.plugin is None  # the plugin's own object is left alone


def test_careteam_plugins_lists_installed_plugins(database_url, tmp_path, listed_plugin):
    result = _app(database_url, tmp_path).test_cli_runner().invoke(args=["careteam", "plugins"])
    assert result.exit_code == 0, result.output
    assert "listed 2.5.0 [loaded]" in result.output
    assert "Listed thing" in result.output
    assert "on in 0 circles" in result.output
    assert "careteam_note_created" in result.output


def test_careteam_plugins_shows_blocked_and_failed(
    database_url, tmp_path, broken_entry_point, listed_plugin
):
    app = _app(database_url, tmp_path, BLOCKED_PLUGINS=["listed"])
    result = app.test_cli_runner().invoke(args=["careteam", "plugins"])
    assert "listed 0.1 [blocked]" in result.output
    assert "broken 0.1 [failed]" in result.output
    assert "error: RuntimeError: this plugin is broken at import time" in result.output


def test_hook_cli_commands(database_url, tmp_path):
    """Plugin commands join the careteam group of their own app only."""
    import click

    @click.command("greeter-wave")
    def wave():
        click.echo("hello from the plugin")

    plugin = Greeter(careteam_cli_commands=lambda: [wave])
    with_plugin = _app(database_url, tmp_path, PLUGINS=[plugin])
    without = _app(database_url, tmp_path)
    runner = with_plugin.test_cli_runner()
    assert runner.invoke(args=["careteam", "greeter-wave"]).output == "hello from the plugin\n"
    assert runner.invoke(args=["greeter-wave"]).output == "hello from the plugin\n"
    result = without.test_cli_runner().invoke(args=["careteam", "greeter-wave"])
    assert result.exit_code != 0


def test_example_plugin_command_runs(runner):
    pytest.importorskip(
        "careteam_hello", reason="the example plugin (careteam-example-hello) is not installed"
    )
    result = runner.invoke(args=["careteam", "hello-stats"])
    assert result.exit_code == 0
    assert result.output == "0 kind words in 0 circle(s).\n"


# listed_plugin comes before app: the plugin is installed before the app is made.
def test_site_admins_see_the_plugin_list(listed_plugin, app, new_client, make_user):
    admin = make_user(email="admin@example.org", is_site_admin=True)
    client = new_client()
    login(client, admin.email)
    page = client.get("/admin/plugins")
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert "Listed thing" in html and "careteam_listed_test_plugin" in html
    assert "careteam_note_created" in html
    assert 'href="/admin/plugins" aria-current="page"' in html
