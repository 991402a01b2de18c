"""Invitations end to end through a real SMTP server: invite, follow the link, join the circle.

Covers new people registering from an emailed invitation and from a copied link, existing
accounts accepting, another account asking to join (approved and declined), expiry for both
kinds with a frozen clock, reuse, and revoking.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from urllib.parse import quote

import pytest
from sqlalchemy import func, select

from careteam.auth.models import User
from careteam.circles.models import Membership
from careteam.circles.testing import build_circle, people_for_every_role
from careteam.db.clock import set_clock
from careteam.extensions import db
from careteam.invitations.models import Invitation
from careteam.invitations.service import format_expiry
from careteam.invitations.testing import (
    invite_path,
    make_link,
    manage_url,
    send_invitation,
)
from careteam.testing import TEST_PASSWORD, login, message_text

GONE = "This invitation no longer works"


@pytest.fixture
def setup(app, make_user):
    """Maya's circle with one member per role."""
    return build_circle(app, people_for_every_role(make_user), name="Maya's circle")


@pytest.fixture
def coordinator(setup, new_client):
    client = new_client()
    login(client, setup.people["coordinator"].email)
    return client


@pytest.fixture
def frozen():
    """Freeze the clock at a moment the test can move; always restore the real clock."""
    moment = {"now": datetime(2030, 3, 4, 9, 0, tzinfo=UTC)}
    set_clock(lambda: moment["now"])
    yield moment
    set_clock(None)


def _invitation(app, **where) -> Invitation:
    with app.app_context():
        stmt = select(Invitation)
        for name, value in where.items():
            stmt = stmt.where(getattr(Invitation, name) == value)
        row = db.session.scalar(stmt)
        db.session.expunge_all()
        return row


def _role_of(app, setup, email: str) -> str | None:
    with app.app_context():
        return db.session.scalar(
            select(Membership.role)
            .join(User, User.id == Membership.user_id)
            .where(Membership.circle_id == setup.id, User.email == email)
        )


def _user(app, email: str) -> User | None:
    with app.app_context():
        user = db.session.scalar(select(User).where(User.email == email))
        db.session.expunge_all()
        return user


def _messages_to(mail, address: str) -> list:
    return [m for m in mail.messages if address in str(m["To"]).lower()]


# --- a new person, invited by email ----------------------------------------------------------


def test_new_person_invited_by_email_registers_and_joins_verified(
    app, mail, setup, coordinator, new_client
):
    note = "Hi Sam,\nMaya would love your help on Tuesdays. <b>Thanks!</b> & see you"
    response = send_invitation(coordinator, setup, " Sam.Helper@Example.org ", "caregiver", note)
    assert response.status_code == 302
    assert response.headers["Location"].endswith(manage_url(setup))

    message = mail.last_to("sam.helper@example.org")
    text = message_text(message).replace("\r\n", "\n")  # SMTP carries CRLF line ends
    assert "Coordinator Person invited you" in message["Subject"]
    assert "Maya's circle" in text
    assert "Coordinator Person" in text
    assert "Caregiver" in text
    assert note in text  # plain text: exactly as typed, nothing escaped
    sent = _invitation(app, email="sam.helper@example.org")
    assert sent.expires_at - sent.created_at == timedelta(days=7)
    assert f"expires on {format_expiry(sent.expires_at, 'Europe/London')}" in text
    html = message.get_body(preferencelist=("html",)).get_content()
    assert "&lt;b&gt;Thanks!&lt;/b&gt; &amp; see you" in html
    assert "<b>Thanks!</b>" not in html
    path = invite_path(message)
    assert "http://careteam.test" + path in text  # built from BASE_URL

    guest = new_client()
    page = guest.get(path)
    assert page.status_code == 200
    body = page.get_data(as_text=True)
    assert "Coordinator Person invited you" in body
    assert "Sign in to accept" in body and "Create an account" in body
    assert page.headers["Cache-Control"] == "no-store"

    form = guest.get(path + "/register").get_data(as_text=True)
    assert 'value="sam.helper@example.org" readonly' in form
    # The address is fixed by the invitation, whatever the form says.
    response = guest.post_form(
        path + "/register",
        {
            "display_name": "Sam Helper",
            "email": "someone.else@example.org",
            "password": TEST_PASSWORD,
        },
    )
    assert response.status_code == 302
    assert response.headers["Location"].endswith(setup.url())

    user = _user(app, "sam.helper@example.org")
    assert user is not None and user.email_verified_at is not None
    assert _user(app, "someone.else@example.org") is None
    assert _role_of(app, setup, "sam.helper@example.org") == "caregiver"
    invitation = _invitation(app, email="sam.helper@example.org")
    assert invitation.accepted_by_id == user.id and invitation.accepted_at is not None
    # Signed in straight away, and no confirmation email: the invitation proved the address.
    assert guest.get(setup.url()).status_code == 200
    assert len(_messages_to(mail, "sam.helper@example.org")) == 1

    # The link worked once.
    assert GONE in new_client().get(path).get_data(as_text=True)
    assert new_client().get(path).status_code == 404


