"""The circle export: a zip of everything the person exporting may see, built from sections.

Core features register their sections (circle and members, notes, calendar) with
:func:`careteam.registries.add_export_section`; plugins add theirs through the
``careteam_export_sections`` hook.  This package reads them back to build the zip.
"""

from __future__ import annotations

from flask import Flask

from ..registries import Capability, NavItem, add_capability, register_action_label
from ..roles import Role
from .csvfile import csv_bytes, safe_cell
from .views import bp

__all__ = ["csv_bytes", "init_exports", "safe_cell"]

CAPABILITY = Capability(
    "circle.export",
    "Download the circle's data (what they may see) as a zip",
    frozenset({Role.COORDINATOR, Role.CARE_RECIPIENT}),
)


def init_exports(app: Flask) -> None:
    """Register the export capability, page and navigation item."""
    add_capability(app, CAPABILITY)
    app.register_blueprint(bp)
    app.extensions["careteam_ui"].add_nav(
        "circle", NavItem("Export", "exports.page", order=92, capability="circle.export")
    )
    register_action_label(app, "export.downloaded", "Downloaded the circle's data")
