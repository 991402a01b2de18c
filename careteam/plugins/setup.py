"""Build an app's plugin host in ``create_app``: load plugins and apply their setup hooks.

A plugin's setup hooks are all called and checked before anything of it is added to the app,
so a plugin that fails half-way leaves nothing behind (no orphan nav item for a blueprint that
was never registered).  Its revision folder is checked too (:mod:`.revisions`), and a plugin
whose tables are not in the database is left out whole (:mod:`.migration_state`).
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any

import click
from flask import Blueprint, Flask
from wtforms import Form

from ..registries import (
    Capability,
    ExportSection,
    NavItem,
    PageSection,
    add_capability,
    add_export_section,
    register_action_label,
)
from ..roles import ALL_ROLES
from .api_version import check_api_version
from .host import Candidate, LoadedPlugin, PluginHost, entry_point_candidates
from .migration_state import MigrationState, read_migration_state
from .revisions import RevisionFolderError, branch_heads, check_plugin_folder
from .static_files import check_static_folder
from .types import PluginManifest


@dataclasses.dataclass
class _Contribution:
    """What one plugin's setup hooks returned, checked and ready to apply."""

    plugin: LoadedPlugin
    capabilities: list[Capability]
    blueprints: list[Blueprint]
    circle_nav: list[NavItem]
    main_nav: list[NavItem]
    panels: list[PageSection]
    home_panels: list[PageSection]
    export_sections: list[Any]
    commands: list[click.Command]
    audit_labels: dict[str, str]


def _listed(value: Any, kind: type | tuple[type, ...], hook: str) -> list[Any]:
    items = [] if value is None else list(value)
    for item in items:
        if not isinstance(item, kind):
            raise TypeError(f"{hook} returned {type(item).__name__}, not {kind}")
    return items


def _collect(host: PluginHost, candidate: Candidate, app: Flask, taken_commands: set[str]):
    name = candidate.name

    def call(hook: str) -> Any:
        return host.call_plugin(name, hook)

    manifest = call("careteam_plugin_manifest")
    if not isinstance(manifest, PluginManifest):
        raise TypeError("careteam_plugin_manifest must return a careteam.api.PluginManifest")
    if manifest.name != name:
        raise ValueError(f"manifest name {manifest.name!r} differs from entry point {name!r}")
    if not manifest.label.strip():
        raise ValueError("the manifest needs a label")
    check_api_version(manifest.requires_api)
    revisions = check_plugin_folder(name, manifest.migrations)
    check_static_folder(name, manifest.static)

    capabilities = _listed(call("careteam_capabilities"), Capability, "careteam_capabilities")
    for capability in capabilities:
        if not capability.name.startswith(f"{name}."):
            raise ValueError(f"capability {capability.name!r} must start with {name!r}.")
        if not capability.roles <= ALL_ROLES:
            raise ValueError(f"capability {capability.name!r} names unknown roles")
        if capability.name in app.extensions["careteam_capabilities"]:
            raise ValueError(f"capability {capability.name!r} is already registered")

    blueprints = _listed(call("careteam_blueprints"), Blueprint, "careteam_blueprints")
    for blueprint in blueprints:
        if blueprint.name != name and not blueprint.name.startswith(f"{name}_"):
            raise ValueError(f"blueprint {blueprint.name!r} must be named after the plugin")
        if blueprint.name in app.blueprints:
            raise ValueError(f"a blueprint named {blueprint.name!r} is already registered")

    def stamped(items: list[Any]) -> list[Any]:
        return [dataclasses.replace(item, plugin=name) for item in items]

    circle_nav = stamped(_listed(call("careteam_circle_nav_items"), NavItem, "nav items"))
    main_nav = _listed(call("careteam_main_nav_items"), NavItem, "main nav items")
    panels = stamped(_listed(call("careteam_circle_panels"), PageSection, "circle panels"))
    home_panels = stamped(_listed(call("careteam_home_panels"), PageSection, "home panels"))
    export_sections = _export_sections(call("careteam_export_sections"), name)

    commands = _listed(call("careteam_cli_commands"), click.Command, "careteam_cli_commands")
    for command in commands:
        if command.name in taken_commands:
            raise ValueError(f"command {command.name!r} is already taken")

    audit_labels = _audit_labels(call("careteam_audit_labels"), name)

    settings_form = call("careteam_circle_settings_form")
    if settings_form is not None and not (
        isinstance(settings_form, type) and issubclass(settings_form, Form)
    ):
        raise TypeError("careteam_circle_settings_form must return a WTForms form class")

    plugin = LoadedPlugin(
        name=name,
        manifest=manifest,
        module=host.pm.get_plugin(name),
        distribution=candidate.distribution,
        version=manifest.version or candidate.version,
        capabilities=[c.name for c in capabilities],
        settings_form=settings_form,
        migrations=Path(manifest.migrations) if manifest.migrations else None,
        revision_heads=branch_heads(revisions),
    )
    return _Contribution(
        plugin,
        capabilities,
        blueprints,
        circle_nav,
        main_nav,
        panels,
        home_panels,
        export_sections,
        commands,
        audit_labels,
    )


