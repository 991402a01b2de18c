"""Reads across every circle one person belongs to (a therapist's caseload, a person's home page).

A page that lists a person's circles must not pay a query per circle: one statement reads the
circles, the person's memberships and each circle's plugin switches together, and the switches
are kept for the request (:func:`careteam.plugins.enablement.remember_enabled`), so the
per-circle checks that follow -- ``is_enabled``, capability checks with the plugins' veto --
ask the database nothing more.  Capabilities are answered by :func:`member_can` itself, so the
veto applies exactly as on the circle's own pages.
"""

from __future__ import annotations

from collections.abc import Iterable

from sqlalchemy import and_, insert, select

from .. import audit
from ..db.engine import short_write
from ..extensions import db
from ..permissions import member_can
from ..plugins.enablement import enabled_plugins, remember_enabled
from ..plugins.models import CirclePlugin
from .models import Circle, Membership


def memberships_of(
    user_id: int, *, capability: str | None = None, plugin: str | None = None
) -> list[tuple[Circle, Membership]]:
    """Return the person's (circle, membership) pairs, ordered by circle name, in one statement.

    Archived circles are left out: they are off the person's "My circles" too.  With ``plugin``,
    only circles where that plugin is loaded and switched on; with ``capability``, only those
    where the membership holds it (role table, then the plugins' veto).
    """
    switched_on = and_(CirclePlugin.circle_id == Circle.id, CirclePlugin.enabled.is_(True))
    rows = db.session.execute(
        select(Circle, Membership, CirclePlugin.plugin)
        .join(Membership, Membership.circle_id == Circle.id)
        .outerjoin(CirclePlugin, switched_on)
        .where(Membership.user_id == user_id, Circle.archived_at.is_(None))
    ).all()
    found: dict[int, tuple[Circle, Membership]] = {}
    plugins: dict[int, list[str]] = {}
    for circle, membership, name in rows:
        found.setdefault(circle.id, (circle, membership))
        names = plugins.setdefault(circle.id, [])
        if name is not None:
            names.append(name)
    for circle_id, names in plugins.items():
        remember_enabled(circle_id, names)
    # Sorted here rather than in SQL: the two databases collate names differently.
    pairs = sorted(found.values(), key=lambda pair: (pair[0].name.casefold(), pair[0].id))
    if plugin is not None:
        pairs = [pair for pair in pairs if plugin in enabled_plugins(pair[0].id)]
    if capability is not None:
        pairs = [pair for pair in pairs if member_can(pair[1], capability)]
    return pairs


def record_views(
    action: str, circle_ids: Iterable[int], *, object_type: str, object_id: str
) -> None:
    """Record that the signed-in person viewed something in each of these circles: one audit
    row per circle, one INSERT, in its own short transaction after the read (as
    :func:`careteam.audit.record_now`).  No circles, no statement."""
    rows = [
        audit.row_values(
            audit.new_event(
                action, circle_id=circle_id, object_type=object_type, object_id=object_id
            )
        )
        for circle_id in dict.fromkeys(circle_ids)
    ]
    if not rows:
        return
    with short_write() as conn:
        # Executemany, not one INSERT with the rows as VALUES: its compiled form is cached
        # whatever the number of circles (PostgreSQL still gets one multi-row INSERT).
        conn.execute(insert(audit.AuditEvent), rows)
