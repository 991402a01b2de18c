"""What the plugin platform reads of circles, handed to it when the app is set up.

The platform sits below this package and imports none of its models
(:mod:`careteam.plugins.circle_reads`): it names a circle by its public id in event payloads,
and hands permission hooks the circle a membership belongs to.
"""

from __future__ import annotations

from sqlalchemy import select

from ..extensions import db
from .models import Circle


def circle_public_id(circle_id: int) -> str:
    """Return the circle's public id, or "" for a circle that no longer exists."""
    return db.session.scalar(select(Circle.public_id).where(Circle.id == circle_id)) or ""


def circle_by_id(circle_id: int) -> Circle | None:
    return db.session.get(Circle, circle_id)
