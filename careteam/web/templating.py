"""Template globals and filters shared by every page."""

from __future__ import annotations

from datetime import UTC, datetime
from zoneinfo import ZoneInfo

from flask import Flask, g
from flask_login import current_user

from .links import repeated_url


def _reader_zone() -> ZoneInfo | None:
    """The signed-in user's zone (None for UTC or an unknown zone), looked up once a request:
    a feed page formats dozens of times and each ``current_user`` lookup goes through proxies."""
    if "_careteam_reader_zone" not in g:
        name = "UTC"
        if current_user and current_user.is_authenticated:
            name = current_user.time_zone or "UTC"
        try:
            zone = None if name == "UTC" else ZoneInfo(name)
        except (KeyError, ValueError):
            zone = None
        g._careteam_reader_zone = zone
    return g._careteam_reader_zone


def local_time(value: datetime | None, fmt: str = "%-d %b %Y, %H:%M") -> str:
    """Format an instant in the signed-in user's time zone."""
    if value is None:
        return ""
    zone = _reader_zone()
    if zone is None:
        return value.astimezone(UTC).strftime(fmt) + " UTC"
    return value.astimezone(zone).strftime(fmt)


def init_templating(app: Flask) -> None:
    app.jinja_env.globals.update(repeated_url=repeated_url)
    app.jinja_env.filters["local_time"] = local_time
    # Escape everything except plain-text emails, where "&amp;" would reach the reader as is.
    app.jinja_env.autoescape = lambda name: not (name or "").endswith(".txt")


def compile_templates(app: Flask) -> None:
    """Compile every template the app can render, core's and the plugins', ahead of use.

    A new web-server worker would otherwise compile each page's templates on its first
    requests, which shows as slow answers every time gunicorn replaces a worker.
    """
    for name in app.jinja_env.list_templates():
        app.jinja_env.get_template(name)
