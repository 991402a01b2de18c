"""The therapy plugin's hook implementations."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from careteam.api import (
    Capability,
    NavItem,
    Panel,
    PluginManifest,
    Role,
    hookimpl,
)

from . import edit_views, overview, programme_views, progress_views  # noqa: F401 - their routes join the blueprint  # noqa: F401 - their routes join the blueprints
from .site_views import site_bp
from .views import bp

NAME = "therapy"
# Everyone but supporters follows and logs the programme.
FOLLOWERS = frozenset(
    {Role.COORDINATOR, Role.FAMILY, Role.CAREGIVER, Role.THERAPIST, Role.CARE_RECIPIENT}
)
PRESCRIBERS = frozenset({Role.THERAPIST})
ARCHIVERS = frozenset({Role.COORDINATOR, Role.THERAPIST, Role.CARE_RECIPIENT})


@hookimpl
def careteam_plugin_manifest() -> PluginManifest:
    return PluginManifest(
        name=NAME,
        label="Therapy programmes",
        description="Home exercise programmes a therapist prescribes: the circle logs them day "
        "by day, pauses them for a flare-up, and the therapist follows adherence, pain and "
        "fatigue.",
        version="0.1.0",
        requires_api=">=1.2,<2",
        migrations=Path(__file__).parent / "migrations",
        # The library's drawings, at /static/plugins/therapy/drawings/<slug>.svg.
        static=Path(__file__).parent / "static",
        enabled_by_default=True,
    )


@hookimpl
def careteam_capabilities() -> list[Capability]:
    return [
        Capability("therapy.view", "See the therapy programmes and their progress", FOLLOWERS),
        Capability("therapy.log", "Log therapy tasks and pause a programme", FOLLOWERS),
        Capability("therapy.prescribe", "Prescribe and change therapy programmes", PRESCRIBERS),
        Capability("therapy.archive", "Archive a therapy programme", ARCHIVERS),
    ]


# What the circle's audit log shows for each of the plugin's actions.
AUDIT_LABELS: dict[str, str] = {
    # authoring
    "therapy.programme_created": "Prescribed a therapy programme",
    "therapy.version_saved": "Saved a new version of a therapy programme",
    "therapy.programme_copied": "Copied a therapy programme to another circle",
    "therapy.programme_archived": "Archived a therapy programme",
    "therapy.programme_restored": "Brought back an archived therapy programme",
    "therapy.template_saved": "Kept a therapy task as a template",
    "therapy.programme_viewed": "Viewed a therapy programme",
    "therapy.history_viewed": "Viewed a therapy programme's history",
    "therapy.sheet_viewed": "Viewed a therapy programme's printable sheet",
    "therapy.progress_viewed": "Viewed a therapy programme's progress",
    "therapy.overview_viewed": "Viewed the therapist's overview of programmes",
}


@hookimpl
def careteam_audit_labels() -> dict[str, str]:
    return AUDIT_LABELS


@hookimpl
def careteam_blueprints() -> list[Any]:
    return [bp, site_bp]


@hookimpl
def careteam_circle_nav_items() -> list[NavItem]:
    return [NavItem("Therapy", "therapy.index", order=40, capability="therapy.view")]


# --- programme pages: library, programmes, versions, templates, sheets (authoring) -----------


# --- logging: today, pauses, alerts, circle panel, calendar, reminders, export, demo ----------


# --- progress and the therapist's overview ----------------------------------------------------


@hookimpl
def careteam_home_panels() -> list[Panel]:
    return [
        Panel(
            "therapy-caseload",
            "Your therapy circles",
            "therapy/_home_panel.html",
            order=30,
            context=overview.home_panel,
        )
    ]
