"""One copied invitation link must not tell which addresses have accounts (issue 17, defect 3):
registering from it with a taken address is answered exactly as with a new one, the owner of
the address gets the invitation by email instead, and every try counts against the invitation
limit."""

from __future__ import annotations

from urllib.parse import urlsplit

import pytest
from sqlalchemy import func, select

from careteam.auth.models import User
from careteam.circles.models import Membership
from careteam.circles.testing import build_circle, people_for_every_role
from careteam.extensions import db
from careteam.invitations.testing import make_link
from careteam.testing import TEST_PASSWORD, links_in, login, message_text


@pytest.fixture
def setup(app, make_user):
    return build_circle(app, people_for_every_role(make_user), name="Maya's circle")


@pytest.fixture
def coordinator(setup, new_client):
    client = new_client()
    login(client, setup.people["coordinator"].email)
    return client


def _register(client, path: str, email: str):
    return client.post_form(
        path + "/register",
        {"display_name": "Someone", "email": email, "password": TEST_PASSWORD},
    )


def _answer(response) -> tuple:
    """What a visitor can observe of an answer: status, where it sends them, which cookies."""
    cookies = sorted(c.split("=", 1)[0] for c in response.headers.getlist("Set-Cookie"))
    return response.status_code, response.headers.get("Location"), cookies


def _count(app, *where) -> int:
    with app.app_context():
        return db.session.scalar(select(func.count()).select_from(Membership).where(*where))


def test_a_taken_address_is_answered_as_a_new_one_and_its_owner_gets_the_link(
    app, mail, setup, coordinator, new_client, make_user
):
    owner = make_user(email="taken@example.org", display_name="Ruth Already")
    taken_path = make_link(coordinator, setup, "family")
    new_path = make_link(coordinator, setup, "family")

    taken = _register(new_client(), taken_path, "Taken@Example.org")
    fresh = _register(new_client(), new_path, "fresh@example.org")
    assert _answer(taken) == _answer(fresh)
    assert taken.status_code == 302
    assert taken.headers["Location"].endswith("/check-inbox?reason=invite")
    follow = new_client()
    assert (
        follow.get(taken.headers["Location"]).get_data()
        == follow.get(fresh.headers["Location"]).get_data()
    )

    # The owner hears of it, with the invitation to accept by signing in; no account was made.
    notice = mail.last_to("taken@example.org")
    text = message_text(notice)
    assert "tried to join Maya's circle" in text and "sign in to accept" in text
    [link] = [link for link in links_in(notice) if "/invite/" in link]
    assert urlsplit(link).path == taken_path
    with app.app_context():
        taken_accounts = select(func.count()).where(User.email == "taken@example.org")
        assert db.session.scalar(taken_accounts) == 1
    assert new_client().get(taken_path).status_code == 200  # the link is not used up
    # The link still works for the owner: signing in and accepting puts them in the circle.
    owner_client = new_client()
    login(owner_client, owner.email)
    assert owner_client.post_form(taken_path + "/accept", {}, page=taken_path).status_code == 302
    assert _count(app, Membership.circle_id == setup.id, Membership.user_id == owner.id) == 1

    # The new address got its confirmation link and is in the circle once signed in.
    assert "/verify/" in message_text(mail.last_to("fresh@example.org"))
    newcomer = new_client()
    login(newcomer, "fresh@example.org")
    assert newcomer.get(setup.url()).status_code == 200


def test_a_rolled_back_registration_sends_nothing(
    app, mail, setup, coordinator, new_client, make_user
):
    """A refused try (weak password) queues no email for anyone."""
    make_user(email="taken@example.org")
    path = make_link(coordinator, setup)
    response = new_client().post_form(
        path + "/register",
        {"display_name": "Someone", "email": "taken@example.org", "password": "password"},
    )
    assert response.status_code == 422
    with app.app_context():
        from careteam.outbox import OutboxMessage

        assert db.session.scalar(select(func.count()).select_from(OutboxMessage)) == 0
    assert mail.messages == []


@pytest.fixture
def limited(app_config):
    app_config.update(
        {
            "RATELIMIT_ENABLED": True,
            "RATELIMIT_INVITATIONS": "3 per hour",
            "RATELIMIT_ACCOUNT_EMAILS": "100 per minute",
        }
    )


def test_every_try_from_a_link_counts_against_the_invitation_limit(
    limited, app, mail, setup, coordinator, new_client, make_user
):
    path = make_link(coordinator, setup)
    for n in range(3):
        make_user(email=f"probe{n}@example.org")
    visitor = new_client()
    answers = [_register(visitor, path, f"probe{n}@example.org").status_code for n in range(3)]
    make_user(email="probe3@example.org")
    answers.append(_register(visitor, path, "probe3@example.org").status_code)
    assert answers == [302, 302, 302, 429]
    assert len(mail.wait_for("probe", count=3)) == 3
    assert not [m for m in mail.messages if "probe3@" in str(m["To"])]
