"""What features and plugins add to an app, kept as data on the app, and the readers of it.

Capabilities, navigation items and page sections, "What's next" providers, export sections,
audit action labels and demo builders.  Each feature registers its own in ``init_<feature>(app)``;
plugins return theirs from setup hooks (:mod:`careteam.plugins.setup` registers them here); the
permission checks, the pages, the export, the audit log and ``careteam demo`` read them back.

This module imports no feature and nothing of the plugin platform, so the arrows point one way:
features and plugins register here, and the code that reads sits wherever it belongs, without
importing the features that filled the lists.  Every registry lives on ``app.extensions``, never
in a module global, so two apps in one process never share entries.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from flask import Flask, current_app

from .hookspecs import hookimpl
from .roles import Role

# --- capabilities ----------------------------------------------------------------------------


@dataclass(frozen=True)
class Capability:
    """Something a member may do in a circle, and the roles that may do it by default."""

    # "<plugin>.<verb>", e.g. "hello.write"; routes and require() name it.
    name: str
    # What it allows, in a few words, for the capability table and its test.
    description: str
    # The roles holding it by default; a plugin's careteam_permission may veto it.
    roles: frozenset[Role]


def add_capability(app: Flask, *capabilities: Capability) -> None:
    """Register capabilities (features and plugins); names must be unique."""
    table: dict[str, Capability] = app.extensions["careteam_capabilities"]
    for capability in capabilities:
        if capability.name in table:
            raise ValueError(f"capability {capability.name!r} is already registered")
        table[capability.name] = capability


def capability_table() -> dict[str, Capability]:
    return current_app.extensions["careteam_capabilities"]


# --- navigation and page sections ------------------------------------------------------------


@dataclass(frozen=True)
class NavItem:
    """A link in a navigation bar (the circle's menu, or the site's main menu)."""

    # The link's text.
    label: str
    # The Flask endpoint, e.g. "hello.index"; core adds the circle's id in the circle menu.
    endpoint: str
    # Position among the links, smallest first (core's circle links use 10 to 50).
    order: int = 100
    # Return False to hide the item for the current user (e.g. admin-only links).
    visible: Callable[[], bool] = field(default=lambda: True, compare=False)
    # More arguments for url_for.
    url_values: dict[str, Any] = field(default_factory=dict, compare=False)
    # Shown only to circle members who hold this capability (circle menu).
    capability: str | None = None
    # Set by core for items a plugin returned: shown only where that plugin is on.
    plugin: str | None = None


@dataclass(frozen=True)
class PageSection:
    """A block on a page: a template rendered with the context its builder returns.

    Plugins call it ``Panel``: a section of the circle's home page."""

    # Unique on the page; the section's HTML id is made from it.
    key: str
    # The section's heading.
    title: str
    # The template core renders inside the section, e.g. "hello/_panel.html".
    template: str
    # Position among the sections, smallest first (core's use 10 to 40).
    order: int = 100
    # Called with the page's own context (e.g. the circle); returns the section's context, or
    # None to leave the section out.
    context: Callable[..., dict[str, Any] | None] = field(default=lambda **_: {}, compare=False)
    # Set by core for a plugin's panels: built only where that plugin is on, rendered apart.
    plugin: str | None = None


# Plugins call it a panel: a section of the circle home page.
Panel = PageSection


@dataclass
class UIRegistry:
    nav: dict[str, list[NavItem]] = field(default_factory=dict)
    sections: dict[str, list[PageSection]] = field(default_factory=dict)

    def add_nav(self, menu: str, item: NavItem) -> None:
        self.nav.setdefault(menu, []).append(item)

    def add_section(self, page: str, section: PageSection) -> None:
        self.sections.setdefault(page, []).append(section)


def ui_registry() -> UIRegistry:
    return current_app.extensions["careteam_ui"]


# --- "What's next" on the circle home page ---------------------------------------------------


@dataclass(frozen=True)
class WhatsNextItem:
    """One upcoming thing on the circle's home page; ``url`` is a path inside this site."""

    # What is coming, e.g. "Physio exercises".
    title: str
    # When it is due (aware), or None; soonest first, undated items last.
    when: datetime | None = None
    # A path inside this site to open it, or None.
    url: str | None = None
    # One more line of text under the title.
    detail: str = ""
    # A word for the item's kind ("invitation"), for code that tells items apart; not shown.
    kind: str = ""


