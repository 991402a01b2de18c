"""Secret calendar feed URLs: one per person for every circle, and one per person per circle.

The secret travels in the URL path (calendar apps cannot send cookies or headers) and is stored
only as a hash.  Making a new link replaces the hash, so the old URL stops working at once.
A feed shows exactly what its owner may see today: it is built from their current memberships
and each circle's audience rules on every fetch.
"""

from __future__ import annotations

import re
from datetime import timedelta
from typing import Any

from sqlalchemy import select

from .. import audit
from ..circles.models import Circle, Membership
from ..clock import utcnow
from ..extensions import db
from ..tokens import new_token, token_hash
from .ical import FeedEntry, build_calendar
from .models import Appointment, CalendarFeed, FeedDetail
from .queries import changes_for, display_names, visible

_SECRET = re.compile(r"[A-Za-z0-9_-]{32,64}")
# Appointments that ended longer ago than this are left out of feeds.
FEED_HISTORY = timedelta(days=365)
# Plugins are asked for their items up to this far ahead.
FEED_FUTURE = timedelta(days=366)


def feed_of(user_id: int, circle_id: int | None) -> CalendarFeed | None:
    """Return the person's feed for one circle (or for every circle when ``circle_id`` is None)."""
    stmt = select(CalendarFeed).where(CalendarFeed.user_id == user_id)
    if circle_id is None:
        stmt = stmt.where(CalendarFeed.circle_id.is_(None))
    else:
        stmt = stmt.where(CalendarFeed.circle_id == circle_id)
    return db.session.scalar(stmt.order_by(CalendarFeed.id))


def _record(action: str, feed: CalendarFeed, **details: Any) -> None:
    audit.record(
        action,
        circle_id=feed.circle_id,
        object_type="calendar_feed",
        object_id=feed.public_id,
        actor_id=feed.user_id,
        details=details,
    )


def issue_secret(user_id: int, circle_id: int | None, detail: str) -> tuple[CalendarFeed, str]:
    """Create the feed, or give it a new secret (revoking the old URL); return the new secret."""
    detail = FeedDetail(detail).value
    secret = new_token()
    feed = feed_of(user_id, circle_id)
    if feed is None:
        feed = CalendarFeed(
            user_id=user_id, circle_id=circle_id, secret_hash=token_hash(secret), detail=detail
        )
        db.session.add(feed)
        db.session.flush()
        _record("calendar_feed.created", feed, detail=detail)
    else:
        feed.secret_hash = token_hash(secret)
        feed.detail = detail
        feed.created_at = utcnow()
        _record("calendar_feed.regenerated", feed, detail=detail)
    return feed, secret


def set_detail(feed: CalendarFeed, detail: str) -> None:
    """Change what the feed shows; its URL stays the same."""
    detail = FeedDetail(detail).value
    if feed.detail != detail:
        feed.detail = detail
        _record("calendar_feed.detail_changed", feed, detail=detail)


def revoke(feed: CalendarFeed) -> None:
    """Turn the feed off: its URL stops working."""
    _record("calendar_feed.revoked", feed)
    db.session.delete(feed)


def find_by_secret(secret: str) -> CalendarFeed | None:
    if not _SECRET.fullmatch(secret or ""):
        return None
    return db.session.scalar(
        select(CalendarFeed).where(CalendarFeed.secret_hash == token_hash(secret))
    )


def feed_url(secret: str) -> str:
    """Return the subscription address (from BASE_URL, never the Host header)."""
    from ..auth.service import external_url

    return external_url("calendar.feed", secret=secret)


def _memberships(feed: CalendarFeed) -> list[tuple[Membership, Circle]]:
    stmt = (
        select(Membership, Circle)
        .join(Circle, Circle.id == Membership.circle_id)
        .where(Membership.user_id == feed.user_id)
    )
    if feed.circle_id is not None:
        stmt = stmt.where(Membership.circle_id == feed.circle_id)
    return [(m, c) for m, c in db.session.execute(stmt.order_by(Circle.name, Circle.id))]


def feed_entries(feed: CalendarFeed, *, with_urls: bool = True) -> list[FeedEntry]:
    """Return what the feed's owner may see now, in every circle the feed covers."""
    since = utcnow() - FEED_HISTORY
    found: list[tuple[Appointment, Circle]] = []
    for membership, circle in _memberships(feed):
        rows = db.session.scalars(
            select(Appointment)
            .where(
                Appointment.circle_id == circle.id,
                visible(membership),
                (Appointment.series_ends_at.is_(None)) | (Appointment.series_ends_at > since),
            )
            .order_by(Appointment.starts_at, Appointment.id)
        )
        found += [(a, circle) for a in rows]
    changes = changes_for(a.id for a, _ in found)
    names = display_names(a.organiser_id for a, _ in found)
    entries = []
    for appointment, circle in found:
        url = None
        if with_urls:
            url = appointment_url(circle, appointment)
        entries.append(
            FeedEntry(
                appointment,
                changes[appointment.id],
                circle.name,
                url=url,
                organiser=names.get(appointment.organiser_id or 0),
            )
        )
    return entries


def appointment_url(circle: Circle, appointment: Appointment) -> str:
    from ..auth.service import external_url

    return external_url(
        "appointments.detail", circle_id=circle.public_id, appointment_id=appointment.public_id
    )


def render_feed(feed: CalendarFeed) -> bytes:
    """Return the feed's iCalendar text."""
    entries = feed_entries(feed, with_urls=feed.detail == FeedDetail.FULL)
    if feed.circle_id is None:
        name = "CareTeam"
    else:
        circle = db.session.get(Circle, feed.circle_id)
        name = (
            f"CareTeam \u00b7 {circle.name}"
            if circle and feed.detail != FeedDetail.BUSY
            else "CareTeam"
        )
    return build_calendar(entries, feed.detail, name, extra_events=_plugin_events(feed))


def _plugin_events(feed: CalendarFeed) -> list[Any]:
    """Return the VEVENTs that plugins add for the circles this feed covers."""
    from ..plugins.calendar import HOOK, calendar_items, ical_event
    from ..plugins.enablement import plugin_host

    if not plugin_host().implements(HOOK):
        return []  # no extra query for sites whose plugins add nothing to calendars
    now = utcnow()
    items = calendar_items(_memberships(feed), now - FEED_HISTORY, now + FEED_FUTURE)
    return [ical_event(plugin, circle, item, feed.detail) for plugin, circle, item in items]
