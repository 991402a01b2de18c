"""The shipped library: enough entries, every kind, the ones the issue names; doses and schedules
a programme would accept; instructions that survive render_markdown; drawings that are safe,
small, printable and shipped in the wheel."""

from __future__ import annotations

import html as html_module
import re
import subprocess
import sys
import xml.etree.ElementTree as ET
import zipfile
from pathlib import Path

import pytest
from careteam_therapy.library import (
    KIND_LABELS,
    LIBRARY,
    LibraryEntry,
    drawing_alt,
    library_entry,
)
from careteam_therapy.models import Task
from careteam_therapy.schedule import weekday_mask, weekdays_of

from careteam.api import render_markdown

PLUGIN = Path(__file__).resolve().parents[1]
DRAWINGS = PLUGIN / "careteam_therapy" / "static" / "drawings"
SVG = "{http://www.w3.org/2000/svg}"

REQUIRED = {
    "sit-to-stand",
    "seated-marching",
    "ankle-stretch-strap",
    "standing-balance",
    "rollator-walk",
    "sit-to-dress",
    "planned-rests",
    "cooling",
}
# The programme's dose rules (issue 20; careteam_therapy/dose.py checks the same on forms).
DOSE_LIMITS = {"sets": (1, 20), "reps": (1, 100), "hold_seconds": (1, 300), "minutes": (1, 180)}

by_entry = pytest.mark.parametrize("entry", LIBRARY, ids=lambda entry: entry.slug)


def html_text(fragment: str) -> str:
    """What a reader sees in an HTML fragment: tags dropped, entities decoded, spaces joined."""
    return " ".join(html_module.unescape(re.sub(r"<[^>]+>", " ", fragment)).split())


def markdown_lines(text: str, marker: str) -> list[str]:
    """The items of a Markdown list, without the list marker or bold markers."""
    items = []
    for line in text.splitlines():
        found = re.fullmatch(marker + r" (.+)", line)
        assert found, f"not a list item: {line!r}"
        items.append(" ".join(found.group(1).replace("**", "").split()))
    return items


def test_the_library_is_big_enough_with_unique_slugs_and_every_kind():
    assert len(LIBRARY) >= 15
    slugs = [entry.slug for entry in LIBRARY]
    assert len(set(slugs)) == len(slugs)
    assert len({entry.title for entry in LIBRARY}) == len(LIBRARY)
    assert (
        {entry.kind for entry in LIBRARY}
        == set(KIND_LABELS)
        == {
            "exercise",
            "activity",
            "strategy",
        }
    )
    assert set(slugs) >= REQUIRED


def test_entries_are_found_by_slug_and_drawing():
    assert library_entry("sit-to-stand") is LIBRARY[0]
    assert library_entry("cooling").kind == "strategy"
    assert library_entry("no-such-entry") is None
    assert library_entry("") is None
    assert drawing_alt("cooling.svg") == library_entry("cooling").alt
    assert drawing_alt("no-such-drawing.svg") == ""
    assert drawing_alt("") == ""
    with pytest.raises(AttributeError):  # frozen: nobody edits the shipped copy in place
        LIBRARY[0].reps = 99  # type: ignore[misc]


@by_entry
def test_each_entry_fits_the_task_columns(entry: LibraryEntry):
    columns = Task.__table__.c
    assert re.fullmatch(r"[a-z0-9]+(-[a-z0-9]+)*", entry.slug)
    assert len(f"library:{entry.slug}") <= columns.source.type.length
    assert 0 < len(entry.title) <= columns.title.type.length
    assert entry.drawing == f"{entry.slug}.svg"
    assert len(entry.drawing) <= columns.drawing.type.length
    assert entry.kind_label == KIND_LABELS[entry.kind]


@by_entry
def test_each_dose_is_within_the_programme_rules(entry: LibraryEntry):
    for field, (low, high) in DOSE_LIMITS.items():
        value = getattr(entry, field)
        assert value is None or (type(value) is int and low <= value <= high), (field, value)
    doses = [getattr(entry, field) for field in DOSE_LIMITS]
    if entry.kind == "exercise":
        assert any(dose is not None for dose in doses)
        # An exercise is counted in sets and reps or held; minutes are for activities.
        assert entry.sets is not None and (entry.reps or entry.hold_seconds)
    if entry.kind == "activity":
        assert entry.minutes is not None


@by_entry
def test_each_schedule_is_valid(entry: LibraryEntry):
    # Chosen weekdays or N a week, never both, never neither.
    assert bool(entry.weekdays) != (entry.per_week is not None)
    if entry.weekdays:
        assert list(entry.weekdays) == sorted(set(entry.weekdays))
        assert all(0 <= day <= 6 for day in entry.weekdays)
        assert weekdays_of(weekday_mask(entry.weekdays)) == entry.weekdays
    else:
        assert 1 <= entry.per_week <= 14
    assert type(entry.times_per_day) is int and 1 <= entry.times_per_day <= 4


