"""The hello plugin's hook implementations: what it adds to CareTeam, as data."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import click
from sqlalchemy import func, select

from careteam.api import (
    ALL_ROLES,
    Capability,
    ExportSection,
    NavItem,
    Panel,
    PluginManifest,
    Role,
    SectionContent,
    db,
    demo_circle,
    demo_membership,
    get_circle,
    hookimpl,
    plugin_settings,
)

from . import service
from .forms import HelloSettingsForm
from .models import KindWord
from .views import bp

NAME = "hello"


@hookimpl
def careteam_plugin_manifest() -> PluginManifest:
    return PluginManifest(
        name=NAME,
        label="Kind words",
        description="Members leave each other short encouragements; the home page shows the "
        "latest ones.",
        version="0.1.0",
        requires_api=">=1.0,<2",
        migrations=Path(__file__).parent / "migrations",
        default_settings={"show_count": True},
    )


@hookimpl
def careteam_capabilities() -> list[Capability]:
    return [Capability("hello.write", "Leave kind words for the circle", ALL_ROLES)]


@hookimpl
def careteam_blueprints() -> list[Any]:
    return [bp]


@hookimpl
def careteam_circle_nav_items() -> list[NavItem]:
    return [NavItem("Kind words", "hello.index", order=60)]


def _panel_context(circle: Any, membership: Any, **_: Any) -> dict[str, Any]:
    show_count = bool(plugin_settings(circle, NAME).get("show_count"))
    return {
        "circle": circle,
        "latest": service.kind_words(circle, limit=service.RECENT),
        "show_count": show_count,
        "count": service.shared_update_count(circle) if show_count else None,
    }


@hookimpl
def careteam_circle_panels() -> list[Panel]:
    return [
        Panel("kind-words", "Kind words", "hello/_panel.html", order=35, context=_panel_context)
    ]


@hookimpl
def careteam_circle_settings_form() -> type:
    return HelloSettingsForm


def _export(circle: Any, membership: Any, **_: Any) -> SectionContent:
    # Every member may read the circle's kind words, so the export holds them all.
    words = service.kind_words(circle, limit=None)
    rows = [(w["created_at"], w["author"], w["message"]) for w in words]
    return SectionContent(
        data=[{**w, "created_at": w["created_at"].isoformat()} for w in words],
        tables={"kind_words.csv": (("created_at", "author", "message"), rows)},
    )


@hookimpl
def careteam_export_sections() -> list[ExportSection]:
    return [ExportSection("hello", "Kind words", _export, order=80)]


@hookimpl
def careteam_note_created(event: Any) -> None:
    # The payload has ids and the audience, never the note's text; a count is all we need.
    if event.audience != "everyone":
        return
    circle = get_circle(event.circle_id)
    if circle is not None:
        service.count_shared_update(circle.id)


@click.command("hello-stats")
def hello_stats() -> None:
    """Print how many kind words each circle has (no message text)."""
    rows = db.session.execute(
        select(KindWord.circle_id, func.count()).group_by(KindWord.circle_id)
    ).all()
    total = sum(count for _circle, count in rows)
    click.echo(f"{total} kind word{'' if total == 1 else 's'} in {len(rows)} circle(s).")


@hookimpl
def careteam_cli_commands() -> list[Any]:
    return [hello_stats]


DEMO_WORDS = (
    (Role.FAMILY, "So proud of you for the walk to the bench and back today, Maya."),
    (Role.SUPPORTER, "Book club misses you. I saved you the seat by the window."),
)


@hookimpl
def careteam_demo_data() -> list[str]:
    circle = demo_circle("maya")
    if circle is None or db.session.query(KindWord.id).filter_by(circle_id=circle.id).first():
        return []
    for role, message in DEMO_WORDS:
        member = demo_membership(circle, role.value)
        if member is not None:
            service.leave_kind_word(circle, member, message)
    db.session.commit()
    return [f"Added {len(DEMO_WORDS)} kind words to {circle.name}."]
