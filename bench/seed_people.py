"""Seeder phase: people, circles, memberships in all six roles, and plugin switches.

Rows are what ``create_circle`` / ``add_member`` / ``set_enabled`` would write, audit rows
included, but inserted in bulk.  Circle 1 is the busy circle, circle 2 the calendar circle.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from careteam.audit import AuditEvent, check_audience
from careteam.auth.models import User
from careteam.circles.models import Circle, Membership
from careteam.db.types import new_public_id
from careteam.plugins.enablement import plugin_host
from careteam.plugins.models import CirclePlugin
from careteam.roles import Role

from . import corpus
from .seed_world import CircleInfo, Member, World

BENCH_EMAIL = "bench@example.org"

# Roles of the ordinary members after the care recipient and the first coordinator.
_OTHER_ROLES = (
    Role.FAMILY, Role.FAMILY, Role.CAREGIVER, Role.SUPPORTER, Role.SUPPORTER, Role.COORDINATOR,
)  # fmt: skip
_BUSY_ROLES = (
    [Role.CARE_RECIPIENT, Role.COORDINATOR]
    + [Role.FAMILY] * 3
    + [Role.CAREGIVER] * 3
    + [Role.THERAPIST] * 2
)


def audit_row(
    world: World,
    action: str,
    when: Any,
    *,
    circle_id: int | None,
    object_type: str,
    object_id: str,
    actor_id: int | None,
    details: dict[str, Any] | None = None,
    object_audience: str | None = None,
    object_author_id: int | None = None,
) -> dict[str, Any]:
    """Return the audit row :func:`careteam.audit.record` would add outside a request."""
    check_audience(object_type, object_audience)
    return {
        "occurred_at": when,
        "actor_id": actor_id,
        "circle_id": circle_id,
        "action": action,
        "object_type": object_type,
        "object_id": object_id,
        "ip_address": "",
        "request_id": "",
        "details": details or {},
        "object_audience": object_audience,
        "object_author_id": object_author_id if object_audience is not None else None,
    }


def seed_users(world: World) -> None:
    """Make every account: verified, one shared password hash, spread over three years."""
    scale = world.scale
    rows = []
    world.progress.phase("users", scale.users)
    # Accounts (and so circles) predate the three years of notes.
    start = world.now - timedelta(days=3 * 365 + 60)
    for n in range(scale.users):
        user_id = world.new_id(User.__table__)
        if n == 0:
            email, name = BENCH_EMAIL, "Bench Coordinator"
        else:
            email, name = f"member{n:06d}@example.org", corpus.person_name(world.rng)
        created = start + timedelta(seconds=world.rng.randrange(30 * 86400))
        row = {
            "id": user_id,
            "public_id": new_public_id(),
            "email": email,
            "display_name": name,
            "password_hash": world.password_hash,
            "email_verified_at": created,
            "time_zone": world.rng.choice(corpus.TIME_ZONES),
            "email_reminders": True,
            "email_activity": True,
            "active": True,
            "is_site_admin": False,
            "created_at": created,
        }
        rows.append(row)
        world.users[user_id] = row
    world.insert(User.__table__, rows, progress=True)
    world.progress.end_phase()


def _plan_members(world: World) -> list[list[tuple[int, Role]]]:
    """Decide who is in which circle with which role; every user ends up somewhere."""
    scale, rng = world.scale, world.rng
    user_ids = list(world.users)[1:]  # the bench user is placed by hand
    therapists = user_ids[: max(2, len(user_ids) // 50)]
    pool = user_ids[len(therapists) :]
    cursor = 0

    def take() -> int:
        nonlocal cursor
        user_id = pool[cursor % len(pool)]
        cursor += 1
        return user_id

    bench = next(iter(world.users))
    plans: list[list[tuple[int, Role]]] = []
    for index in range(scale.circles):
        if index == 0:  # the busy circle: every role, many supporters
            roles = _BUSY_ROLES + [Role.SUPPORTER] * scale.busy_supporters
            members = [(bench, Role.COORDINATOR)] + [(take(), role) for role in roles]
        else:
            size = rng.randint(3, 7)
            roles = [Role.CARE_RECIPIENT, Role.COORDINATOR]
            roles += [rng.choice(_OTHER_ROLES) for _ in range(size - 2)]
            members = [(take(), role) for role in roles]
            if rng.random() < 0.6:
                members.append((rng.choice(therapists), Role.THERAPIST))
            if index == 1:  # the calendar circle: the bench user is family there
                members.append((bench, Role.FAMILY))
        seen: set[int] = set()
        unique = []
        for user_id, role in members:
            if user_id not in seen:
                seen.add(user_id)
                unique.append((user_id, role))
        plans.append(unique)
    return plans


def seed_circles(world: World) -> None:
    """Create the circles, their members and their plugin switches."""
    scale, rng = world.scale, world.rng
    plans = _plan_members(world)
    world.progress.phase("circles", scale.circles)
    circles, memberships, switches, audits = [], [], [], []
    defaults = {name for name, p in plugin_host().plugins.items() if p.manifest.enabled_by_default}
    for index, plan in enumerate(plans):
        creator = next(user_id for user_id, role in plan if role == Role.COORDINATOR)
        recipient = next((u for u, r in plan if r == Role.CARE_RECIPIENT), creator)
        first_name = world.users[recipient]["display_name"].split()[0]
        name = {0: "Busy circle", 1: "Calendar circle"}.get(index, f"{first_name}'s circle")
        created = world.users[creator]["created_at"] + timedelta(hours=rng.randint(1, 400))
        info = CircleInfo(
            id=world.new_id(Circle.__table__),
            public_id=new_public_id(),
            name=name,
            time_zone=rng.choice(corpus.TIME_ZONES),
            created_at=created,
            creator_id=creator,
        )
        circles.append(
            {
                "id": info.id,
                "public_id": info.public_id,
                "name": name,
                "description": f"{first_name} lives with multiple sclerosis at home.",
                "time_zone": info.time_zone,
                "created_at": created,
                "created_by_id": creator,
                "archived_at": None,
                "settings": {},
            }
        )
        audits.append(
            audit_row(
                world, "circle.created", created, circle_id=info.id, object_type="circle",
                object_id=info.public_id, actor_id=creator,
            )
        )  # fmt: skip
        for plugin in world.plugins:
            switches.append(
                {
                    "circle_id": info.id,
                    "plugin": plugin,
                    "enabled": True,
                    "changed_at": created,
                    "changed_by_id": creator,
                }
            )
            if plugin not in defaults:  # switched on by a coordinator: set_enabled audits it
                audits.append(
                    audit_row(
                        world, "plugin.enabled", created, circle_id=info.id,
                        object_type="plugin", object_id=plugin, actor_id=creator,
                    )
                )  # fmt: skip
        for user_id, role in plan:
            member = Member(world.new_id(Membership.__table__), user_id, str(role))
            joined = created if user_id == creator else created + timedelta(days=rng.randint(0, 90))
            public_id = new_public_id()
            memberships.append(
                {
                    "id": member.membership_id,
                    "public_id": public_id,
                    "circle_id": info.id,
                    "user_id": user_id,
                    "role": str(role),
                    "joined_at": joined,
                }
            )
            audits.append(
                audit_row(
                    world, "member.joined", joined, circle_id=info.id, object_type="membership",
                    object_id=public_id, actor_id=None,
                    details={
                        "role": str(role),
                        "via": "created" if user_id == creator else "invitation",
                        "user": world.users[user_id]["public_id"],
                    },
                )
            )  # fmt: skip
            info.members.append(member)
        world.circles.append(info)
        world.progress.advance()
    world.insert(Circle.__table__, circles)
    world.insert(Membership.__table__, memberships)
    world.insert(CirclePlugin.__table__, switches)
    world.insert(AuditEvent.__table__, audits)
    world.progress.end_phase()


def role_emails(world: World) -> dict[str, str]:
    """Return one busy-circle member's email per role (the bench user is the coordinator)."""
    found = {}
    for member in world.busy.members:
        found.setdefault(member.role, world.users[member.user_id]["email"])
    return found
