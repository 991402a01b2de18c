"""The therapy plugin's hook implementations."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from careteam.api import (
    CalendarItem,
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

from . import (  # noqa: F401 - their routes join the blueprints
    edit_views,
    overview,
    programme_views,
    progress_views,
    today_views,
)
from .alerts import alerts_for
from .calendar_items import calendar_items
from .demo import build_demo
from .export import build_section
from .panel import panel_figures, today_figures
from .programmes import today_in
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

AUDIT_LABELS.update(
    {
        "therapy.today_viewed": "Viewed a day of therapy",
        "therapy.logged": "Logged a therapy task",
        "therapy.paused": "Paused a therapy programme for a flare-up",
        "therapy.resumed": "Resumed a paused therapy programme",
        "therapy.alerts_viewed": "Viewed the therapy alerts",
        "therapy.alert_seen": "Marked a therapy alert seen",
        "therapy.settings_changed": "Changed their therapy calendar and reminder settings",
        "therapy.logs_downloaded": "Downloaded a therapy programme's logs",
    }
)
# The daily reminder waits for the morning in the circle's zone, not the stroke of midnight.
DAILY_REMINDER_HOUR = 7
WHATS_NEXT_ALERTS = 3


def _panel(circle: Any, membership: Any, **_: Any) -> dict[str, Any] | None:
    if not member_can(membership, "therapy.view"):
        return None  # supporters see nothing of it
    figures = panel_figures(circle, today_in(circle))
    if not figures.today.tasks:
        return None  # no programme in force: nothing to say
    return {"circle": circle, "figures": figures.today, "week_percent": figures.week_percent}


@hookimpl
def careteam_circle_panels() -> list[Panel]:
    return [
        Panel("therapy-today", "Therapy today", "therapy/_panel.html", order=27, context=_panel)
    ]


@hookimpl
def careteam_whats_next(circle: Any, membership: Any) -> list[WhatsNextItem]:
    by_programme: dict[str, list[Any]] = {}
    for row in alerts_for(circle, membership):  # none (and no query) for non-therapists
        by_programme.setdefault(row.programme_title, []).append(row)
    return [
        WhatsNextItem(
            title=f"Therapy alert: {title}",
            detail="; ".join(row.text for row in rows[:3]) + (" …" if len(rows) > 3 else ""),
            url=f"/circles/{circle.public_id}/therapy/alerts",
            kind="therapy-alert",
        )
        for title, rows in list(by_programme.items())[:WHATS_NEXT_ALERTS]
    ]


@hookimpl
def careteam_reminder_items(circle: Any, membership: Any, now: Any) -> list[ReminderItem]:
    items = [
        ReminderItem(
            key=row.reminder_key,
            title=f"Therapy alert, {row.programme_title}: {row.text}",
            detail=row.task_title,
            path=f"/circles/{circle.public_id}/therapy/alerts",
        )
        for row in alerts_for(circle, membership)
    ]
    local = now.astimezone(circle_zone(circle))
    if member_can(membership, "therapy.log") and local.hour >= DAILY_REMINDER_HOUR:
        figures = today_figures(circle, local.date(), opted_in=(membership.user_id, "reminders"))
        if figures.left:
            items.append(
                ReminderItem(
                    key=f"today:{local.date().isoformat()}",
                    title=f"Today: {figures.left} home exercise{'s' if figures.left != 1 else ''}",
                    path=f"/circles/{circle.public_id}/therapy/today",
                )
            )
    return items


@hookimpl
def careteam_calendar_items(
    circle: Any, membership: Any, start: Any, end: Any
) -> list[CalendarItem]:
    return calendar_items(circle, membership, start, end, today_in(circle))


@hookimpl
def careteam_export_sections() -> list[ExportSection]:
    return [ExportSection("therapy", "Therapy programmes, pauses and logs", build_section, 75)]


@hookimpl
def careteam_demo_data() -> list[str]:
    return build_demo()


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
