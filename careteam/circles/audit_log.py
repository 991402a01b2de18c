"""The circle's audit log as people read it: who did what, when; filters; newest first.

Pages are keyset-paginated by event id, and a page costs the same few queries however long the
log is: the filter choices (two) and the page itself, with the names it mentions (one).
Features name their own actions with :func:`careteam.registries.register_action_label`.

A row about an object with an audience is shown only to readers who may see that object, by the
feed's rule (:func:`careteam.audience.visible_clause` on the row's stamp), in SQL: pages stay
full, and the filter lists name no person or action found only in rows the reader may not see.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from flask import Flask
from sqlalchemy import ColumnElement, Integer, Row, Select, bindparam, or_, select, union_all
from sqlalchemy.orm import aliased

from ..audience import visible_clause
from ..audit import AuditEvent
from ..auth.models import User
from ..db.prebuilt import prebuilt
from ..extensions import db
from ..registries import action_label, register_action_label
from ..roles import ROLE_LABELS, Role

PAGE_SIZE = 50
RECENT_ACTIVITY = 8

CORE_ACTION_LABELS: dict[str, str] = {
    "circle.created": "Created the circle",
    "circle.updated": "Changed the circle's settings",
    "circle.archived": "Archived the circle",
    "circle.restored": "Restored the circle",
    "member.joined": "Joined the circle",
    "member.role_changed": "Changed a role",
    "member.left": "Left the circle",
    "member.removed": "Removed a member",
}

# What every member may see on the circle's home page: comings, goings and roles, never what
# anyone read or wrote (those stay in the audit log for coordinators and the care recipient).
PUBLIC_ACTIVITY = ("circle.created", "member.joined", "member.role_changed", "member.left")

FIELD_LABELS = {"name": "name", "description": "description", "time_zone": "time zone"}


def init_audit_labels(app: Flask) -> None:
    for action, label in CORE_ACTION_LABELS.items():
        register_action_label(app, action, label)


class BadCursor(ValueError):
    """The page cursor in the URL was not one we made."""


@dataclass(frozen=True)
class AuditEntry:
    event: Row[Any]
    summary: str


@dataclass(frozen=True)
class AuditPage:
    entries: list[AuditEntry]
    next_cursor: str | None


def readable_by(viewer: Any) -> ColumnElement[bool]:
    """Return the condition on audit rows that ``viewer`` (a membership) may read: rows about
    nothing with an audience, and rows whose object's audience includes the viewer."""
    return or_(
        AuditEvent.object_audience.is_(None),
        visible_clause(AuditEvent.object_audience, AuditEvent.object_author_id, viewer),
    )


def person_choices(circle_id: int, viewer: Any) -> list[Row[Any]]:
    """Return everyone who appears as an actor in the rows of the circle's log ``viewer`` may
    read (former members too)."""
    actors = (
        select(AuditEvent.actor_id)
        .where(AuditEvent.circle_id == circle_id, readable_by(viewer))
        .distinct()
    )
    stmt = (
        select(User.id, User.public_id, User.display_name)
        .where(User.id.in_(actors))
        .order_by(User.display_name, User.id)
    )
    return list(db.session.execute(stmt).all())


def action_choices(circle_id: int, viewer: Any) -> list[str]:
    """Return the actions in the rows of the circle's log ``viewer`` may read, sorted by their
    labels."""
    stmt = (
        select(AuditEvent.action)
        .where(AuditEvent.circle_id == circle_id, readable_by(viewer))
        .distinct()
    )
    return sorted(db.session.scalars(stmt), key=lambda a: (action_label(a).lower(), a))


def parse_cursor(cursor: str | None) -> int | None:
    if not cursor:
        return None
    if not cursor.isascii() or not cursor.isdigit() or len(cursor) > 18:
        raise BadCursor(cursor)
    return int(cursor)


# A module-level alias, like the mapped class it stands for: aliasing a class copies every
# column, work worth doing once rather than on every page that shows events.
_SUBJECT = aliased(User, name="subject_user")


def _events(circle_id: int) -> Select[Any]:
    # The person an event is about (details["user"], a public id) comes in the same query.
    subject = _SUBJECT
    return (
        select(
            AuditEvent.id,
            AuditEvent.occurred_at,
            AuditEvent.actor_id,
            AuditEvent.action,
            AuditEvent.object_type,
            AuditEvent.object_id,
            AuditEvent.details,
            User.display_name.label("actor_name"),
            User.public_id.label("actor_public_id"),
            subject.display_name.label("subject_name"),
        )
        .outerjoin(User, User.id == AuditEvent.actor_id)
        .outerjoin(subject, subject.public_id == AuditEvent.details["user"].as_string())
        .where(AuditEvent.circle_id == circle_id)
    )


