"""Problems: "needs attention" answers, open until someone says what was done."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select

from careteam.api import Circle, db, display_name_of, record_audit, require, utcnow

from .models import CheckItem, Device, Problem


def get_problem(circle: Circle, public_id: str) -> Problem | None:
    return db.session.scalar(
        select(Problem).where(Problem.circle_id == circle.id, Problem.public_id == public_id)
    )


def resolve_problem(problem: Problem, membership: Any, resolution: str) -> bool:
    """Close a problem, saying what was done; False if it was closed already."""
    require(membership, "devices.check")
    if problem.resolved_at is not None:
        return False
    problem.resolved_at = utcnow()
    problem.resolved_by_id = membership.user_id
    problem.resolution = resolution
    circle = db.session.get(Circle, problem.circle_id)
    record_audit(
        "devices.problem_resolved",
        circle,
        object_type="problem",
        object_id=problem.public_id,
        actor_id=membership.user_id,
    )
    return True


def open_problems(
    circle: Circle, device: Device | None = None, limit: int | None = None
) -> list[Any]:
    """Return open problems (newest first) with the item, the device and who found it."""
    stmt = (
        select(
            Problem.public_id,
            Problem.opened_at,
            Problem.opened_by_id,
            display_name_of(Problem.opened_by_id).label("opened_by"),
            CheckItem.text,
            CheckItem.comment,
            Device.public_id.label("device_id"),
            Device.name.label("device_name"),
        )
        .join(CheckItem, CheckItem.id == Problem.check_item_id)
        .join(Device, Device.id == Problem.device_id)
        .where(Problem.circle_id == circle.id, Problem.resolved_at.is_(None))
        .order_by(Problem.id.desc())
    )
    if device is not None:
        stmt = stmt.where(Problem.device_id == device.id)
    if limit is not None:
        stmt = stmt.limit(limit)
    return [dict(r._mapping, opened_by=r.opened_by or "") for r in db.session.execute(stmt)]


def problem_row(problem: Problem) -> Any:
    """Return the item, comment and device a problem was found on (open or resolved)."""
    return (
        db.session.execute(
            select(
                CheckItem.text,
                CheckItem.comment,
                Device.public_id.label("device_id"),
                Device.name.label("device_name"),
            )
            .join(Device, Device.id == CheckItem.device_id)
            .where(CheckItem.id == problem.check_item_id)
        )
        .one()
        ._mapping
    )