def test_gentle_entries_stay_during_a_flare_and_strength_work_pauses():
    keep = {entry.slug for entry in LIBRARY if entry.keep_in_flare}
    assert {"ankle-stretch-strap", "deep-breathing", "planned-rests", "cooling"} <= keep
    assert {"sit-to-stand", "standing-balance", "rollator-walk", "seated-pedals"}.isdisjoint(keep)


@by_entry
def test_instructions_are_short_numbered_steps(entry: LibraryEntry):
    steps = entry.instructions.splitlines()
    assert 3 <= len(steps) <= 8
    for number, step in enumerate(steps, start=1):
        assert step.startswith(f"{number}. "), step
        # Short sentences for tired readers.
        for sentence in re.split(r"(?<=[.!?])\s+", step[len(f"{number}. ") :]):
            assert len(sentence.split()) <= 22, sentence
    assert entry.precautions.strip()
    markdown_lines(entry.precautions, "-")


@by_entry
def test_instructions_and_precautions_render_without_losing_content(app, entry: LibraryEntry):
    with app.app_context():
        steps_html = str(render_markdown(entry.instructions))
        precautions_html = str(render_markdown(entry.precautions))
    steps = markdown_lines(entry.instructions, r"\d+\.")
    assert steps_html.count("<li>") == len(steps)
    assert steps_html.startswith("<ol>")
    seen = html_text(steps_html)
    for step in steps:
        assert step in seen
    cautions = markdown_lines(entry.precautions, "-")
    assert precautions_html.startswith("<ul>") and precautions_html.count("<li>") == len(cautions)
    seen = html_text(precautions_html)
    for caution in cautions:
        assert caution in seen


def test_every_drawing_belongs_to_an_entry():
    assert {path.name for path in DRAWINGS.glob("*")} == {entry.drawing for entry in LIBRARY}


@by_entry
def test_each_drawing_is_safe_small_and_printable(entry: LibraryEntry):
    path = DRAWINGS / entry.drawing
    assert path.is_file()
    raw = path.read_bytes()
    assert len(raw) <= 4096
    text = raw.decode("utf-8")
    assert 'href="http' not in text and "href='http" not in text
    assert "<!DOCTYPE" not in text and "<!ENTITY" not in text
    root = ET.fromstring(text)  # noqa: S314 - our own file; no DTD or entity (asserted above)
    assert root.tag == f"{SVG}svg"
    assert root.get("viewBox") == "0 0 200 200"
    title = root.find(f"{SVG}title")
    assert title is not None and title.text and title.text.strip()
    elements = list(root.iter())
    allowed = {"svg", "title", "desc", "g", "path", "circle", "ellipse", "line", "polyline",
               "polygon", "rect"}  # fmt: skip
    for element in elements:
        name = element.tag.removeprefix(SVG)
        # No script, raster image, foreign HTML, or anything outside the SVG namespace.
        assert name in allowed, element.tag
        for attribute, value in element.attrib.items():
            assert not attribute.lower().startswith("on"), attribute
            assert "href" not in attribute, attribute
            assert "url(" not in value and "javascript:" not in value.lower(), value
            if attribute == "stroke-width":
                assert float(value) >= 3
            if attribute in {"stroke", "fill"}:
                # Dark ink or nothing: readable when printed on white.
                assert value in {"none", "#1a1a1a", "#000", "#000000"}, value
    assert root.find(f"{SVG}g").get("stroke") == "#1a1a1a"
    assert any(element.tag in {f"{SVG}path", f"{SVG}circle"} for element in elements)


@by_entry
def test_each_entry_has_alt_text(entry: LibraryEntry):
    assert entry.alt.strip() and entry.alt != entry.title
    assert len(entry.alt) <= 200
    assert drawing_alt(entry.drawing) == entry.alt


def test_the_wheel_ships_every_drawing(tmp_path):
    # Installed sites serve the drawings from the installed package, so they must be package
    # data in the wheel (hatchling includes files under the package by default).
    command = [sys.executable, "-m", "pip", "wheel", "--no-deps", "--no-build-isolation", "-q"]
    subprocess.run(  # noqa: S603 - this interpreter's pip on this checkout
        [*command, "-w", str(tmp_path), str(PLUGIN)],
        check=True,
        capture_output=True,
        timeout=300,
    )
    (wheel,) = tmp_path.glob("careteam_therapy-*.whl")
    names = set(zipfile.ZipFile(wheel).namelist())
    for entry in LIBRARY:
        assert f"careteam_therapy/static/drawings/{entry.drawing}" in names
    assert "careteam_therapy/library.py" in names


def test_the_drawings_are_served_as_the_plugins_static_files(client):
    response = client.get(f"/static/plugins/therapy/drawings/{LIBRARY[0].drawing}")
    assert response.status_code == 200
    assert response.mimetype == "image/svg+xml"
    assert b"<title>" in response.data
    assert client.get("/static/plugins/therapy/drawings/none.svg").status_code == 404
