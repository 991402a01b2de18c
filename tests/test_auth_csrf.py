"""State changes need a POST with a CSRF token; without one nothing changes in the database."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from careteam.auth.models import AccountToken, User, UserSession
from careteam.extensions import db
from careteam.testing import TEST_PASSWORD, login

NEW_PASSWORD = "seven amber foxes guard the ferry"


@pytest.fixture
def signed_in(client, make_user):
    user = make_user(display_name="Maya")
    login(client, user.email)
    return user


def snapshot(app, user_id: int) -> tuple:
    """Everything a forged request could have changed about the account."""
    with app.app_context():
        user = db.session.get(User, user_id)
        live = db.session.scalar(
            select(func.count(UserSession.id)).where(
                UserSession.user_id == user_id, UserSession.revoked_at.is_(None)
            )
        )
        tokens = db.session.scalar(select(func.count(AccountToken.id)))
        if user is None:
            return (None, live, tokens)
        return (
            user.display_name,
            user.email,
            user.password_hash,
            user.time_zone,
            user.email_reminders,
            live,
            tokens,
        )


def test_sign_out_by_get_is_not_possible(app, client, signed_in):
    response = client.get("/logout")
    assert response.status_code == 405
    assert "That action isn&#39;t available here" in response.get_data(as_text=True)
    assert client.get("/home").status_code == 200


@pytest.mark.parametrize(
    ("path", "data"),
    [
        ("/logout", {}),
        (
            "/account/profile",
            {"display_name": "Forged", "time_zone": "Asia/Tokyo", "email_reminders": ""},
        ),
        (
            "/account/password",
            {"current_password": TEST_PASSWORD, "new_password": NEW_PASSWORD},
        ),
        ("/account/email", {"new_email": "forged@example.org", "current_password": TEST_PASSWORD}),
        ("/account/delete", {"current_password": TEST_PASSWORD}),
        ("/account/sessions/end-all", {}),
        ("/account/sessions/end-others", {}),
    ],
)
def test_post_without_csrf_token_changes_nothing(app, client, signed_in, path, data):
    before = snapshot(app, signed_in.id)
    response = client.post(path, data=data)
    assert response.status_code == 400
    page = response.get_data(as_text=True)
    assert "nothing was changed" in page
    assert "Traceback" not in page
    assert snapshot(app, signed_in.id) == before
    assert client.get("/home").status_code == 200


def test_post_with_a_token_from_another_session_is_refused(app, client, new_client, signed_in):
    stranger = new_client()
    foreign_token = stranger.csrf_token("/login")
    before = snapshot(app, signed_in.id)
    response = client.post(
        "/account/delete", data={"csrf_token": foreign_token, "current_password": TEST_PASSWORD}
    )
    assert response.status_code == 400
    assert snapshot(app, signed_in.id) == before
