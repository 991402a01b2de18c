"""The circle export: a zip of everything the person exporting may see, built from sections.

Core features register their sections here (circle and members, notes, calendar); plugins add
theirs through the ``careteam_export_sections`` hook.
"""

from __future__ import annotations

from flask import Flask

from ..permissions import Capability, Role, add_capability
from ..ui import NavItem
from .csvfile import csv_bytes, safe_cell
from .sections import ExportSection, SectionContent, add_export_section, export_sections

__all__ = [
    "ExportSection",
    "SectionContent",
    "add_export_section",
    "csv_bytes",
    "export_sections",
    "init_exports",
    "safe_cell",
]

CAPABILITY = Capability(
    "circle.export",
    "Download the circle's data (what they may see) as a zip",
    frozenset({Role.COORDINATOR, Role.CARE_RECIPIENT}),
)


def init_exports(app: Flask) -> None:
    """Register the export capability, page and navigation item."""
    from ..circles.audit_log import register_action_label
    from .views import bp

    add_capability(app, CAPABILITY)
    app.register_blueprint(bp)
    app.extensions["careteam_ui"].add_nav(
        "circle", NavItem("Export", "exports.page", order=92, capability="circle.export")
    )
    register_action_label(app, "export.downloaded", "Downloaded the circle's data")
