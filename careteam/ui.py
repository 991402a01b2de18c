"""Navigation and page sections as data, so features and plugins add to pages without HTML.

Core registers its own items in ``create_app``; later features and plugins append theirs.
Templates render the lists in ``order``; labels are plain text and always escaped.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from flask import Flask, current_app


@dataclass(frozen=True)
class NavItem:
    """A link in a navigation bar."""

    label: str
    endpoint: str
    order: int = 100
    # Return False to hide the item for the current user (e.g. admin-only links).
    visible: Callable[[], bool] = field(default=lambda: True, compare=False)
    url_values: dict[str, Any] = field(default_factory=dict, compare=False)


@dataclass(frozen=True)
class PageSection:
    """A block on a page: a template rendered with the context its builder returns."""

    key: str
    title: str
    template: str
    order: int = 100
    # Called with the page's own context (e.g. the circle); returns the section's context, or
    # None to leave the section out.
    context: Callable[..., dict[str, Any] | None] = field(default=lambda **_: {}, compare=False)


@dataclass
class UIRegistry:
    nav: dict[str, list[NavItem]] = field(default_factory=dict)
    sections: dict[str, list[PageSection]] = field(default_factory=dict)

    def add_nav(self, menu: str, item: NavItem) -> None:
        self.nav.setdefault(menu, []).append(item)

    def add_section(self, page: str, section: PageSection) -> None:
        self.sections.setdefault(page, []).append(section)


def init_ui(app: Flask) -> UIRegistry:
    registry = UIRegistry()
    app.extensions["careteam_ui"] = registry
    return registry


def ui_registry() -> UIRegistry:
    return current_app.extensions["careteam_ui"]


def nav_items(menu: str) -> list[NavItem]:
    """Return the visible items of a menu in display order."""
    items = ui_registry().nav.get(menu, [])
    return sorted((i for i in items if i.visible()), key=lambda i: (i.order, i.label))


def page_sections(page: str, **page_context: Any) -> list[tuple[PageSection, dict[str, Any]]]:
    """Return each section of a page with its context, in order; None contexts are left out."""
    built = []
    for section in sorted(ui_registry().sections.get(page, []), key=lambda s: s.order):
        context = section.context(**page_context)
        if context is not None:
            built.append((section, context))
    return built
