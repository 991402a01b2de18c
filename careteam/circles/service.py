"""Circle rules and reads: create, edit, archive and restore; "my circles"; the member list.

Each change records its audit row in the caller's transaction; the caller commits.  The list
reads select only the columns their pages show and cost one query per page.
"""

from __future__ import annotations

import base64
import binascii
import json
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Row, func, literal, select, tuple_

from .. import audit
from ..auth.models import User
from ..db.clock import utcnow
from ..extensions import db
from ..plugins.enablement import enable_defaults
from ..plugins.events import emit
from ..registries import capability_table
from ..roles import Role
from .membership import add_member
from .models import Circle, Membership

MY_CIRCLES_PAGE = 25
# The circle fields people edit, in the order the settings form shows them.
EDITABLE_FIELDS = ("name", "description", "time_zone")


class CircleError(ValueError):
    """A circle rule refused the change; the message is for the person who asked."""


class BadCursor(ValueError):
    """The page cursor in the URL was not one we made."""


# --- changes ---------------------------------------------------------------------------------


def create_circle(creator: User, *, name: str, description: str = "", time_zone: str) -> Circle:
    """Create a circle with ``creator`` as its first coordinator."""
    circle = Circle(
        name=name,
        description=description,
        time_zone=time_zone,
        created_by_id=creator.id,
        settings={},
    )
    db.session.add(circle)
    db.session.flush()
    audit.record("circle.created", actor_id=creator.id, **circle.audit_subject)
    enable_defaults(circle, creator.id)
    emit("circle_created", circle.audit_subject, creator.id)
    add_member(circle, creator, Role.COORDINATOR, via="created")
    return circle


def update_circle(circle: Circle, actor: Membership, **values: str) -> list[str]:
    """Change the circle's name, description or time zone; return the fields that changed."""
    if circle.archived:
        raise CircleError("This circle is archived. Restore it before changing its settings.")
    changed = circle.set_changed(EDITABLE_FIELDS, values)
    if changed:
        # Field names only: what people typed stays in the circle, not in the audit trail.
        audit.record(
            "circle.updated",
            actor_id=actor.user_id,
            details={"changed": changed},
            **circle.audit_subject,
        )
    return changed


def archive_circle(circle: Circle, actor: Membership) -> None:
    """Make the circle read-only and take it off everyone's "my circles" list."""
    if circle.archived:
        return
    circle.archived_at = utcnow()
    audit.record("circle.archived", actor_id=actor.user_id, **circle.audit_subject)


def restore_circle(circle: Circle, actor: Membership) -> None:
    """Bring an archived circle back into use."""
    if not circle.archived:
        return
    circle.archived_at = None
    audit.record("circle.restored", actor_id=actor.user_id, **circle.audit_subject)


# --- "my circles" ----------------------------------------------------------------------------


@dataclass(frozen=True)
class CirclePage:
    rows: list[Row[Any]]
    next_cursor: str | None


def encode_cursor(name: str, circle_id: int) -> str:
    raw = json.dumps([name, circle_id]).encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def decode_cursor(cursor: str) -> tuple[str, int]:
    """Return (name, id) from a cursor, or raise :class:`BadCursor`."""
    try:
        raw = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4))
        name, circle_id = json.loads(raw)
    except (ValueError, TypeError, binascii.Error, UnicodeDecodeError) as error:
        raise BadCursor(cursor) from error
    # Only values a real circle can have: PostgreSQL refuses NUL in text and huge integers.
    if not isinstance(name, str) or "\x00" in name or len(name) > 200:
        raise BadCursor(cursor)
    if not isinstance(circle_id, int) or isinstance(circle_id, bool):
        raise BadCursor(cursor)
    if not 0 < circle_id < 2**31:
        raise BadCursor(cursor)
    return name, circle_id


def restoring_roles() -> list[str]:
    """Return the roles that may restore an archived circle (those that manage circles)."""
    return sorted(str(role) for role in capability_table()["circle.manage"].roles)


def circles_page(
    user_id: int, *, archived: bool = False, cursor: str | None = None, limit: int = MY_CIRCLES_PAGE
) -> CirclePage:
    """Return one page of the user's circles by name (archived ones: only those they restore)."""
    member_count = (
        select(func.count(Membership.id))
        .where(Membership.circle_id == Circle.id)
        .correlate(Circle)
        .scalar_subquery()
    )
    stmt = (
        select(
            Circle.id,
            Circle.public_id,
            Circle.name,
            Circle.archived_at,
            Membership.role,
            member_count.label("member_count"),
        )
        .join(Membership, Membership.circle_id == Circle.id)
        .where(Membership.user_id == user_id)
    )
    if archived:
        stmt = stmt.where(Circle.archived_at.is_not(None), Membership.role.in_(restoring_roles()))
    else:
        stmt = stmt.where(Circle.archived_at.is_(None))
    if cursor:
        name, circle_id = decode_cursor(cursor)
        stmt = stmt.where(
            tuple_(Circle.name, Circle.id) > tuple_(literal(name), literal(circle_id))
        )
    stmt = stmt.order_by(Circle.name, Circle.id).limit(limit + 1)
    rows = list(db.session.execute(stmt).all())
    next_cursor = None
    if len(rows) > limit:
        rows = rows[:limit]
        next_cursor = encode_cursor(rows[-1].name, rows[-1].id)
    return CirclePage(rows=rows, next_cursor=next_cursor)


def has_restorable_circles(user_id: int) -> bool:
    """Return whether the user could restore at least one archived circle."""
    stmt = (
        select(Circle.id)
        .join(Membership, Membership.circle_id == Circle.id)
        .where(
            Membership.user_id == user_id,
            Circle.archived_at.is_not(None),
            Membership.role.in_(restoring_roles()),
        )
        .limit(1)
    )
    return db.session.scalar(stmt) is not None


# --- members ---------------------------------------------------------------------------------


def members_of(circle: Circle) -> list[Row[Any]]:
    """Return the circle's members (membership public id, role, name) by role, then name."""
    stmt = (
        select(
            Membership.id,
            Membership.public_id,
            Membership.role,
            Membership.joined_at,
            Membership.user_id,
            User.display_name,
        )
        .join(User, User.id == Membership.user_id)
        .where(Membership.circle_id == circle.id)
        .order_by(User.display_name, Membership.id)
    )
    rows = list(db.session.execute(stmt).all())
    order = {role: index for index, role in enumerate(Role)}
    return sorted(rows, key=lambda r: order.get(r.role, len(order)))


def member_in_circle(circle: Circle, member_public_id: str) -> Membership | None:
    """Return the membership with this public id if it belongs to ``circle``."""
    return db.session.scalar(
        select(Membership).where(
            Membership.circle_id == circle.id, Membership.public_id == member_public_id
        )
    )


def display_name(user_id: int) -> str:
    return db.session.scalar(select(User.display_name).where(User.id == user_id)) or ""
