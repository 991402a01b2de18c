"""The circle's own part of the export: its settings and its members (no email addresses,
which no member page shows either)."""

from __future__ import annotations

from typing import Any

from ..registries import ExportSection, SectionContent
from ..roles import ROLE_LABELS, Role
from .service import members_of


def build_circle_section(circle: Any, membership: Any, **_: Any) -> SectionContent:
    members = [
        {
            "id": row.public_id,
            "name": row.display_name,
            "role": row.role,
            "role_label": ROLE_LABELS.get(Role(row.role), row.role),
            "joined_at": row.joined_at,
        }
        for row in members_of(circle)
    ]
    data = {
        "id": circle.public_id,
        "name": circle.name,
        "description": circle.description,
        "time_zone": circle.time_zone,
        "created_at": circle.created_at,
        "archived_at": circle.archived_at,
        "members": members,
    }
    header = ("id", "name", "role", "joined_at")
    rows = [(m["id"], m["name"], m["role_label"], m["joined_at"]) for m in members]
    return SectionContent(data=data, tables={"members.csv": (header, rows)})


SECTION = ExportSection("circle", "The circle and its members", build_circle_section, order=10)
