"""``careteam demo``: Maya's and Joe's circles, built once, with working demo sign-ins."""

from __future__ import annotations

from sqlalchemy import func, select

from careteam.auth.models import User
from careteam.circles.demo import DEMO_PASSWORD, PEOPLE
from careteam.circles.models import Circle, Membership
from careteam.extensions import db
from careteam.testing import login


def _state(app):
    with app.app_context():
        rows = db.session.execute(
            select(Circle.name, User.email, Membership.role)
            .join(Membership, Membership.circle_id == Circle.id)
            .join(User, User.id == Membership.user_id)
            .order_by(Circle.name, User.email)
        ).all()
        counts = (
            db.session.scalar(select(func.count(User.id))),
            db.session.scalar(select(func.count(Circle.id))),
        )
    return [tuple(r) for r in rows], counts


def test_demo_builds_both_circles_once(app, runner):
    first = runner.invoke(args=["careteam", "demo"])
    assert first.exit_code == 0, first.output
    state, counts = _state(app)
    second = runner.invoke(args=["careteam", "demo"])
    assert second.exit_code == 0, second.output
    assert _state(app) == (state, counts)
    assert counts == (9, 2)
    expected = {
        ("Maya's circle", "maya@example.org", "care_recipient"),
        ("Maya's circle", "sam@example.org", "coordinator"),
        ("Maya's circle", "ruth@example.org", "family"),
        ("Maya's circle", "ana@example.org", "caregiver"),
        ("Maya's circle", "dr.lee@example.org", "therapist"),
        ("Maya's circle", "priya@example.org", "supporter"),
        ("Joe's circle", "joe@example.org", "care_recipient"),
        ("Joe's circle", "kim@example.org", "coordinator"),
        ("Joe's circle", "dr.lee@example.org", "therapist"),
        ("Joe's circle", "tom@example.org", "supporter"),
    }
    assert set(state) == expected and len(state) == len(expected)
    with app.app_context():
        maya = db.session.scalars(select(Circle).where(Circle.name == "Maya's circle")).one()
        assert "multiple sclerosis" in maya.description


def test_demo_prints_one_sign_in_line_per_person(app, runner):
    for _ in range(2):
        output = runner.invoke(args=["careteam", "demo"]).output
        for person in PEOPLE.values():
            lines = [line for line in output.splitlines() if line.startswith(person.email + " ")]
            assert len(lines) == 1, (person.email, output)
            assert DEMO_PASSWORD in lines[0]
    lee = next(line for line in output.splitlines() if line.startswith("dr.lee@"))
    assert "Maya's circle" in lee and "Joe's circle" in lee


def test_demo_emails_pass_the_forms_email_check():
    from email_validator import validate_email

    for person in PEOPLE.values():
        assert validate_email(person.email, check_deliverability=False).normalized == person.email


def test_demo_people_can_sign_in_and_see_their_circles(app, runner, new_client):
    runner.invoke(args=["careteam", "demo"])
    seen = {}
    for key in ("sam", "dr.lee", "tom"):
        client = new_client()
        response = login(client, PEOPLE[key].email, DEMO_PASSWORD)
        assert response.status_code == 302
        seen[key] = client.get("/circles").get_data(as_text=True)
    assert "Maya&#39;s circle" in seen["sam"] and "Joe&#39;s circle" not in seen["sam"]
    assert "Maya&#39;s circle" in seen["dr.lee"] and "Joe&#39;s circle" in seen["dr.lee"]
    assert "Joe&#39;s circle" in seen["tom"] and "Maya&#39;s circle" not in seen["tom"]