def test_new_person_with_a_copied_link_registers_unverified_and_joins(
    app, mail, setup, coordinator, new_client
):
    path = make_link(coordinator, setup, "supporter")
    guest = new_client()
    assert "Sign in to accept" in guest.get(path).get_data(as_text=True)
    response = guest.post_form(
        path + "/register",
        {"display_name": "Jo Friend", "email": "Jo@Example.org", "password": TEST_PASSWORD},
    )
    # The same answer as for an address that has an account (see test_invitations_enumeration):
    # check your inbox, not signed in yet.
    assert response.status_code == 302
    assert response.headers["Location"].endswith("/check-inbox?reason=invite")
    user = _user(app, "jo@example.org")
    assert user.email_verified_at is None  # a link proves nothing about an address
    assert _role_of(app, setup, "jo@example.org") == "supporter"
    confirmation = mail.last_to("jo@example.org")
    assert "/verify/" in message_text(confirmation)
    assert guest.get(setup.url()).status_code != 200
    login(guest, "jo@example.org")
    assert guest.get(setup.url()).status_code == 200
    assert new_client().get(path).status_code == 404


def test_register_with_a_weak_password_keeps_the_invitation_unused(
    app, mail, setup, coordinator, new_client
):
    send_invitation(coordinator, setup, "weak@example.org")
    path = invite_path(mail.last_to("weak@example.org"))
    guest = new_client()
    response = guest.post_form(
        path + "/register", {"display_name": "Weak", "email": "", "password": "password"}
    )
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    assert (
        'id="password-errors"' in page
        and 'aria-describedby="password-hint password-errors"' in page
    )
    assert _user(app, "weak@example.org") is None
    assert _invitation(app, email="weak@example.org").accepted_at is None


def test_register_with_an_address_that_has_an_account_mails_its_owner(
    app, mail, setup, coordinator, new_client, make_user
):
    make_user(email="taken@example.org", display_name="Already Here")
    path = make_link(coordinator, setup)
    with app.app_context():
        accounts = db.session.scalar(select(func.count()).select_from(User))
    response = new_client().post_form(
        path + "/register",
        {"display_name": "Someone", "email": "taken@example.org", "password": TEST_PASSWORD},
    )
    # Answered as a new address is (test_invitations_enumeration compares them).
    assert response.status_code == 302
    assert response.headers["Location"].endswith("/check-inbox?reason=invite")
    # The owner of the address gets the invitation, to accept by signing in.
    assert "already have" in message_text(mail.last_to("taken@example.org"))
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(User)) == accounts
    assert _invitation(app, kind="link").accepted_at is None

    # An emailed invitation to an address with an account: the same answer, and no email.
    send_invitation(coordinator, setup, "taken2@example.org")
    mailed = invite_path(mail.last_to("taken2@example.org"))
    make_user(email="taken2@example.org")
    response = new_client().post_form(
        mailed + "/register", {"display_name": "X", "email": "", "password": TEST_PASSWORD}
    )
    assert response.status_code == 409
    assert "sign in with it to accept" in response.get_data(as_text=True)
    assert len(_messages_to(mail, "taken2@example.org")) == 1


# --- people who already have an account ------------------------------------------------------


def test_existing_account_signs_in_from_the_invitation_and_accepts(
    app, mail, setup, coordinator, new_client, make_user
):
    make_user(email="robin@example.org", display_name="Robin", verified=False)
    send_invitation(coordinator, setup, "Robin@Example.org", "therapist")
    path = invite_path(mail.last_to("robin@example.org"))

    guest = new_client()
    # "Sign in to accept" comes back to the invitation afterwards.
    assert f'href="/login?next={path}"' in guest.get(path).get_data(as_text=True)
    response = guest.post_form(
        f"/login?next={quote(path)}", {"email": "robin@example.org", "password": TEST_PASSWORD}
    )
    assert response.headers["Location"] == path
    page = guest.get(path).get_data(as_text=True)
    assert "Join Maya&#39;s circle" in page and "Therapist" in page
    assert _role_of(app, setup, "robin@example.org") is None  # opening is not accepting

    response = guest.post_form(path + "/accept", {}, page=path)
    assert response.status_code == 302
    assert response.headers["Location"].endswith(setup.url())
    assert _role_of(app, setup, "robin@example.org") == "therapist"
    assert _user(app, "robin@example.org").email_verified_at is not None
    assert guest.get(path).status_code == 404
    again = guest.post_form(path + "/accept", {}, page="/home")
    assert again.status_code == 404


