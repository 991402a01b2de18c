"""Care circles: pages, navigation, circle home sections, demo data and the deletion check."""

from __future__ import annotations

from typing import Any

from flask import Flask, g

from ..permissions import member_can, use_membership_loader
from ..plugins.circle_reads import CircleReads, use_circle_reads
from ..registries import DemoBuilder, NavItem, PageSection, add_export_section, register_builder
from . import member_views  # noqa: F401 - registers the member pages on the blueprint
from .audit_log import init_audit_labels
from .demo import build_demo_circles
from .export import SECTION
from .guard import load_circle_membership
from .home import init_home
from .list_views import bp as list_bp
from .membership import circles_where_last_coordinator
from .platform_reads import circle_by_id, circle_public_id, forget_plugin_settings
from .service import circles_page
from .views import bp


def _can(capability: str) -> Any:
    # Circle sub-navigation items are shown only to members who may open them.
    return lambda: member_can(g.get("membership"), capability)


def last_coordinator_check(user: Any) -> str | None:
    """Refuse account deletion while the user is the only coordinator of a circle."""
    circles = circles_where_last_coordinator(user.id)
    if not circles:
        return None
    names = ", ".join(f"\u201c{c.name}\u201d" for c in sorted(circles, key=lambda c: c.name))
    return (
        f"You are the only coordinator of {names}. Make someone else a coordinator there "
        "first, so the circle is not left without anyone to run it."
    )


def my_circles_section(user: Any = None, **_: Any) -> dict | None:
    """Build the "My circles" block on the dashboard: the first few circles by name."""
    if user is None or not user.is_authenticated:
        return None
    return {"page": circles_page(user.id, limit=5)}


def init_circles(app: Flask) -> None:
    """Register the circles feature on ``app``."""
    use_membership_loader(app, load_circle_membership)
    use_circle_reads(
        app,
        CircleReads(
            public_id=circle_public_id,
            circle=circle_by_id,
            forget_plugin_settings=forget_plugin_settings,
        ),
    )
    app.register_blueprint(list_bp)
    app.register_blueprint(bp)
    init_audit_labels(app)
    init_home(app)
    registry = app.extensions["careteam_ui"]
    registry.add_nav("main", NavItem("My circles", "my_circles.index", order=10))
    registry.add_nav("circle", NavItem("Home", "circles.home", order=0))
    registry.add_nav("circle", NavItem("Members", "circles.members", order=80))
    registry.add_nav(
        "circle", NavItem("Audit log", "circles.audit", order=90, visible=_can("audit.view"))
    )
    registry.add_nav(
        "circle", NavItem("Settings", "circles.settings", order=95, visible=_can("circle.manage"))
    )
    registry.add_section(
        "dashboard",
        PageSection(
            key="my-circles",
            title="My circles",
            template="circles/_dashboard_section.html",
            order=10,
            context=my_circles_section,
        ),
    )
    app.extensions.setdefault("careteam_account_deletion_checks", []).append(last_coordinator_check)
    add_export_section(app, SECTION)
    with app.app_context():
        register_builder(DemoBuilder("circles", build_demo_circles, order=100))
