"""The circle export as a list of sections: core features and plugins each add their own."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

from flask import Flask, current_app


@dataclass
class SectionContent:
    """What one section puts into the export zip."""

    # JSON-ready data for data.json under the section's key (dates as ISO 8601 text).
    data: Any = None
    # "notes.csv" -> (header, rows); cells are escaped against spreadsheet formulas.
    tables: dict[str, tuple[Sequence[str], Iterable[Sequence[Any]]]] = field(default_factory=dict)
    # Other files, e.g. "calendar.ics".
    files: dict[str, bytes] = field(default_factory=dict)


@dataclass(frozen=True)
class ExportSection:
    """One part of the circle export; ``build(circle=, membership=)`` returns SectionContent.

    ``build`` must include only what ``membership`` may see: the export is a copy of what the
    person exporting could read in the app, never more.
    """

    key: str
    label: str
    build: Callable[..., SectionContent] = field(compare=False)
    order: int = 100
    # Set by core for a plugin's sections: built only where that plugin is on.
    plugin: str | None = None


def add_export_section(app: Flask, section: ExportSection) -> None:
    """Register a section of the circle export; keys must be unique."""
    sections: list[ExportSection] = app.extensions.setdefault("careteam_export_sections", [])
    if any(s.key == section.key for s in sections):
        raise ValueError(f"export section {section.key!r} is already registered")
    sections.append(section)


def export_sections(plugins_on: frozenset[str] | None = None) -> list[ExportSection]:
    """Return the sections in order; plugin sections only for plugins in ``plugins_on``."""
    sections = current_app.extensions.get("careteam_export_sections", [])
    chosen = [
        s
        for s in sections
        if s.plugin is None or (plugins_on is not None and s.plugin in plugins_on)
    ]
    return sorted(chosen, key=lambda s: (s.order, s.key))