def test_signed_in_member_opening_a_link_does_not_use_it(app, setup, coordinator, new_client):
    path = make_link(coordinator, setup)
    family = new_client()
    login(family, setup.people["family"].email)
    page = family.get(path).get_data(as_text=True)
    assert "You are already in this circle" in page
    assert family.post_form(path + "/accept", {}, page=path).status_code == 302
    assert _invitation(app, kind="link").accepted_at is None
    assert _role_of(app, setup, setup.people["family"].email) == "family"


# --- another account -------------------------------------------------------------------------


def test_other_account_asks_to_join_and_the_coordinator_approves(
    app, mail, setup, coordinator, new_client, make_user
):
    make_user(email="alex.work@example.org", display_name="Alex")
    send_invitation(coordinator, setup, "alex.home@example.org", "family")
    path = invite_path(mail.last_to("alex.home@example.org"))

    alex = new_client()
    login(alex, "alex.work@example.org")
    page = alex.get(path).get_data(as_text=True)
    assert "sent to a different email address" in page
    # Accepting directly is refused: the address does not match.
    assert alex.post_form(path + "/accept", {}, page=path).status_code == 404
    assert _role_of(app, setup, "alex.work@example.org") is None

    response = alex.post_form(path + "/claim", {}, page=path)
    assert response.status_code == 302
    assert "has to approve it first" in alex.get(path).get_data(as_text=True)
    assert _role_of(app, setup, "alex.work@example.org") is None
    # The coordinator who sent it hears about the request.
    notice = message_text(mail.last_to(setup.people["coordinator"].email))
    assert "alex.work@example.org" in notice and "alex.home@example.org" in notice

    manage = coordinator.get(manage_url(setup)).get_data(as_text=True)
    assert "Requests to join" in manage and "alex.work@example.org" in manage
    invitation = _invitation(app, email="alex.home@example.org")
    home = coordinator.get(setup.url()).get_data(as_text=True)
    assert "1 request to join waits for your decision" in home

    response = coordinator.post_form(
        manage_url(setup) + f"/{invitation.public_id}/approve", {}, page=manage_url(setup)
    )
    assert response.status_code == 302
    assert _role_of(app, setup, "alex.work@example.org") == "family"
    assert "You are now in the care circle" in message_text(mail.last_to("alex.work@example.org"))
    assert alex.get(setup.url()).status_code == 200
    # Used up, for the invited address too.
    assert alex.get(path).status_code == 404
    assert "1 request to join" not in coordinator.get(setup.url()).get_data(as_text=True)


def test_declined_request_leaves_the_invitation_for_the_invited_address_only(
    app, mail, setup, coordinator, new_client, make_user
):
    make_user(email="stranger@example.org", display_name="Stranger")
    make_user(email="third@example.org", display_name="Third")
    make_user(email="kim@example.org", display_name="Kim")
    send_invitation(coordinator, setup, "kim@example.org", "caregiver")
    path = invite_path(mail.last_to("kim@example.org"))

    stranger = new_client()
    login(stranger, "stranger@example.org")
    assert stranger.post_form(path + "/claim", {}, page=path).status_code == 302
    # While one request waits, a third account cannot ask too.
    third = new_client()
    login(third, "third@example.org")
    assert third.get(path).status_code == 404
    assert third.post_form(path + "/claim", {}, page="/home").status_code == 404

    invitation = _invitation(app, email="kim@example.org")
    response = coordinator.post_form(
        manage_url(setup) + f"/{invitation.public_id}/decline", {}, page=manage_url(setup)
    )
    assert response.status_code == 302
    assert _role_of(app, setup, "stranger@example.org") is None
    assert _invitation(app, email="kim@example.org").claim_declined_at is not None
    assert stranger.get(path).status_code == 404
    assert stranger.post_form(path + "/claim", {}, page="/home").status_code == 404
    # Approving after a decline is refused.
    coordinator.post_form(
        manage_url(setup) + f"/{invitation.public_id}/approve", {}, page=manage_url(setup)
    )
    assert _role_of(app, setup, "stranger@example.org") is None

    kim = new_client()
    login(kim, "kim@example.org")
    assert kim.post_form(path + "/accept", {}, page=path).status_code == 302
    assert _role_of(app, setup, "kim@example.org") == "caregiver"