def _audit_labels(value: Any, name: str) -> dict[str, str]:
    labels = dict(value or {})
    for action, label in labels.items():
        if not isinstance(action, str) or not action.startswith(f"{name}."):
            raise ValueError(f"audit action {action!r} must start with {name!r}.")
        if not isinstance(label, str) or not label.strip():
            raise ValueError(f"audit action {action!r} needs a label")
    return labels


def _export_sections(value: Any, name: str) -> list[Any]:
    sections = _listed(value, ExportSection, "careteam_export_sections")
    return [dataclasses.replace(section, plugin=name) for section in sections]


def _apply(app: Flask, host: PluginHost, contribution: _Contribution) -> None:
    plugin = contribution.plugin
    for capability in contribution.capabilities:
        add_capability(app, capability)
        host.capability_owner[capability.name] = plugin.name
    for blueprint in contribution.blueprints:
        app.register_blueprint(blueprint)
        host.blueprint_owner[blueprint.name] = plugin.name
    registry = app.extensions["careteam_ui"]
    for item in contribution.circle_nav:
        registry.add_nav("circle", item)
    for item in contribution.main_nav:
        registry.add_nav("main", item)
    for panel in contribution.panels:
        registry.add_section("circle_home", panel)
    for panel in contribution.home_panels:
        registry.add_section("dashboard", panel)
    for section in contribution.export_sections:
        add_export_section(app, section)
    for command in contribution.commands:
        app.extensions["careteam_cli_commands"].append(command)
    for action, label in contribution.audit_labels.items():
        register_action_label(app, action, label)
    host.plugins[plugin.name] = plugin


def _config_candidates(objects: Iterable[Any]) -> list[Candidate]:
    """Plugins handed to ``create_app`` in the ``PLUGINS`` setting (tests, embedding)."""
    found = []
    for obj in objects:
        manifest = obj.careteam_plugin_manifest()
        found.append(Candidate(manifest.name, (lambda o=obj: o), module_name=repr(obj)))
    return found


def load_plugins(app: Flask, core_commands: Iterable[str]) -> PluginHost:
    """Load every installed plugin (and those in the ``PLUGINS`` setting) and apply its setup.

    ``core_commands`` are the names of core's ``careteam`` commands, which no plugin may take.
    """
    host: PluginHost = app.extensions["careteam"]
    candidates: list[Candidate] = []
    if app.config.get("LOAD_INSTALLED_PLUGINS", True):
        candidates += entry_point_candidates()
    candidates += _config_candidates(app.config.get("PLUGINS") or [])
    host.installed = candidates
    taken = set(core_commands) | {"plugins"}
    migration_state = _read_once(app)
    for candidate, _obj in host.load(candidates, app.config.get("BLOCKED_PLUGINS") or []):
        try:
            contribution = _collect(host, candidate, app, taken)
        except RevisionFolderError as error:
            host.fail_setup(candidate.name, error, stage="migrations")
            continue
        except Exception as error:  # a plugin that cannot set itself up is left out
            host.fail_setup(candidate.name, error)
            continue
        plugin = contribution.plugin
        if plugin.revision_heads:
            status = migration_state().hold_back(plugin.name, plugin.revision_heads)
            if status is not None:
                host.hold_back(plugin, status)
                continue
        _apply(app, host, contribution)
        taken |= {c.name for c in contribution.commands if c.name}
    return host


def _read_once(app: Flask) -> Callable[[], MigrationState]:
    # The database is read when the first plugin with tables needs it, and only then: an app
    # whose plugins have no tables never connects while it is being made.
    state: list[MigrationState] = []

    def read() -> MigrationState:
        if not state:
            state.append(read_migration_state(app))
        return state[0]

    return read
