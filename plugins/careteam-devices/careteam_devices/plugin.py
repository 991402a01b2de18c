"""The devices plugin's hook implementations."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from careteam.api import (
    CARE_TEAM,
    Capability,
    ExportSection,
    NavItem,
    Panel,
    PluginManifest,
    ReminderItem,
    Role,
    WhatsNextItem,
    circle_zone,
    hookimpl,
    member_can,
)

from . import check_views, template_views  # noqa: F401 - their routes join the blueprint
from .demo import build_demo
from .export import build_section
from .problems import open_problems
from .status import attention_summary
from .views import bp

NAME = "devices"
CHECKERS = CARE_TEAM  # everyone but supporters
MANAGERS = frozenset({Role.COORDINATOR, Role.THERAPIST, Role.CARE_RECIPIENT})
PANEL_PROBLEMS = 5


@hookimpl
def careteam_plugin_manifest() -> PluginManifest:
    return PluginManifest(
        name=NAME,
        label="Device checklists",
        description="The circle's canes, walkers, wheelchairs and braces, with short safety "
        "checks that come round when they are due.",
        version="0.1.0",
        requires_api=">=1.1,<2",
        migrations=Path(__file__).parent / "migrations",
        enabled_by_default=True,
    )


@hookimpl
def careteam_capabilities() -> list[Capability]:
    return [
        Capability("devices.check", "See the devices and run their safety checks", CHECKERS),
        Capability("devices.manage", "Add and change devices and their checklists", MANAGERS),
    ]


# What the circle's audit log shows for each of the plugin's actions.
AUDIT_LABELS = {
    "devices.device_added": "Added a device",
    "devices.device_changed": "Changed a device",
    "devices.device_retired": "Retired a device",
    "devices.device_restored": "Brought a device back into use",
    "devices.device_viewed": "Viewed a device",
    "devices.template_created": "Made a checklist",
    "devices.checklist_edited": "Changed a checklist",
    "devices.check_started": "Started a device check",
    "devices.check_saved": "Saved a device check to finish later",
    "devices.check_finished": "Finished a device check",
    "devices.check_viewed": "Viewed a device check",
    "devices.problem_resolved": "Resolved a device problem",
    "devices.history_downloaded": "Downloaded a device's check history",
}


@hookimpl
def careteam_audit_labels() -> dict[str, str]:
    return AUDIT_LABELS


@hookimpl
def careteam_blueprints() -> list[Any]:
    return [bp]


@hookimpl
def careteam_circle_nav_items() -> list[NavItem]:
    return [NavItem("Devices", "devices.index", order=50, capability="devices.check")]


def _panel(circle: Any, membership: Any, **_: Any) -> dict[str, Any] | None:
    if not member_can(membership, "devices.check"):
        return None  # supporters see nothing of it
    problems = open_problems(circle, limit=PANEL_PROBLEMS + 1)
    return {
        "circle": circle,
        "due": attention_summary(circle),
        "problems": problems[:PANEL_PROBLEMS],
        "more_problems": len(problems) > PANEL_PROBLEMS,
    }


@hookimpl
def careteam_circle_panels() -> list[Panel]:
    return [
        Panel("device-checks", "Device checks", "devices/_panel.html", order=25, context=_panel)
    ]


@hookimpl
def careteam_reminder_items(circle: Any, membership: Any, now: Any) -> list[ReminderItem]:
    if not member_can(membership, "devices.check"):
        return []
    today = now.astimezone(circle_zone(circle)).date().isoformat()
    items = []
    for status in attention_summary(circle, now):
        if not status.overdue:
            continue
        device = status.device
        items.append(
            ReminderItem(
                # One reminder per device per day while something stays overdue.
                key=f"overdue:{device.public_id}:{today}",
                title=f"{device.name}: {status.overdue} check item(s) overdue",
                detail=", ".join(i.item.text for i in status.items if i.due.days_late)[:300],
                path=f"/circles/{circle.public_id}/devices/{device.public_id}",
            )
        )
    return items


@hookimpl
def careteam_whats_next(circle: Any, membership: Any) -> list[WhatsNextItem]:
    if not member_can(membership, "devices.check"):
        return []
    return [
        WhatsNextItem(
            title=f"Check {s.device.name}"
            + (f" ({s.overdue} overdue)" if s.overdue else " (due today)"),
            url=f"/circles/{circle.public_id}/devices/{s.device.public_id}",
            kind="device-check",
        )
        for s in attention_summary(circle)[:3]
    ]


@hookimpl
def careteam_export_sections() -> list[ExportSection]:
    return [ExportSection("devices", "Devices, their checklists and checks", build_section, 70)]


@hookimpl
def careteam_demo_data() -> list[str]:
    return build_demo()