def visible_ids(
    circle_id: int,
    viewer: Any,
    *,
    actor_id: int | None = None,
    action: str | None = None,
    before: int | None = None,
    limit: int = PAGE_SIZE + 1,
) -> Select[Any]:
    """Return the statement selecting the ids of one page of rows ``viewer`` may read.

    It reads only columns of the filter's index (circle, actor or action, id, and the audience
    stamp), so the database skips rows the viewer may not see without reading the table.
    """
    stmt = select(AuditEvent.id).where(AuditEvent.circle_id == circle_id, readable_by(viewer))
    if actor_id is not None:
        stmt = stmt.where(AuditEvent.actor_id == actor_id)
    if action:
        stmt = stmt.where(AuditEvent.action == action)
    if before is not None:
        stmt = stmt.where(AuditEvent.id < before)
    return stmt.order_by(AuditEvent.id.desc()).limit(limit)


def audit_page(
    circle_id: int,
    *,
    viewer: Any,
    actor_id: int | None = None,
    action: str | None = None,
    cursor: str | None = None,
    limit: int = PAGE_SIZE,
) -> AuditPage:
    """Return one page of the rows of the circle's log ``viewer`` (a membership) may read,
    newest first."""
    ids = visible_ids(
        circle_id,
        viewer,
        actor_id=actor_id,
        action=action,
        before=parse_cursor(cursor),
        limit=limit + 1,
    )
    stmt = _events(circle_id).where(AuditEvent.id.in_(ids)).order_by(AuditEvent.id.desc())
    rows = list(db.session.execute(stmt).all())
    next_cursor = None
    if len(rows) > limit:
        rows = rows[:limit]
        next_cursor = str(rows[-1].id)
    return AuditPage(entries=describe(rows), next_cursor=next_cursor)


def recent_activity(circle_id: int, limit: int = RECENT_ACTIVITY) -> list[AuditEntry]:
    """Return the newest events every member may see (joins, leaves, role changes)."""
    stmt = prebuilt(("recent activity", limit), lambda: _recent_activity_statement(limit))
    return describe(list(db.session.execute(stmt, {"circle_id": circle_id}).all()), public=True)


def _recent_activity_statement(limit: int) -> Any:
    """The circle home page's recent activity, the circle a parameter.  Prebuilt
    (:mod:`careteam.db.prebuilt`), like the other statements of the circle home page."""
    circle_id = bindparam("circle_id", type_=Integer)
    # Newest ids of each kind through (circle_id, action, id), then the newest of those: with a
    # plain IN, both databases walked the circle's whole log backwards past thousands of note
    # views to find five joins.
    per_kind = [
        select(
            select(AuditEvent.id)
            .where(AuditEvent.circle_id == circle_id, AuditEvent.action == action)
            .order_by(AuditEvent.id.desc())
            .limit(limit)
            .subquery()
            .c.id
        )
        for action in PUBLIC_ACTIVITY
    ]
    newest = select(union_all(*per_kind).subquery().c.id)
    return (
        _events(circle_id)
        .where(AuditEvent.id.in_(newest))
        .order_by(AuditEvent.id.desc())
        .limit(limit)
    )


# --- sentences -------------------------------------------------------------------------------


def _subject_names(rows: list[Row[Any]]) -> dict[str, str]:
    """Return the names of the people the events are about (by user public id)."""
    return {
        str(row.details.get("user")): row.subject_name
        for row in rows
        if isinstance(row.details, dict) and row.details.get("user") and row.subject_name
    }


def _role(value: Any) -> str:
    try:
        return ROLE_LABELS[Role(str(value))].lower()
    except ValueError:
        return str(value)


def describe(rows: list[Row[Any]], *, public: bool = False) -> list[AuditEntry]:
    """Turn event rows into plain sentences (names are escaped by the templates)."""
    names = _subject_names(rows)
    return [AuditEntry(row, _sentence(row, names, public)) for row in rows]


def _sentence(row: Row[Any], names: dict[str, str], public: bool) -> str:
    actor = row.actor_name or ("Someone" if row.actor_id is None else "A former member")
    details = row.details if isinstance(row.details, dict) else {}
    subject = names.get(str(details.get("user", "")), "a former member")
    action = row.action
    if action == "circle.created":
        return f"{actor} created the circle."
    if action == "member.joined":
        via = " through an invitation" if details.get("via") == "invitation" else ""
        return f"{subject[:1].upper() + subject[1:]} joined as {_role(details.get('role'))}{via}."
    if action == "member.role_changed":
        own = row.actor_public_id and details.get("user") == row.actor_public_id
        whose = "their own" if own else f"{subject}'s"
        return (
            f"{actor} changed {whose} role from {_role(details.get('from'))} "
            f"to {_role(details.get('to'))}."
        )
    if action == "member.left":
        return f"{subject[:1].upper() + subject[1:]} left the circle."
    if public:
        return action_label(action)
    if action == "member.removed":
        return f"{actor} removed {subject} ({_role(details.get('role'))}) from the circle."
    if action == "circle.updated":
        fields = [FIELD_LABELS.get(str(f), str(f)) for f in details.get("changed", [])]
        return f"{actor} changed the circle's {', '.join(fields) or 'settings'}."
    if action in ("circle.archived", "circle.restored"):
        return f"{actor} {action.split('.')[1]} the circle."
    label = action_label(action)
    target = f" ({row.object_type} {row.object_id})" if row.object_type and row.object_id else ""
    return f"{actor}: {label}{target}."
