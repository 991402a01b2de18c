"""The progress chart: weekly adherence bars with daily pain and fatigue lines, as SVG drawn on
the server (no JavaScript), with a title and a one-sentence description for screen readers.

Everything is drawn in ``currentColor`` and told apart by shape, not colour: bars are filled,
pain is a solid line with round points, fatigue a dashed line with square points, pauses a
hatched band, a new version a dotted rule with its number.  So the chart keeps its meaning in
forced-colours (high contrast) mode, in print and in greyscale; the page shows the same numbers
as a table beside it.  Styling goes through presentation attributes, which the site's CSP
(``style-src 'self'``) allows, where inline ``style`` would be refused.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date

from markupsafe import Markup, escape

from .progress import WeekFigures

WIDTH, HEIGHT = 720, 320
LEFT, RIGHT, TOP, BOTTOM = 52, 44, 40, 56
PLOT_W = WIDTH - LEFT - RIGHT
PLOT_H = HEIGHT - TOP - BOTTOM
NO_FIGURE = "\u2013"  # an en dash where a week had nothing due


def short_date(day: date) -> str:
    return f"{day.day} {day:%b}"


def long_date(day: date) -> str:
    return f"{day.day} {day:%B %Y}"


def percent_text(week: WeekFigures) -> str:
    """ "85 %", "100 % +2", or "no tasks due"."""
    if week.percent is None:
        return "no tasks due"
    extras = f" +{week.extras}" if week.extras else ""
    return f"{week.percent} %{extras}"


def describe(weeks: Sequence[WeekFigures]) -> str:
    """One or two sentences that say what the chart shows (oldest to newest)."""
    ordered = sorted(weeks, key=lambda week: week.monday)
    if not ordered:
        return "No weeks to show."
    span = (
        f"{len(ordered)} week{'s' if len(ordered) != 1 else ''} from "
        f"{long_date(ordered[0].monday)} to {long_date(ordered[-1].monday)}"
    )
    rated = [week for week in ordered if week.percent is not None]
    parts = [f"Weekly adherence over {span}"]
    if rated:
        low = min(week.percent for week in rated)
        high = max(week.percent for week in rated)
        parts.append(
            f": from {low} % to {high} %, {rated[-1].percent} % in the week of "
            f"{long_date(rated[-1].monday)}."
        )
    else:
        parts.append(": no tasks were due.")
    pains = [week.pain for week in ordered if week.pain is not None]
    fatigues = [week.fatigue for week in ordered if week.fatigue is not None]
    if pains or fatigues:
        ratings = []
        if pains:
            ratings.append(f"pain {max(pains)}")
        if fatigues:
            ratings.append(f"fatigue {max(fatigues)}")
        parts.append(" Highest " + " and ".join(ratings) + " out of 10.")
    versions = [f"version {n} from {long_date(day)}" for w in ordered for n, day in w.versions]
    if versions:
        parts.append(" New " + ", ".join(versions) + ".")
    paused = sum(week.paused_days for week in ordered)
    if paused:
        parts.append(f" Paused for {paused} day{'s' if paused != 1 else ''}.")
    return "".join(parts)


def _y_percent(value: float) -> float:
    return TOP + PLOT_H * (1 - value)


def _y_rating(value: int) -> float:
    return TOP + PLOT_H * (1 - value / 10)


def _axes() -> list[str]:
    out = []
    for value in (0, 0.5, 1):
        y = _y_percent(value)
        out.append(
            f'<line x1="{LEFT}" y1="{y:.1f}" x2="{LEFT + PLOT_W}" y2="{y:.1f}" '
            'stroke="currentColor" stroke-opacity="0.3" stroke-width="1"/>'
            f'<text x="{LEFT - 6}" y="{y + 4:.1f}" text-anchor="end">{int(value * 100)} %</text>'
        )
    for rating in (0, 5, 10):
        y = _y_rating(rating)
        out.append(f'<text x="{LEFT + PLOT_W + 6}" y="{y + 4:.1f}">{rating}</text>')
    out.append(
        f'<text x="4" y="{TOP - 12}">Adherence</text>'
        f'<text x="{WIDTH - 4}" y="{TOP - 12}" text-anchor="end">Pain, fatigue</text>'
    )
    return out


def _legend() -> str:
    y = HEIGHT - 12
    return (
        f'<g class="chart-legend"><rect x="{LEFT}" y="{y - 10}" width="14" height="12" '
        'fill="currentColor" fill-opacity="0.35" stroke="currentColor"/>'
        f'<text x="{LEFT + 20}" y="{y}">Adherence</text>'
        f'<line x1="{LEFT + 110}" y1="{y - 4}" x2="{LEFT + 140}" y2="{y - 4}" '
        'stroke="currentColor" stroke-width="2.5"/>'
        f'<circle cx="{LEFT + 125}" cy="{y - 4}" r="3.5" fill="currentColor"/>'
        f'<text x="{LEFT + 146}" y="{y}">Pain</text>'
        f'<line x1="{LEFT + 200}" y1="{y - 4}" x2="{LEFT + 230}" y2="{y - 4}" '
        'stroke="currentColor" stroke-width="2" stroke-dasharray="6 4"/>'
        f'<rect x="{LEFT + 212}" y="{y - 7.5}" width="7" height="7" fill="currentColor"/>'
        f'<text x="{LEFT + 236}" y="{y}">Fatigue</text>'
        f'<rect x="{LEFT + 300}" y="{y - 10}" width="14" height="12" '
        'fill="url(#therapy-paused)" stroke="currentColor"/>'
        f'<text x="{LEFT + 320}" y="{y}">Paused</text>'
        f'<line x1="{LEFT + 390}" y1="{y - 12}" x2="{LEFT + 390}" y2="{y + 2}" '
        'stroke="currentColor" stroke-width="2" stroke-dasharray="2 3"/>'
        f'<text x="{LEFT + 396}" y="{y}">New version</text></g>'
    )


def _line(points: list[tuple[float, float]], dashed: bool) -> list[str]:
    if not points:
        return []
    path = " ".join(f"{x:.1f},{y:.1f}" for x, y in points)
    dash = ' stroke-dasharray="6 4"' if dashed else ""
    width = 2 if dashed else 2.5
    out = [
        f'<polyline points="{path}" fill="none" stroke="currentColor" '
        f'stroke-width="{width}"{dash}/>'
    ]
    for x, y in points:
        if dashed:
            out.append(
                f'<rect x="{x - 3.5:.1f}" y="{y - 3.5:.1f}" width="7" height="7" '
                'fill="currentColor"/>'
            )
        else:
            out.append(f'<circle cx="{x:.1f}" cy="{y:.1f}" r="3.5" fill="currentColor"/>')
    return out


def adherence_svg(weeks: Sequence[WeekFigures], title: str, ident: str = "therapy-chart") -> Markup:
    """The chart of ``weeks`` (any order; drawn oldest on the left) as an inline ``<svg>``."""
    ordered = sorted(weeks, key=lambda week: week.monday)
    band = PLOT_W / max(len(ordered), 1)
    day_w = band / 7
    body: list[str] = _axes()
    pain: list[tuple[float, float]] = []
    fatigue: list[tuple[float, float]] = []
    for index, week in enumerate(ordered):
        x0 = LEFT + index * band
        for offset, day in enumerate(week.days):
            x = x0 + (offset + 0.5) * day_w
            if day.paused:
                body.append(
                    f'<rect x="{x0 + offset * day_w:.1f}" y="{TOP}" width="{day_w:.1f}" '
                    f'height="{PLOT_H}" fill="url(#therapy-paused)"/>'
                )
            if day.pain is not None:
                pain.append((x, _y_rating(day.pain)))
            if day.fatigue is not None:
                fatigue.append((x, _y_rating(day.fatigue)))
        label_x = x0 + band / 2
        if week.adherence is None:
            body.append(
                f'<text x="{label_x:.1f}" y="{TOP + PLOT_H - 6}" text-anchor="middle">'
                f"{NO_FIGURE}</text>"
            )
        else:
            y = _y_percent(min(week.adherence, 1.0))
            body.append(
                f'<rect x="{x0 + band * 0.2:.1f}" y="{y:.1f}" width="{band * 0.6:.1f}" '
                f'height="{TOP + PLOT_H - y:.1f}" fill="currentColor" fill-opacity="0.35" '
                'stroke="currentColor"/>'
            )
            body.append(
                f'<text x="{label_x:.1f}" y="{y - 5:.1f}" text-anchor="middle">'
                f"{escape(percent_text(week))}</text>"
            )
        for number, day in week.versions:
            x = x0 + day.weekday() * day_w
            body.append(
                f'<line x1="{x:.1f}" y1="{TOP - 8}" x2="{x:.1f}" y2="{TOP + PLOT_H}" '
                'stroke="currentColor" stroke-width="2" stroke-dasharray="2 3"/>'
                f'<text x="{x + 3:.1f}" y="{TOP - 10}">v{number}</text>'
            )
        body.append(
            f'<text x="{label_x:.1f}" y="{TOP + PLOT_H + 18}" text-anchor="middle">'
            f"{short_date(week.monday)}</text>"
        )
    body += _line(pain, dashed=False) + _line(fatigue, dashed=True)
    body.append(_legend())
    svg = (
        f'<svg class="therapy-chart" viewBox="0 0 {WIDTH} {HEIGHT}" role="img" '
        f'aria-labelledby="{ident}-title {ident}-desc" font-size="12" fill="currentColor" '
        'xmlns="http://www.w3.org/2000/svg">'
        f'<title id="{ident}-title">{escape(title)}</title>'
        f'<desc id="{ident}-desc">{escape(describe(ordered))}</desc>'
        '<defs><pattern id="therapy-paused" width="8" height="8" patternUnits="userSpaceOnUse" '
        'patternTransform="rotate(45)"><line x1="0" y1="0" x2="0" y2="8" '
        'stroke="currentColor" stroke-width="2" stroke-opacity="0.5"/></pattern></defs>'
        + "".join(body)
        + "</svg>"
    )
    # Only numbers and fixed words are written unescaped; the two texts are escaped above.
    return Markup(svg)  # noqa: S704 - every piece of text above was escaped
