"""Secret calendar feed URLs: one per person for every circle, and one per person per circle.

The secret travels in the URL path (calendar apps cannot send cookies or headers) and is stored
only as a hash.  Making a new link replaces the hash, so the old URL stops working at once.
A feed shows exactly what its owner may see today: it is built from their current memberships
and each circle's audience rules on every fetch.
"""

from __future__ import annotations

import re
from typing import Any

from sqlalchemy import select

from .. import audit
from ..appointments.models import FeedDetail
from ..auth.service import external_url
from ..db.clock import utcnow
from ..db.tokens import new_token, token_hash
from ..extensions import db
from . import content
from .models import CalendarFeed

_SECRET = re.compile(r"[A-Za-z0-9_-]{32,64}")


def feed_of(user_id: int, circle_id: int | None) -> CalendarFeed | None:
    """Return the person's feed for one circle (or for every circle when ``circle_id`` is None)."""
    stmt = select(CalendarFeed).where(CalendarFeed.user_id == user_id)
    if circle_id is None:
        stmt = stmt.where(CalendarFeed.circle_id.is_(None))
    else:
        stmt = stmt.where(CalendarFeed.circle_id == circle_id)
    return db.session.scalar(stmt.order_by(CalendarFeed.id))


def _record(action: str, feed: CalendarFeed, **details: Any) -> None:
    audit.record(action, actor_id=feed.user_id, details=details, **feed.audit_subject)


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
    return external_url("calendar.feed", secret=secret)


def render_feed(feed: CalendarFeed) -> bytes:
    """Return the feed's iCalendar text."""
    return content.load(feed).render()
