"""Test helpers for the notes feature: a circle with one member per role, and notes in it.

Used by CareTeam's own tests and available to plugin authors who test against notes.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from flask import Flask

from ..auth.models import User
from ..circles import testing as circles_testing
from ..circles.membership import add_member, membership_of
from ..circles.models import Circle
from ..circles.testing import Person
from ..extensions import db
from ..roles import Role
from .service import create_note


@dataclass
class CircleSetup(circles_testing.CircleSetup):
    """A circle made for a test, with a signed-up outsider; ``url`` is under its notes."""

    outsider: Person | None = None

    def url(self, path: str = "") -> str:
        return super().url(f"/notes{path}")


def circle_with_every_role(
    app: Flask, make_user: Callable[..., Any], name: str = "Test circle"
) -> CircleSetup:
    """Create a circle with one member per role plus one signed-up outsider."""
    users = {role.value: make_user(display_name=f"{role.value.title()} Person") for role in Role}
    outsider = make_user(display_name="Outsider Person")
    with app.app_context():
        circle = Circle(name=name, created_by_id=users[Role.COORDINATOR.value].id)
        db.session.add(circle)
        db.session.flush()
        for role, user in users.items():
            add_member(circle, db.session.get(User, user.id), role)
        db.session.commit()
        setup = CircleSetup(id=circle.id, public_id=circle.public_id)
    setup.people = {role: Person(u.id, u.email, u.public_id) for role, u in users.items()}
    setup.outsider = Person(outsider.id, outsider.email, outsider.public_id)
    return setup


def write_note(app: Flask, setup: CircleSetup, role: str, **fields: Any) -> str:
    """Write a note through the service as the member with ``role``; return its public id."""
    values: dict[str, Any] = {
        "title": "",
        "body": "A note.",
        "category": "update",
        "tags": [],
        "audience": "care_team",
    }
    values.update(fields)
    with app.app_context():
        circle = db.session.get(Circle, setup.id)
        membership = membership_of(setup.id, setup.people[role].id)
        note = create_note(circle, membership, **values)
        db.session.commit()
        return note.public_id
