"""The progress page of a programme: weekly adherence, pain and fatigue, chart and table."""

from __future__ import annotations

import re
from datetime import date
from typing import Any

from flask import abort, render_template, request

from careteam.api import circle_zone, record_view, utcnow

from .chart import adherence_svg, long_date, percent_text, short_date
from .progress import progress_page
from .views import bp, programme_or_404

# A keyset value is a plain ISO date; date.fromisoformat alone would also take week dates and
# compact forms, which no link of ours makes.
ISO_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")


def parse_monday(text: str | None) -> date | None:
    """The Monday named by ``before=``: None when absent; 404 for anything but a Monday."""
    if text is None:
        return None
    if not ISO_DATE.fullmatch(text):
        abort(404)
    try:
        day = date.fromisoformat(text)
    except ValueError:
        abort(404)
    if day.weekday() != 0:
        abort(404)
    return day


@bp.circle_route("/<programme_id>/progress", capability="therapy.view")
def progress(circle: Any, membership: Any, programme_id: str):
    """Show a programme's weeks, newest first, twelve to a page, older ones by keyset."""
    before = parse_monday(request.args.get("before"))
    programme = programme_or_404(circle, programme_id)
    today = utcnow().astimezone(circle_zone(circle)).date()
    page = progress_page(programme, today, before)
    html = render_template(
        "therapy/progress.html",
        circle=circle,
        programme=programme,
        page=page,
        chart=adherence_svg(page.weeks, f"Progress of {programme.title}") if page.weeks else "",
        percent_text=percent_text,
        short_date=short_date,
        long_date=long_date,
    )
    record_view(
        "therapy.progress_viewed", circle, object_type="programme", object_id=programme.public_id
    )
    return html
