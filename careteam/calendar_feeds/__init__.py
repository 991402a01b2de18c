"""Secret calendar feeds: a person's appointments as an iCalendar URL their calendar app fetches.

One link per person for every circle and one per person per circle, each showing what its owner
may see today.  :mod:`.service` makes and revokes the links, :mod:`.content` reads and writes a
feed (with the app's cache of written events), :mod:`.plugin_items` adds plugins' items, and
:mod:`.views` holds the settings pages and the feed itself.  The iCalendar writer it uses is the
calendar's own (:mod:`careteam.appointments.ical`), which the one-appointment download and the
circle export use too.
"""

from __future__ import annotations

from flask import Flask

from .content import init_event_cache
from .views import bp, calendar_bp


def init_calendar_feeds(app: Flask) -> None:
    """Register the feed pages and the feed, and give the app its cache of written events."""
    app.register_blueprint(bp)
    app.register_blueprint(calendar_bp)
    init_event_cache(app)