# Called with circle= and membership=; returns the items this member may see.
WhatsNextProvider = Callable[..., list[WhatsNextItem]]


class _CoreWhatsNext:
    """A core feature's "What's next" provider, registered as a plugin (always on, last)."""

    def __init__(self, provider: WhatsNextProvider) -> None:
        self.provider = provider

    @hookimpl(trylast=True)
    def careteam_whats_next(self, circle: Any, membership: Any) -> list[WhatsNextItem]:
        return self.provider(circle=circle, membership=membership)


def add_whats_next(app: Flask, provider: WhatsNextProvider) -> None:
    """Let a core feature add upcoming items to every circle's "What's next" section.

    The provider joins the ``careteam_whats_next`` hook as core's own implementation, on in
    every circle, so the home page asks core and plugins alike (and a failing one is left out).
    """
    name = f"careteam.whats_next.{provider.__module__}.{provider.__qualname__}"
    app.extensions["careteam"].register_core(name, _CoreWhatsNext(provider))


# --- sections of the circle export -----------------------------------------------------------


@dataclass
class SectionContent:
    """What one section puts into the export zip."""

    # JSON-ready data for data.json under the section's key (dates as ISO 8601 text).
    data: Any = None
    # "notes.csv" -> (header, rows); cells are escaped against spreadsheet formulas.
    tables: dict[str, tuple[Sequence[str], Iterable[Sequence[Any]]]] = field(default_factory=dict)
    # Other files, e.g. "calendar.ics".
    files: dict[str, bytes] = field(default_factory=dict)


@dataclass(frozen=True)
class ExportSection:
    """One part of the circle export; ``build(circle=, membership=)`` returns SectionContent.

    ``build`` must include only what ``membership`` may see: the export is a copy of what the
    person exporting could read in the app, never more.
    """

    # The key of the section's part of data.json, and the folder of its files.
    key: str
    # Its name on the export page.
    label: str
    # Called with circle= and membership=; returns the SectionContent.
    build: Callable[..., SectionContent] = field(compare=False)
    # Position among the sections, smallest first.
    order: int = 100
    # Set by core for a plugin's sections: built only where that plugin is on.
    plugin: str | None = None


def add_export_section(app: Flask, section: ExportSection) -> None:
    """Register a section of the circle export; keys must be unique."""
    sections: list[ExportSection] = app.extensions.setdefault("careteam_export_sections", [])
    if any(s.key == section.key for s in sections):
        raise ValueError(f"export section {section.key!r} is already registered")
    sections.append(section)


def export_sections(plugins_on: frozenset[str] | None = None) -> list[ExportSection]:
    """Return the sections in order; plugin sections only for plugins in ``plugins_on``."""
    sections = current_app.extensions.get("careteam_export_sections", [])
    chosen = [
        s
        for s in sections
        if s.plugin is None or (plugins_on is not None and s.plugin in plugins_on)
    ]
    return sorted(chosen, key=lambda s: (s.order, s.key))


# --- names of audit actions ------------------------------------------------------------------


def register_action_label(app: Flask, action: str, label: str) -> None:
    """Give an audit action a readable name in the log and its filter."""
    app.extensions.setdefault("careteam_audit_action_labels", {})[action] = label


def action_label(action: str) -> str:
    return current_app.extensions.get("careteam_audit_action_labels", {}).get(action, action)


# --- demo data -------------------------------------------------------------------------------


@dataclass(frozen=True)
class DemoBuilder:
    """A feature's part of ``careteam demo``: ``build`` returns lines to print (demo sign-ins and
    the like); builders run in ``order`` and must change nothing when run twice."""

    name: str
    build: Callable[[], list[str]]
    order: int = 100


def register_builder(builder: DemoBuilder) -> None:
    current_app.extensions.setdefault("careteam_demo", []).append(builder)


def demo_builders() -> list[DemoBuilder]:
    """Return the registered demo builders in the order they run."""
    return sorted(current_app.extensions.get("careteam_demo", []), key=lambda b: b.order)
