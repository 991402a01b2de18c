"""Template globals and filters shared by every page."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

from flask import Flask
from flask_login import current_user

from .ui import nav_items, page_sections


def local_time(value: datetime | None, fmt: str = "%-d %b %Y, %H:%M") -> str:
    """Format an instant in the signed-in user's time zone."""
    if value is None:
        return ""
    zone = "UTC"
    if current_user and current_user.is_authenticated:
        zone = current_user.time_zone or "UTC"
    try:
        local = value.astimezone(ZoneInfo(zone))
    except (KeyError, ValueError):
        local = value
    return local.strftime(fmt) + ("" if zone != "UTC" else " UTC")


def init_templating(app: Flask) -> None:
    app.jinja_env.globals.update(nav_items=nav_items, page_sections=page_sections)
    app.jinja_env.filters["local_time"] = local_time
    # Escape everything except plain-text emails, where "&amp;" would reach the reader as is.
    app.jinja_env.autoescape = lambda name: not (name or "").endswith(".txt")
