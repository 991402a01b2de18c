"""The signed-in devices page: list them, end one, end the others, end them all."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from careteam.account.user_agents import describe_user_agent
from careteam.audit import AuditEvent
from careteam.auth.models import UserSession
from careteam.extensions import db
from careteam.testing import login

FIREFOX_LINUX = "Mozilla/5.0 (X11; Linux x86_64; rv:128.0) Gecko/20100101 Firefox/128.0"
SAFARI_IPHONE = (
    "Mozilla/5.0 (iPhone; CPU iPhone OS 17_5 like Mac OS X) AppleWebKit/605.1.15 "
    "(KHTML, like Gecko) Version/17.5 Mobile/15E148 Safari/604.1"
)


@pytest.fixture
def devices(new_client, make_user):
    """One person signed in on a laptop and a phone (and a tablet for the 'all' cases)."""
    user = make_user()
    laptop, phone, tablet = new_client(), new_client(), new_client()
    laptop.environ_base.update(HTTP_USER_AGENT=FIREFOX_LINUX, REMOTE_ADDR="198.51.100.7")
    phone.environ_base.update(HTTP_USER_AGENT=SAFARI_IPHONE, REMOTE_ADDR="203.0.113.9")
    for client in (laptop, phone, tablet):
        login(client, user.email)
    return user, laptop, phone, tablet


def session_ids(app, user_id: int, live: bool = True) -> dict[str, str]:
    """Return {user agent: public id} of the user's sessions."""
    with app.app_context():
        stmt = select(UserSession.user_agent, UserSession.public_id).where(
            UserSession.user_id == user_id
        )
        if live:
            stmt = stmt.where(UserSession.revoked_at.is_(None))
        return dict(db.session.execute(stmt).all())


def test_page_lists_every_device_this_one_first(app, devices):
    _user, laptop, _phone, _tablet = devices
    page = laptop.get("/account/sessions").get_data(as_text=True)
    assert page.count('class="card"') == 3
    assert page.index("Firefox on Linux") < page.index("Safari on iPhone")
    assert page.index("This device") < page.index("Safari on iPhone")
    assert page.count("This device") == 1
    assert "198.51.100.7" in page and "203.0.113.9" in page
    # Every device but this one has its own sign-out button.
    assert page.count("Sign out this device") == 2


def test_end_one_session_signs_that_device_out(app, devices):
    user, laptop, phone, tablet = devices
    phone_id = session_ids(app, user.id)[SAFARI_IPHONE]
    response = laptop.post_form(
        f"/account/sessions/{phone_id}/end", {}, page="/account/sessions", follow_redirects=True
    )
    assert response.request.path == "/account/sessions"
    page = response.get_data(as_text=True)
    assert "That device has been signed out." in page
    assert "Safari on iPhone" not in page
    assert phone.get("/home").status_code == 302
    assert laptop.get("/home").status_code == 200
    assert tablet.get("/home").status_code == 200
    assert SAFARI_IPHONE not in session_ids(app, user.id)
    with app.app_context():
        event = db.session.scalar(
            select(AuditEvent).where(AuditEvent.action == "auth.session_ended")
        )
    assert (event.actor_id, event.object_id) == (user.id, phone_id)


def test_ending_the_current_session_signs_out_here(app, devices):
    user, laptop, _phone, tablet = devices
    own = session_ids(app, user.id)[FIREFOX_LINUX]
    response = laptop.post_form(f"/account/sessions/{own}/end", {}, page="/account/sessions")
    assert response.headers["Location"] == "/login"
    assert laptop.get("/home").status_code == 302
    assert tablet.get("/home").status_code == 200


@pytest.mark.parametrize("public_id", ["nosuchsession", "%00", "x" * 200])
def test_unknown_session_is_a_404(app, devices, public_id):
    _user, laptop, _phone, _tablet = devices
    response = laptop.post_form(f"/account/sessions/{public_id}/end", {}, page="/account/sessions")
    assert response.status_code == 404


def test_someone_elses_session_cannot_be_ended(app, devices, make_user, new_client):
    _user, laptop, _phone, _tablet = devices
    stranger = make_user()
    theirs = new_client()
    login(theirs, stranger.email)
    their_id = next(iter(session_ids(app, stranger.id).values()))
    response = laptop.post_form(f"/account/sessions/{their_id}/end", {}, page="/account/sessions")
    assert response.status_code == 404
    assert theirs.get("/home").status_code == 200


def test_sign_out_everywhere_else(app, devices):
    user, laptop, phone, tablet = devices
    response = laptop.post_form("/account/sessions/end-others", {}, page="/account/sessions")
    assert response.status_code == 302
    assert laptop.get("/home").status_code == 200
    assert phone.get("/home").status_code == 302
    assert tablet.get("/home").status_code == 302
    assert list(session_ids(app, user.id)) == [FIREFOX_LINUX]
    with app.app_context():
        event = db.session.scalar(
            select(AuditEvent).where(AuditEvent.action == "auth.signed_out_elsewhere")
        )
    assert event.details == {"sessions_ended": 2}


def test_sign_out_everywhere(app, devices):
    user, laptop, phone, tablet = devices
    response = laptop.post_form(
        "/account/sessions/end-all", {}, page="/account/sessions", follow_redirects=True
    )
    assert response.request.path == "/login"
    assert "signed out on every device" in response.get_data(as_text=True)
    for client in (laptop, phone, tablet):
        assert client.get("/home").status_code == 302
    assert session_ids(app, user.id) == {}


@pytest.mark.parametrize(
    ("agent", "described"),
    [
        (FIREFOX_LINUX, "Firefox on Linux"),
        (SAFARI_IPHONE, "Safari on iPhone"),
        (
            "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) "
            "Chrome/126.0.0.0 Safari/537.36 Edg/126.0.0.0",
            "Edge on Windows",
        ),
        (
            "Mozilla/5.0 (Linux; Android 14; Pixel 8) AppleWebKit/537.36 (KHTML, like Gecko) "
            "Chrome/126.0.0.0 Mobile Safari/537.36",
            "Chrome on Android",
        ),
        (
            "Mozilla/5.0 (Macintosh; Intel Mac OS X 14_5) AppleWebKit/605.1.15 "
            "(KHTML, like Gecko) Version/17.5 Safari/605.1.15",
            "Safari on macOS",
        ),
        ("curl/8.5.0", "Other browser or app"),
        ("", "Unknown device"),
    ],
)
def test_device_descriptions(agent, described):
    assert describe_user_agent(agent) == described
