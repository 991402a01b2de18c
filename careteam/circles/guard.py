"""What the circle guard reads: the circle, the reader's membership and its plugin switches.

:func:`careteam.permissions.require_capability` decides who may see a circle page but knows no
models (features import it, not the other way round), so the circles package hands it this
loader when the app is set up (:func:`careteam.permissions.use_membership_loader`).  One query
per circle page, after Flask-Login has read the session; the switches it brings are kept for
the request so :func:`careteam.plugins.enablement.enabled_plugins` does not ask again.
"""

from __future__ import annotations

from sqlalchemy import and_, select

from ..extensions import db
from ..plugins.enablement import remember_enabled
from ..plugins.models import CirclePlugin
from .models import Circle, Membership


def load_circle_membership(circle_public_id: str, user_id: int) -> tuple[Circle, Membership] | None:
    """Return the circle and ``user_id``'s membership of it, or None for an outsider."""
    switched_on = and_(CirclePlugin.circle_id == Circle.id, CirclePlugin.enabled.is_(True))
    rows = db.session.execute(
        select(Circle, Membership, CirclePlugin.plugin)
        .join(Membership, Membership.circle_id == Circle.id)
        .outerjoin(CirclePlugin, switched_on)
        .where(Circle.public_id == circle_public_id, Membership.user_id == user_id)
    ).all()
    if not rows:
        return None
    circle, membership = rows[0][0], rows[0][1]
    remember_enabled(circle.id, [row[2] for row in rows if row[2] is not None])
    return circle, membership
