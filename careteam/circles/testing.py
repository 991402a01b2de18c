"""Test helpers for circles: people with every role, fresh circles, and URLs of circle routes.

Route tests (the permission matrix, cross-circle probes) visit every circle route.  URL
arguments other than ``circle_id`` are filled by factories registered here by argument name
(optionally for one endpoint only), so a feature that adds ``/<thing_id>`` routes registers
how to make a ``thing_id`` in a given circle and its routes join those tests.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from flask import Flask, url_for

from ..auth.models import User
from ..extensions import db
from ..roles import Role
from .membership import add_member
from .service import create_circle


@dataclass(frozen=True)
class Person:
    id: int
    email: str
    public_id: str


@dataclass
class CircleSetup:
    """A circle made for a test: ids only, so it is safe to use outside an app context."""

    id: int
    public_id: str
    people: dict[str, Person] = field(default_factory=dict)
    # role -> membership public id
    members: dict[str, str] = field(default_factory=dict)
    name: str = ""
    time_zone: str = ""

    def url(self, path: str = "") -> str:
        """The circle's URL followed by ``path``: ``url("/mood")`` is ``/circles/<id>/mood``."""
        return f"/circles/{self.public_id}{path}"


def people_for_every_role(make_user: Callable[..., Any], prefix: str = "") -> dict[str, Person]:
    """Create one verified user per role (with ``make_user``); return them by role."""
    people = {}
    for role in Role:
        user = make_user(display_name=f"{prefix}{role.value.replace('_', ' ').title()} Person")
        people[role.value] = Person(user.id, user.email, user.public_id)
    return people


def build_circle(
    app: Flask, people: dict[str, Person], name: str = "Test circle", **fields: Any
) -> CircleSetup:
    """Create a circle whose members are ``people`` (role -> person), the coordinator first."""
    order = sorted(people, key=lambda role: role != Role.COORDINATOR)
    with app.app_context():
        creator = db.session.get(User, people[order[0]].id)
        circle = create_circle(
            creator,
            name=name,
            description=fields.pop("description", ""),
            time_zone=fields.pop("time_zone", "Europe/London"),
        )
        members = {}
        for role in order:
            user = db.session.get(User, people[role].id)
            members[role] = add_member(circle, user, Role(role)).public_id
        for key, value in fields.items():
            setattr(circle, key, value)
        db.session.commit()
        return CircleSetup(
            circle.id, circle.public_id, dict(people), members, circle.name, circle.time_zone
        )


# --- URL arguments ---------------------------------------------------------------------------

# (app, circle, acting role or None for outsiders) -> an id of a real object in that circle
UrlArgumentFactory = Callable[[Flask, CircleSetup, str | None], str]
_FACTORIES: dict[tuple[str | None, str], UrlArgumentFactory] = {}
# Arguments that name something site-wide (a plugin), not an object inside one circle.
_SITE_WIDE: set[str] = set()


class UnknownUrlArgument(LookupError):
    """A circle route has a URL argument that no factory can fill."""


def register_url_argument(
    name: str,
    factory: UrlArgumentFactory,
    *,
    endpoint: str | None = None,
    site_wide: bool = False,
) -> None:
    """Teach route tests how to make ``name`` (for every endpoint, or just ``endpoint``).

    ``site_wide`` marks an argument that is the same in every circle (a plugin's name), so
    cross-circle probes do not expect another circle to refuse it.
    """
    _FACTORIES[(endpoint, name)] = factory
    if site_wide:
        _SITE_WIDE.add(name)


def object_arguments(rule: Any) -> set[str]:
    """Return the URL arguments of ``rule`` that name an object inside one circle."""
    return set(rule.arguments) - {"circle_id"} - _SITE_WIDE


def url_argument(app: Flask, endpoint: str, name: str, setup: CircleSetup, role: str | None) -> str:
    factory = _FACTORIES.get((endpoint, name)) or _FACTORIES.get((None, name))
    if factory is None:
        raise UnknownUrlArgument(
            f"No factory for URL argument {name!r} of endpoint {endpoint!r}: register one with "
            "careteam.circles.testing.register_url_argument(name, factory) so route tests can "
            "fill it with the id of a real object in the circle."
        )
    return factory(app, setup, role)


def circle_url(
    app: Flask,
    rule: Any,
    setup: CircleSetup,
    role: str | None,
    *,
    circle_public_id: str | None = None,
) -> str:
    """Build a URL for ``rule`` with ids from ``setup`` (``circle_public_id`` overrides)."""
    values = {
        name: url_argument(app, rule.endpoint, name, setup, role)
        for name in sorted(rule.arguments)
        if name != "circle_id"
    }
    with app.test_request_context():
        return url_for(rule.endpoint, circle_id=circle_public_id or setup.public_id, **values)


def _member_id(_app: Flask, setup: CircleSetup, _role: str | None) -> str:
    # Someone every manager may act on: not the care recipient, not the only coordinator.
    return setup.members[Role.FAMILY.value]


register_url_argument("member_id", _member_id)
