"""Password rules at their edges: zxcvbn scores the first 72 characters, and nothing is cut."""

from __future__ import annotations

from careteam.auth.passwords import password_problem
from careteam.testing import login

STRONG_TAIL = " violet harbour lanterns drift past copper otters"


def test_a_weak_start_is_judged_even_when_the_password_is_long():
    weak_start = "a" * 72
    assert password_problem(weak_start + STRONG_TAIL, []) is not None
    assert password_problem("mellow quartz pigeons" + STRONG_TAIL, []) is None


def test_the_whole_long_password_counts_not_just_its_start(app, client, new_client):
    start = "violet harbour lanterns drift past copper otters under a cold winter moon!"
    assert len(start) >= 72
    password = start + " and more words after the seventy-second character"
    assert len(password) > 100
    response = client.post_form(
        "/register", {"email": "long@example.org", "display_name": "Long", "password": password}
    )
    assert response.status_code == 302
    from sqlalchemy import update

    from careteam.auth.models import User
    from careteam.db.clock import utcnow
    from careteam.extensions import db

    with app.app_context():
        db.session.execute(
            update(User).where(User.email == "long@example.org").values(email_verified_at=utcnow())
        )
        db.session.commit()
    same_start = new_client()
    assert (
        login(same_start, "long@example.org", start + " but a different ending").status_code != 302
    )
    right = new_client()
    assert login(right, "long@example.org", password).status_code == 302
