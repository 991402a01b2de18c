"""Build the circle export zip from its sections.

The zip is built in memory: a circle holds at most a few thousand notes (a few MB of text),
and building first means a failing section gives a clear error instead of a cut-off download.
"""

from __future__ import annotations

import io
import json
import logging
import re
import unicodedata
import zipfile
from datetime import date, datetime
from typing import Any

from ..db.clock import utcnow
from ..registries import ExportSection, export_sections
from .csvfile import csv_bytes

log = logging.getLogger(__name__)

FORMAT = "careteam-export"
# Names of the files a section adds: plain, flat names, never a path out of the zip's root.
_FILE_NAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]{0,79}")
VERSION = 1


class ExportFailed(RuntimeError):
    """A section could not be built; the export is refused rather than given incomplete."""

    def __init__(self, section: ExportSection) -> None:
        super().__init__(section.key)
        self.section = section


def _json_default(value: Any) -> str:
    if isinstance(value, datetime | date):
        return value.isoformat()
    raise TypeError(f"{type(value).__name__} is not JSON-ready")


def filename_for(circle_name: str, when: datetime) -> str:
    """Return a plain-ASCII file name for the download, whatever the circle is called."""
    ascii_name = unicodedata.normalize("NFKD", circle_name).encode("ascii", "ignore").decode()
    slug = re.sub(r"[^a-z0-9]+", "-", ascii_name.lower()).strip("-")[:40].strip("-")
    return f"careteam-{slug or 'circle'}-{when:%Y-%m-%d}.zip"


def _readme(files: list[tuple[str, str]], exported_at: str) -> str:
    lines = [
        "CareTeam circle export",
        "",
        f"Made {exported_at} (UTC). It holds what the person who made it could see in the",
        "circle at that moment, and nothing else.",
        "",
        "data.json    everything below in one JSON document (dates in ISO 8601, UTC)",
    ]
    lines += [f"{name:<12} {label}" for name, label in files]
    lines += [
        "",
        "CSV files are UTF-8. Cells that a spreadsheet would run as a formula start with an",
        "apostrophe (').",
    ]
    return "\r\n".join(lines) + "\r\n"


def build_export(circle: Any, membership: Any, plugins_on: frozenset[str]) -> bytes:
    """Return the zip of every section for ``membership``; raise ExportFailed on a fault."""
    exported_at = utcnow().isoformat()
    document: dict[str, Any] = {"format": FORMAT, "version": VERSION, "exported_at": exported_at}
    files: dict[str, bytes] = {}
    listing: list[tuple[str, str]] = []
    for section in export_sections(plugins_on):
        try:
            content = section.build(circle=circle, membership=membership)
            if content.data is not None:
                # Round-trip now, so a value JSON cannot hold is this section's fault.
                text = json.dumps(content.data, ensure_ascii=False, default=_json_default)
                document[section.key] = json.loads(text)
            built = {name: csv_bytes(*table) for name, table in content.tables.items()}
            built.update(content.files)
        except Exception as error:
            log.exception("Export section %r (plugin %s) failed", section.key, section.plugin)
            raise ExportFailed(section) from error
        for name, data in built.items():
            taken = name in files or name in ("data.json", "README.txt")
            if taken or not _FILE_NAME.fullmatch(name) or not isinstance(data, bytes):
                log.error("Export section %r made a bad or duplicate file %r", section.key, name)
                raise ExportFailed(section)
            files[name] = data
            listing.append((name, section.label))
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("README.txt", _readme(listing, exported_at))
        text = json.dumps(document, ensure_ascii=False, indent=2, default=_json_default)
        archive.writestr("data.json", text)
        for name, data in files.items():
            archive.writestr(name, data)
    return buffer.getvalue()
