"""Email reminders before appointments, and the plugins' lines in the same email.

:mod:`.preferences` keeps each member's choices, :mod:`.sending` finds what is due and sends it
(``careteam send-reminders``), :mod:`.plugin_lines` asks plugins for their lines, and
:mod:`.views` is the per-circle settings page.  The switch for all circles is on the person's
calendar page (:mod:`careteam.calendar_feeds.views`).
"""

from __future__ import annotations

from flask import Flask

from .views import bp


def init_reminders(app: Flask) -> None:
    """Register the reminder settings page."""
    app.register_blueprint(bp)