# --- expiry, reuse, revoke -------------------------------------------------------------------


@pytest.mark.parametrize(
    ("kind", "lifetime"), [("email", timedelta(days=7)), ("link", timedelta(hours=48))]
)
def test_invitations_expire(app, mail, setup, new_client, make_user, frozen, kind, lifetime):
    start = frozen["now"]
    coordinator = new_client()
    login(coordinator, setup.people["coordinator"].email)
    make_user(email="late@example.org", display_name="Late")
    if kind == "email":
        send_invitation(coordinator, setup, "late@example.org")
        path = invite_path(mail.last_to("late@example.org"))
    else:
        path = make_link(coordinator, setup)
    invitation = _invitation(app, kind=kind)
    assert invitation.expires_at == start + lifetime

    frozen["now"] = start + lifetime - timedelta(minutes=1)
    assert new_client().get(path).status_code == 200

    frozen["now"] = start + lifetime
    assert new_client().get(path).status_code == 404
    late = new_client()
    login(late, "late@example.org")  # signed in after the clock moved, so the session is fresh
    assert late.get(path).status_code == 404
    assert late.post_form(path + "/accept", {}, page="/home").status_code == 404
    guest = new_client()
    response = guest.post_form(
        path + "/register",
        {"display_name": "Too Late", "email": "new@example.org", "password": TEST_PASSWORD},
        page="/login",
    )
    assert response.status_code == 404
    assert _role_of(app, setup, "late@example.org") is None
    assert _user(app, "new@example.org") is None
    assert _invitation(app, kind=kind).accepted_at is None
    # Expired invitations leave the coordinator's list.
    coordinator = new_client()
    login(coordinator, setup.people["coordinator"].email)
    assert "No invitations are waiting" in coordinator.get(manage_url(setup)).get_data(as_text=True)


def test_revoked_invitations_stop_working(app, mail, setup, coordinator, new_client, make_user):
    make_user(email="pat@example.org")
    send_invitation(coordinator, setup, "pat@example.org", "family", "See you!")
    mailed = invite_path(mail.last_to("pat@example.org"))
    copied = make_link(coordinator, setup, "caregiver")
    page = coordinator.get(manage_url(setup)).get_data(as_text=True)
    assert "pat@example.org" in page and "Link to share" in page and "See you!" in page

    for kind in ("email", "link"):
        invitation = _invitation(app, kind=kind)
        response = coordinator.post_form(
            manage_url(setup) + f"/{invitation.public_id}/revoke", {}, page=manage_url(setup)
        )
        assert response.status_code == 302
        assert _invitation(app, kind=kind).revoked_at is not None
    page = coordinator.get(manage_url(setup)).get_data(as_text=True)
    assert "No invitations are waiting" in page

    pat = new_client()
    login(pat, "pat@example.org")
    assert pat.get(mailed).status_code == 404
    assert pat.post_form(mailed + "/accept", {}, page="/home").status_code == 404
    assert pat.get(copied).status_code == 404
    assert _role_of(app, setup, "pat@example.org") is None

    # Revoking twice is refused politely.
    invitation = _invitation(app, kind="link")
    response = coordinator.post_form(
        manage_url(setup) + f"/{invitation.public_id}/revoke",
        {},
        page=manage_url(setup),
        follow_redirects=True,
    )
    assert "already used or revoked" in response.get_data(as_text=True)


def test_unknown_and_odd_tokens_get_the_same_page(client):
    for token in ("nope", "x" * 43, "x" * 500, "%00", "..%2f.."):
        response = client.get(f"/invite/{token}")
        assert response.status_code == 404, token
        if response.headers.get("Content-Type", "").startswith("text/html"):
            assert GONE in response.get_data(as_text=True) or "Page not found" in (
                response.get_data(as_text=True)
            )


def test_archived_circle_invitations_stop_working(app, setup, coordinator, new_client):
    from careteam.circles.models import Circle
    from careteam.db.clock import utcnow

    path = make_link(coordinator, setup)
    with app.app_context():
        db.session.get(Circle, setup.id).archived_at = utcnow()
        db.session.commit()
    assert new_client().get(path).status_code == 404
    page = coordinator.get(manage_url(setup)).get_data(as_text=True)
    assert "Restore the circle to invite people" in page
