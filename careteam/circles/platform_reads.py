"""What the plugin platform reads of circles, handed to it when the app is set up.

The platform sits below this package and imports none of its models
(:mod:`careteam.plugins.circle_reads`): it names a circle by its public id in event payloads,
and hands permission hooks the circle a membership belongs to; removing a plugin for good
clears the settings each circle saved for it.
"""

from __future__ import annotations

from sqlalchemy import select, update

from ..extensions import db
from .models import Circle


def circle_public_id(circle_id: int) -> str:
    """Return the circle's public id, or "" for a circle that no longer exists."""
    return db.session.scalar(select(Circle.public_id).where(Circle.id == circle_id)) or ""


def circle_by_id(circle_id: int) -> Circle | None:
    return db.session.get(Circle, circle_id)


def forget_plugin_settings(plugin: str) -> int:
    """Delete ``plugin``'s saved settings from every circle (the caller commits); return how
    many circles had some."""
    changed = 0
    for circle_id, settings in db.session.execute(select(Circle.id, Circle.settings)):
        saved = dict((settings or {}).get("plugins") or {})
        if plugin not in saved:
            continue
        del saved[plugin]
        db.session.execute(
            update(Circle)
            .where(Circle.id == circle_id)
            .values(settings={**settings, "plugins": saved})
        )
        changed += 1
    return changed
