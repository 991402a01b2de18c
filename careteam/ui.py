"""Navigation and page sections on the page: which items and sections this reader gets.

The items and sections are data (:class:`~careteam.registries.NavItem`,
:class:`~careteam.registries.PageSection`): core registers its own in ``create_app``; plugins add
theirs through hooks (the setup code stamps each with the plugin's name).  Templates render the
lists in ``order``; labels are plain text and always escaped.  A plugin's items appear only in
circles where the plugin is on, and a plugin section whose builder or template fails is logged
and left out of the page.
"""

from __future__ import annotations

import logging
from typing import Any

from flask import Flask, current_app, g, render_template, request, url_for
from markupsafe import Markup
from werkzeug.routing import BuildError

from .permissions import member_can
from .plugins.enablement import enabled_plugins
from .registries import NavItem, PageSection, UIRegistry, ui_registry
from .web.links import site_wide_url

log = logging.getLogger(__name__)


def init_ui(app: Flask) -> UIRegistry:
    registry = UIRegistry()
    app.extensions["careteam_ui"] = registry
    app.context_processor(_circle_page_context)
    app.jinja_env.globals.update(nav_items=nav_items, page_sections=page_sections)
    return registry


def _plugins_on(circle: Any) -> frozenset[str]:
    return enabled_plugins(circle.id) if circle is not None else frozenset()


def _shown(item: NavItem, circle: Any, membership: Any) -> bool:
    if item.plugin is not None and item.plugin not in _plugins_on(circle):
        return False
    if item.capability is not None and not member_can(membership, item.capability):
        return False
    try:
        return bool(item.visible())
    except Exception:  # a plugin's visibility check must not break every page
        log.exception("Navigation item %r (plugin %s) failed", item.label, item.plugin)
        return False


def nav_items(menu: str) -> list[NavItem]:
    """Return the items of a menu this person may see, in display order."""
    circle, membership = g.get("circle"), g.get("membership")
    items = ui_registry().nav.get(menu, [])
    shown = (i for i in items if _shown(i, circle, membership))
    return sorted(shown, key=lambda i: (i.order, i.label))


def circle_nav_links() -> list[tuple[NavItem, str, bool]]:
    """Return the current circle's sub-navigation: (item, url, is the current page)."""
    circle = g.get("circle")
    if circle is None:
        return []
    links = []
    for item in nav_items("circle"):
        try:
            url = site_wide_url(item.endpoint, "circle_id", circle.public_id, **item.url_values)
        except BuildError:
            continue  # a feature whose pages are not registered in this app
        # A feature's own blueprint marks its menu item current on all its pages; the
        # circle's core pages (home, members, settings) each have an item of their own.
        blueprint = item.endpoint.rpartition(".")[0]
        current = request.endpoint == item.endpoint or (
            blueprint != "circles" and request.blueprint == blueprint
        )
        links.append((item, url, current))
    return links


def _circle_home_url(circle: Any) -> str | None:
    if "circles.home" not in current_app.view_functions:
        return None  # an app without the circles feature's pages
    return url_for("circles.home", circle_id=circle.public_id)


def _circle_page_context() -> dict[str, Any]:
    circle = g.get("circle")
    if circle is None:
        return {}
    # Every template a page renders gets this (plugin panels are rendered one by one): the
    # links are made once a request.
    if "_careteam_circle_nav" not in g:
        g._careteam_circle_nav = circle_nav_links()
        g._careteam_circle_home_url = _circle_home_url(circle)
    return {"circle_nav": g._careteam_circle_nav, "circle_home_url": g._careteam_circle_home_url}


def _render_apart(section: PageSection, context: dict[str, Any]) -> Markup | None:
    try:
        return Markup(render_template(section.template, **context))  # noqa: S704 - autoescaped
    except Exception:
        log.exception("Section %r of plugin %s failed to render", section.key, section.plugin)
        return None


def page_sections(
    page: str, **page_context: Any
) -> list[tuple[PageSection, dict[str, Any], Markup | None]]:
    """Return each section of a page with its context, in order; None contexts are left out.

    The third value is a plugin section's HTML, rendered here so that a failing template leaves
    only that section out (core sections are included by the page template and give None).
    """
    # A page about one circle shows a plugin's sections only where that circle has the plugin
    # on.  A page outside circles (the person's /home) has no switch to ask: every loaded
    # plugin's sections are built there, and each decides from the person what it shows.
    in_circle = "circle" in page_context
    on = _plugins_on(page_context.get("circle"))
    built = []
    for section in sorted(ui_registry().sections.get(page, []), key=lambda s: s.order):
        if section.plugin is not None and in_circle and section.plugin not in on:
            continue
        try:
            context = section.context(**page_context)
        except Exception:
            if section.plugin is None:
                raise
            log.exception("Panel %r of plugin %s failed", section.key, section.plugin)
            continue
        if context is None:
            continue
        html = _render_apart(section, context) if section.plugin is not None else None
        if section.plugin is not None and html is None:
            continue
        built.append((section, context, html))
    return built
