"""The ``make_circle`` fixture: circles with the members a test names, every plugin on in them."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

import pytest
from flask import Flask
from sqlalchemy import func, select

from ..auth.models import User
from ..circles.testing import CircleSetup, Person, build_circle
from ..extensions import db
from ..roles import Role
from .plugins import switch_on_every_plugin

# What make_circle accepts for a member: an account (make_user's User, a CircleSetup's Person)
# or a key, an email address or a short name ("thea"), that names the same person every time.
Member = Any


def _email_for(key: str) -> str:
    return key if "@" in key else f"{key}@example.org"


def _display_name_for(key: str) -> str:
    return key.split("@")[0].replace(".", " ").replace("_", " ").title()


@pytest.fixture
def make_circle(app: Flask, make_user: Any) -> Callable[..., CircleSetup]:
    """Return a factory: ``make_circle(members={role: person}, time_zone="Europe/London",
    name=None)`` makes a circle with those members and every loaded plugin switched on, and
    returns its ``CircleSetup``.  A person is a ``User`` (from ``make_user``), a ``Person``, or a
    key (an email address or a short name) that gives the same account in every circle of the
    test.  Without a coordinator among ``members`` a new account coordinates the circle."""
    made = {"circles": 0}

    def person_for(member: Member) -> Person:
        if not isinstance(member, str):
            return Person(member.id, member.email, member.public_id)
        email = _email_for(member)
        with app.app_context():
            found = db.session.execute(
                select(User.id, User.email, User.public_id).where(
                    func.lower(User.email) == email.lower()
                )
            ).first()
        if found is not None:
            return Person(*found)
        user = make_user(email=email, display_name=_display_name_for(member))
        return Person(user.id, user.email, user.public_id)

    def make(
        members: Mapping[str, Member] | None = None,
        time_zone: str = "Europe/London",
        name: str | None = None,
    ) -> CircleSetup:
        made["circles"] += 1
        people = {Role(role).value: person_for(member) for role, member in (members or {}).items()}
        if Role.COORDINATOR.value not in people:
            lead = make_user(display_name=f"Coordinator {made['circles']}")
            people[Role.COORDINATOR.value] = Person(lead.id, lead.email, lead.public_id)
        setup = build_circle(
            app, people, name=name or f"Test circle {made['circles']}", time_zone=time_zone
        )
        switch_on_every_plugin(app, setup)
        return setup

    return make
