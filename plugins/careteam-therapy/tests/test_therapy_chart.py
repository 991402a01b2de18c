"""The progress chart: well-formed SVG an assistive technology can name and describe, markers for
versions and pauses, shapes rather than colours, no script or inline style, text escaped."""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from datetime import date, timedelta

from careteam_therapy.chart import adherence_svg, describe, percent_text
from careteam_therapy.progress import LogRow, PlannedTask, PlannedVersion, week_figures
from careteam_therapy.schedule import TaskSchedule, weekday_mask
from markupsafe import escape

SVG = "{http://www.w3.org/2000/svg}"
FIRST = date(2025, 1, 6)
DAILY = weekday_mask(range(7))


def _weeks():
    """Four weeks: v2 on the Thursday of the second, a pause Tuesday to Thursday of the third,
    pain and fatigue on some days, the fourth week with nothing logged."""
    plan = [
        PlannedVersion(1, FIRST, (PlannedTask("a", TaskSchedule(FIRST, None, DAILY, None, 1)),)),
        PlannedVersion(
            2,
            FIRST + timedelta(days=10),
            (PlannedTask("a", TaskSchedule(FIRST, None, DAILY, None, 2)),),
        ),
    ]
    pauses = [(FIRST + timedelta(days=15), FIRST + timedelta(days=17))]
    logs = [
        LogRow("a", FIRST + timedelta(days=n), 1, "done", n % 7, (n * 3) % 11)
        for n in range(0, 21, 2)
    ]
    mondays = [FIRST + timedelta(weeks=n) for n in range(4)]
    return [week_figures(plan, pauses, logs, m) for m in reversed(mondays)]  # newest first


def _tree(svg: str) -> ET.Element:
    return ET.fromstring(str(svg))  # noqa: S314 - our own output, not untrusted input


def test_the_chart_is_an_image_with_a_title_and_a_description():
    weeks = _weeks()
    root = _tree(adherence_svg(weeks, "Progress of Walking"))
    assert root.tag == f"{SVG}svg" and root.get("role") == "img"
    title_id, desc_id = root.get("aria-labelledby").split()
    title = root.find(f"{SVG}title")
    desc = root.find(f"{SVG}desc")
    assert (title.get("id"), title.text) == (title_id, "Progress of Walking")
    assert (desc.get("id"), desc.text) == (desc_id, describe(weeks))
    assert desc.text.startswith("Weekly adherence over 4 weeks from 6 January 2025 to 27 January")
    assert "Highest pain 6 and fatigue 10 out of 10." in desc.text
    assert "New version 2 from 16 January 2025." in desc.text
    assert "Paused for 3 days." in desc.text


def test_versions_pauses_bars_and_lines_are_drawn_in_shapes():
    weeks = _weeks()
    root = _tree(adherence_svg(weeks, "P"))
    texts = [t.text for t in root.iter(f"{SVG}text")]
    assert "v2" in texts
    hatched = [r for r in root.iter(f"{SVG}rect") if r.get("fill") == "url(#therapy-paused)"]
    assert len(hatched) == 3 + 1  # the three paused days and the legend's swatch
    bars = [r for r in root.iter(f"{SVG}rect") if r.get("fill-opacity") == "0.35"]
    assert len(bars) == 4 + 1  # four weeks with something due, and the legend
    rated_days = sum(1 for w in weeks for d in w.days if d.pain is not None)
    assert len(list(root.iter(f"{SVG}circle"))) == rated_days + 1
    lines = list(root.iter(f"{SVG}polyline"))
    assert [line.get("stroke-dasharray") for line in lines] == [None, "6 4"]  # pain, fatigue
    # Oldest on the left: the week labels run forwards in time.
    labels = [t for t in texts if re.fullmatch(r"\d{1,2} [A-Z][a-z]{2}", t or "")]
    assert labels == ["6 Jan", "13 Jan", "20 Jan", "27 Jan"]


def test_nothing_but_drawing_no_script_no_inline_style_no_colour_names():
    svg = str(adherence_svg(_weeks(), "P"))
    assert (
        "<script" not in svg
        and "style=" not in svg
        and " on" not in svg.lower().replace(" one", "")
    )
    colours = set(re.findall(r'(?:fill|stroke)="([^"]+)"', svg))
    assert colours <= {"currentColor", "none", "url(#therapy-paused)"}


def test_a_week_with_nothing_due_shows_a_dash_not_zero():
    empty = week_figures([], [], [], FIRST)
    root = _tree(adherence_svg([empty], "P"))
    assert "\u2013" in [t.text for t in root.iter(f"{SVG}text")]
    assert percent_text(empty) == "no tasks due"
    assert describe([empty]).endswith("no tasks were due.")
    assert describe([]) == "No weeks to show."


def test_extras_show_as_plus_n():
    plan = [PlannedVersion(1, FIRST, (PlannedTask("a", TaskSchedule(FIRST, None, 0, 2, 1)),))]
    logs = [LogRow("a", FIRST + timedelta(days=n), 1, "done", None, None) for n in range(5)]
    week = week_figures(plan, [], logs, FIRST)
    assert percent_text(week) == "100 % +3"
    assert "100 % +3" in str(adherence_svg([week], "P"))


def test_any_title_is_escaped(blns):
    for text in blns:
        svg = str(adherence_svg(_weeks()[:1], text))
        assert f'<title id="therapy-chart-title">{escape(text)}</title>' in svg
        if not re.search(r"[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff\ud800-\udfff]", text):
            assert _tree(svg).find(f"{SVG}title").text == (text or None)
