"""Signing in: deactivated accounts, the failed-login lock, rate limits, audit rows, next=."""

from __future__ import annotations

import pytest
from sqlalchemy import select, update

from careteam.audit import AuditEvent
from careteam.auth.models import User
from careteam.extensions import db
from careteam.testing import TEST_PASSWORD, login

WRONG = "not the right password at all"


def form_error(response) -> str:
    """Return the text of the form-level error box."""
    page = response.get_data(as_text=True)
    start = page.index('class="alert alert-error"')
    return page[start : page.index("</div>", start)]


def audit_rows(app, action: str) -> list[AuditEvent]:
    with app.app_context():
        rows = db.session.scalars(
            select(AuditEvent).where(AuditEvent.action == action).order_by(AuditEvent.id)
        ).all()
        for row in rows:
            db.session.expunge(row)
        return list(rows)


def test_successful_sign_in_is_audited_and_rotates_the_session(app, client, make_user):
    user = make_user()
    client.get("/login")
    before = client.get_cookie("careteam_session").value
    assert login(client, user.email).status_code == 302
    assert client.get_cookie("careteam_session").value != before
    rows = audit_rows(app, "auth.signed_in")
    assert [(r.actor_id, r.object_id) for r in rows] == [(user.id, user.public_id)]
    assert rows[0].ip_address == "127.0.0.1"


def test_failed_sign_in_is_audited_without_the_password(app, client, make_user):
    user = make_user()
    assert login(client, user.email, WRONG).status_code == 401
    assert login(client, "nobody@example.org", WRONG).status_code == 401
    rows = audit_rows(app, "auth.sign_in_failed")
    assert [(r.object_id, r.details["reason"]) for r in rows] == [
        (user.public_id, "bad_credentials"),
        ("", "bad_credentials"),
    ]
    assert all(WRONG not in str(r.details) for r in rows)


def test_deactivated_account_cannot_sign_in(app, client, make_user):
    user = make_user(active=False)
    wrong = login(client, user.email, WRONG)
    assert wrong.status_code == 401
    assert "do not match an account" in form_error(wrong)
    right = login(client, user.email)
    assert right.status_code == 401
    assert "switched off" in form_error(right)
    assert client.get("/home").status_code == 302
    reasons = [r.details["reason"] for r in audit_rows(app, "auth.sign_in_failed")]
    assert reasons == ["bad_credentials", "deactivated"]


def test_deactivating_a_signed_in_account_ends_its_sessions(app, client, make_user):
    user = make_user()
    login(client, user.email)
    assert client.get("/home").status_code == 200
    with app.app_context():
        db.session.execute(update(User).where(User.id == user.id).values(active=False))
        db.session.commit()
    assert client.get("/home").status_code == 302


@pytest.fixture
def app_config():
    return {"LOGIN_FAILURES_BEFORE_DELAY": 3}


def _attempts(client, email: str) -> list[tuple[int, str]]:
    """Fail three times, then try the right password while locked."""
    answers = []
    for password in (WRONG, WRONG, WRONG, TEST_PASSWORD):
        response = login(client, email, password)
        answers.append((response.status_code, form_error(response)))
    return answers


def test_failed_sign_ins_lock_this_address_for_the_email_known_or_not(
    app, client, new_client, make_user, clock
):
    user = make_user()
    known = _attempts(client, user.email)
    unknown = _attempts(new_client(), "nobody@example.org")
    assert known == unknown
    assert [status for status, _ in known] == [401, 401, 401, 401]
    assert "do not match an account" in known[0][1]
    assert "do not match an account" in known[1][1]
    assert "Please wait 1 minute and try again" in known[2][1]
    assert "Please wait 1 minute and try again" in known[3][1]
    assert client.get("/home").status_code == 302, "the right password did not get in"
    reasons = [
        r.details["reason"]
        for r in audit_rows(app, "auth.sign_in_failed")
        if r.object_id == user.public_id
    ]
    assert reasons == ["bad_credentials"] * 3 + ["locked"]

    clock.advance(seconds=61)
    # The next failure doubles the wait.
    assert "Please wait 2 minutes" in form_error(login(client, user.email, WRONG))
    clock.advance(minutes=2, seconds=1)
    assert login(client, user.email).status_code == 302
    assert client.get("/home").status_code == 200
    assert len(audit_rows(app, "auth.signed_in")) == 1
    # Success forgot this address's failures for the user; nobody@example.org's still count.
    assert "do not match an account" in form_error(login(new_client(), user.email, WRONG))
    assert "Please wait 2 minutes" in form_error(login(new_client(), "nobody@example.org", WRONG))


def test_failures_a_day_apart_start_counting_again(app, client, make_user, clock):
    user = make_user()
    login(client, user.email, WRONG)
    login(client, user.email, WRONG)
    clock.advance(hours=25)
    response = login(client, user.email, WRONG)
    assert "do not match an account" in form_error(response)


class TestRateLimit:
    @pytest.fixture
    def app_config(self):
        return {"RATELIMIT_ENABLED": True, "RATELIMIT_LOGIN": "3 per minute"}

    def test_fourth_sign_in_post_gets_the_friendly_429_page(self, app, client):
        blank = {"csrf_token": client.csrf_token("/login"), "email": "", "password": ""}
        for _ in range(3):
            assert client.post("/login", data=blank).status_code == 422
        response = client.post("/login", data=blank)
        assert response.status_code == 429
        page = response.get_data(as_text=True)
        assert "Please slow down" in page
        assert "Traceback" not in page
        assert client.get("/login").status_code == 200, "only POSTs are limited"


@pytest.mark.parametrize(
    "target",
    [
        "//evil.example",
        "https://evil.example",
        "javascript:alert(1)",
        "/\\evil.example",
        "\\\\evil.example",
        "http:/evil.example",
        "%2F%2Fevil.example",
        "/\t/evil.example",
        " //evil.example",
    ],
)
def test_next_never_leaves_the_site(app, client, make_user, target):
    user = make_user()
    response = client.post_form(
        "/login",
        {"email": user.email, "password": TEST_PASSWORD, "next": target},
        page="/login?next=" + target.replace("%", "%25"),
    )
    assert response.status_code == 302
    assert response.headers["Location"] == "/home"


def test_local_next_is_honoured(app, client, make_user):
    user = make_user()
    anonymous = client.get("/account/profile")
    assert anonymous.status_code == 302
    assert "next=%2Faccount%2Fprofile" in anonymous.headers["Location"]
    page = client.get(anonymous.headers["Location"]).get_data(as_text=True)
    assert 'name="next" type="hidden" value="/account/profile"' in page
    response = client.post_form(
        "/login", {"email": user.email, "password": TEST_PASSWORD, "next": "/account/profile"}
    )
    assert response.headers["Location"] == "/account/profile"
