"""careteam.testing's make_circle fixture: circles with the members a test names."""

from __future__ import annotations

from typing import Any

from flask import Flask

from careteam.api import is_enabled, memberships_of
from careteam.circles.models import Circle
from careteam.extensions import db
from careteam.testing import signed_in


def test_a_therapist_in_two_circles(app: Flask, make_circle: Any, new_client: Any) -> None:
    maya = make_circle(members={"therapist": "thea", "care_recipient": "maya"}, name="Maya")
    joe = make_circle(
        members={"therapist": "thea@example.org", "family": "ann"},
        time_zone="America/New_York",
        name="Joe",
    )
    thea = maya.people["therapist"]
    assert joe.people["therapist"] == thea and thea.email == "thea@example.org"
    assert maya.people["care_recipient"].email == "maya@example.org"
    # Each circle got its own coordinator, as no coordinator was named.
    assert maya.people["coordinator"].id != joe.people["coordinator"].id
    assert set(maya.members) == {"coordinator", "therapist", "care_recipient"}
    assert (maya.name, maya.time_zone, joe.time_zone) == (
        "Maya",
        "Europe/London",
        "America/New_York",
    )
    loaded = set(app.extensions["careteam"].plugins)
    with app.test_request_context():
        pairs = memberships_of(thea.id)
        assert [(c.name, m.role) for c, m in pairs] == [("Joe", "therapist"), ("Maya", "therapist")]
        for circle, _membership in pairs:
            assert all(is_enabled(circle, name) for name in loaded)
        assert db.session.get(Circle, joe.id).time_zone == "America/New_York"
    client = signed_in(new_client, thea)
    for setup in (maya, joe):
        assert client.get(setup.url()).status_code == 200


def test_people_may_be_accounts_and_a_coordinator_is_kept(
    app: Flask, make_circle: Any, make_user: Any
) -> None:
    lead = make_user(display_name="Lead")
    first = make_circle(members={"coordinator": lead, "supporter": "sam"})
    second = make_circle(members={"coordinator": first.people["supporter"]})
    assert first.people["coordinator"].id == lead.id
    assert second.people == {"coordinator": first.people["supporter"]}
    assert first.name != second.name  # unnamed circles are told apart
    with app.test_request_context():
        roles = {c.id: m.role for c, m in memberships_of(first.people["supporter"].id)}
    assert roles == {first.id: "supporter", second.id: "coordinator"}
