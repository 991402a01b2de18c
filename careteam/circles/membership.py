"""Membership rules: who joins, who changes roles, who may leave.

- The last coordinator cannot leave or be demoted (a circle always has someone to run it).
- The care recipient's own place is theirs alone: nobody else may remove them or change their
  role.
Each function records an audit row in the caller's transaction; the caller commits.
"""

from __future__ import annotations

from sqlalchemy import func, select

from .. import audit
from ..auth.models import User
from ..extensions import db
from ..plugins.events import emit
from ..roles import Role
from .models import Circle, Membership


class MembershipError(ValueError):
    """A membership rule refused the change; the message is for the person who asked."""


def membership_of(circle_id: int, user_id: int) -> Membership | None:
    return db.session.scalar(
        select(Membership).where(Membership.circle_id == circle_id, Membership.user_id == user_id)
    )


def coordinator_count(circle_id: int) -> int:
    return (
        db.session.scalar(
            select(func.count())
            .select_from(Membership)
            .where(Membership.circle_id == circle_id, Membership.role == Role.COORDINATOR)
        )
        or 0
    )


def add_member(circle: Circle, user: User, role: Role | str, *, via: str = "direct") -> Membership:
    """Put ``user`` into ``circle`` with ``role``; an existing member keeps their place."""
    role = Role(role)
    existing = membership_of(circle.id, user.id)
    if existing is not None:
        return existing
    member = Membership(circle_id=circle.id, user_id=user.id, role=role)
    db.session.add(member)
    db.session.flush()
    audit.record(
        "member.joined",
        details={"role": str(role), "via": via, "user": user.public_id},
        **member.audit_subject,
    )
    emit("member_joined", member.audit_subject, None, {"role": str(role), "user": user.public_id})
    return member


def change_role(
    circle: Circle, actor: Membership, member: Membership, new_role: Role | str
) -> None:
    """Change a member's role, keeping at least one coordinator and the recipient's autonomy."""
    new_role = Role(new_role)
    if member.role == new_role:
        return
    lock_circle(circle.id)
    if member.role == Role.CARE_RECIPIENT and actor.id != member.id:
        raise MembershipError("Only the care recipient can change their own role.")
    if new_role == Role.CARE_RECIPIENT and has_care_recipient(circle.id, other_than=member.id):
        raise MembershipError("This circle already has a care recipient.")
    if member.role == Role.COORDINATOR and coordinator_count(circle.id) <= 1:
        raise MembershipError(
            "This is the circle's only coordinator. Make someone else a coordinator first."
        )
    old_role = member.role
    member.role = new_role
    details = {"from": str(old_role), "to": str(new_role), "user": _user_public_id(member)}
    audit.record("member.role_changed", details=details, **member.audit_subject)
    emit("member_role_changed", member.audit_subject, actor.user_id, details)


def remove_member(circle: Circle, actor: Membership, member: Membership) -> None:
    """Remove someone from the circle (or let them leave when ``actor`` is ``member``)."""
    leaving = actor.id == member.id
    lock_circle(circle.id)
    if member.role == Role.CARE_RECIPIENT and not leaving:
        raise MembershipError("Only the care recipient can remove themselves from the circle.")
    if member.role == Role.COORDINATOR and coordinator_count(circle.id) <= 1:
        raise MembershipError(
            "The circle's only coordinator cannot leave. Make someone else a coordinator first."
        )
    details = {"role": str(member.role), "user": _user_public_id(member)}
    audit.record(
        "member.left" if leaving else "member.removed", details=details, **member.audit_subject
    )
    emit("member_left", member.audit_subject, actor.user_id, {**details, "removed": not leaving})
    db.session.delete(member)


def lock_circle(circle_id: int) -> None:
    """Queue changes to one circle's members, roles and settings behind each other.

    Two coordinators demoting each other at once must not leave the circle with none, and two
    saves of the circle's settings must not lose one another: on PostgreSQL the row lock queues
    them per circle (SQLite's BEGIN IMMEDIATE already serialises writers, and FOR UPDATE renders
    as nothing there).
    """
    db.session.execute(select(Circle.id).where(Circle.id == circle_id).with_for_update())


def _user_public_id(member: Membership) -> str:
    # Audit rows name the person by public id: it outlives the membership row it describes.
    return db.session.scalar(select(User.public_id).where(User.id == member.user_id)) or ""


def has_care_recipient(circle_id: int, other_than: int | None = None) -> bool:
    """Return whether the circle has a care recipient (other than membership ``other_than``)."""
    stmt = select(Membership.id).where(
        Membership.circle_id == circle_id, Membership.role == Role.CARE_RECIPIENT
    )
    if other_than is not None:
        stmt = stmt.where(Membership.id != other_than)
    return db.session.scalar(stmt.limit(1)) is not None


def circles_where_last_coordinator(user_id: int) -> list[Circle]:
    """Return circles that would be left without a coordinator if ``user_id`` went away."""
    mine = select(Membership.circle_id).where(
        Membership.user_id == user_id, Membership.role == Role.COORDINATOR
    )
    counts = (
        select(Membership.circle_id)
        .where(Membership.circle_id.in_(mine), Membership.role == Role.COORDINATOR)
        .group_by(Membership.circle_id)
        .having(func.count() == 1)
    )
    return list(db.session.scalars(select(Circle).where(Circle.id.in_(counts))))
