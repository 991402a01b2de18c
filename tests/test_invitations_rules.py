"""Invitation rules: who may invite, what a copied link may grant, single use under a race,
hashed tokens, audit rows without tokens, the care recipient rule, rate limits, mail failure."""

from __future__ import annotations

import socket
import threading
from datetime import timedelta

import pytest
from sqlalchemy import func, select, text

from careteam.audit import AuditEvent
from careteam.auth.models import User
from careteam.circles.models import Circle, Membership
from careteam.circles.testing import build_circle, people_for_every_role
from careteam.db.clock import utcnow
from careteam.extensions import db
from careteam.invitations import service
from careteam.invitations.models import Invitation
from careteam.invitations.testing import (
    invite_path,
    make_invitation,
    make_link,
    manage_url,
    send_invitation,
)
from careteam.permissions import role_has
from careteam.roles import Role
from careteam.testing import (
    TEST_PASSWORD,
    deliver_mail,
    message_text,
    outbox_rows,
    signed_in,
)


@pytest.fixture
def setup(app, make_user):
    return build_circle(app, people_for_every_role(make_user), name="Maya's circle")


def _count(app, model, *where) -> int:
    with app.app_context():
        return db.session.scalar(select(func.count()).select_from(model).where(*where)) or 0


def _members(app, circle_id: int) -> dict[int, str]:
    with app.app_context():
        rows = db.session.execute(
            select(Membership.user_id, Membership.role).where(Membership.circle_id == circle_id)
        )
        return dict(rows.all())


# --- who may invite --------------------------------------------------------------------------


def test_only_roles_that_manage_the_circle_can_invite(app, mail, setup, new_client, make_user):
    outsider = make_user(display_name="Outsider")
    for role in Role:
        client = signed_in(new_client, setup.people[role.value].email)
        with app.app_context():
            may = role_has(role.value, "circle.manage")
        assert client.get(manage_url(setup)).status_code == (200 if may else 403), role
        token = client.csrf_token("/home")
        email_post = client.post(
            manage_url(setup),
            data={"csrf_token": token, "email": f"{role.value}@example.org", "role": "family"},
        )
        link_post = client.post(
            manage_url(setup) + "/link", data={"csrf_token": token, "link_role": "family"}
        )
        assert email_post.status_code == (302 if may else 403), role
        assert link_post.status_code == (200 if may else 403), role
    assert _count(app, Invitation, Invitation.kind == "email") == 2
    assert _count(app, Invitation, Invitation.kind == "link") == 2
    assert sorted(str(m["To"]) for m in mail.messages) == [
        "care_recipient@example.org",
        "coordinator@example.org",
    ]

    stranger = signed_in(new_client, outsider.email)
    assert stranger.get(manage_url(setup)).status_code == 404
    response = stranger.post_form(
        manage_url(setup), {"email": "x@example.org", "role": "family"}, page="/home"
    )
    assert response.status_code == 404
    invitation_id = make_invitation(app, setup.id, setup.people["coordinator"].id)[0]
    for action in ("revoke", "approve", "decline"):
        url = manage_url(setup) + f"/{invitation_id}/{action}"
        assert stranger.post_form(url, {}, page="/home").status_code == 404
        family = signed_in(new_client, setup.people["family"].email)
        assert family.post_form(url, {}, page="/home").status_code == 403
    assert _count(app, Invitation, Invitation.revoked_at.is_not(None)) == 0


# --- what a copied link may grant ------------------------------------------------------------


@pytest.mark.parametrize("role", ["coordinator", "care_recipient", "admin", ""])
def test_copied_link_cannot_grant_a_managing_role(app, setup, new_client, role):
    coordinator = signed_in(new_client, setup.people["coordinator"].email)
    page = coordinator.get(manage_url(setup)).get_data(as_text=True)
    link_select = page[page.index('name="link_role"') :].split("</select>")[0]
    assert 'value="coordinator"' not in link_select
    assert 'value="care_recipient"' not in link_select
    assert 'value="family"' in link_select

    # A hand-made POST meets the same rule in the service.
    response = coordinator.post_form(manage_url(setup) + "/link", {"link_role": role})
    assert response.status_code == 422
    assert 'id="link_role-errors"' in response.get_data(as_text=True)
    assert _count(app, Invitation) == 0
    assert _count(app, AuditEvent, AuditEvent.action.like("invitation.%")) == 0


def test_service_refuses_managing_roles_for_links(app, setup):
    with app.test_request_context():
        circle = db.session.get(Circle, setup.id)
        inviter = db.session.get(User, setup.people["coordinator"].id)
        for role in ("coordinator", "care_recipient"):
            with pytest.raises(service.InvitationError):
                service.create_link(circle, inviter, role=role)
        db.session.rollback()
    assert {r.value for r in service_link_roles(app)} == {
        "family",
        "caregiver",
        "therapist",
        "supporter",
    }


def service_link_roles(app):
    with app.app_context():
        return service.link_roles()


def test_care_recipient_can_be_invited_only_while_the_circle_has_none(
    app, mail, new_client, make_user
):
    people = people_for_every_role(make_user)
    del people["care_recipient"]
    setup = build_circle(app, people, name="Joe's circle")
    coordinator = signed_in(new_client, setup.people["coordinator"].email)
    assert 'value="care_recipient"' in coordinator.get(manage_url(setup)).get_data(as_text=True)
    for address in ("joe@example.org", "joe.other@example.org"):
        assert send_invitation(coordinator, setup, address, "care_recipient").status_code == 302
    make_user(email="joe@example.org")
    make_user(email="joe.other@example.org")
    joe = signed_in(new_client, "joe@example.org")
    first = invite_path(mail.last_to("joe@example.org"))
    assert joe.post_form(first + "/accept", {}, page=first).status_code == 302

    # The second care-recipient invitation can no longer be used, nor sent again.
    other = signed_in(new_client, "joe.other@example.org")
    second = invite_path(mail.last_to("joe.other@example.org"))
    response = other.post_form(second + "/accept", {}, page=second)
    assert response.status_code == 409
    assert "already has a care recipient" in response.get_data(as_text=True)
    assert _count(app, Membership, Membership.role == "care_recipient") == 1
    page = coordinator.get(manage_url(setup)).get_data(as_text=True)
    assert 'value="care_recipient"' not in page
    response = send_invitation(coordinator, setup, "third@example.org", "care_recipient")
    assert response.status_code == 422
    assert "already has a care recipient" in response.get_data(as_text=True)


def test_email_invitations_refuse_members_duplicates_and_unknown_roles(
    app, mail, setup, new_client
):
    coordinator = signed_in(new_client, setup.people["coordinator"].email)
    member_email = setup.people["family"].email
    response = send_invitation(coordinator, setup, member_email.upper())
    assert response.status_code == 422
    assert "already in the circle" in response.get_data(as_text=True)
    assert send_invitation(coordinator, setup, "dup@example.org").status_code == 302
    response = send_invitation(coordinator, setup, "DUP@example.org")
    assert response.status_code == 422
    assert "already has an invitation waiting" in response.get_data(as_text=True)
    response = send_invitation(coordinator, setup, "new@example.org", "site_admin")
    assert response.status_code == 422
    response = send_invitation(coordinator, setup, "new@example.org", "family", "x" * 1001)
    assert response.status_code == 422
    assert 'id="message-errors"' in response.get_data(as_text=True)
    assert _count(app, Invitation) == 1
    assert len(mail.messages) == 1


# --- single use under a race -----------------------------------------------------------------


def test_two_people_racing_for_one_link_make_one_member(app, setup, new_client, make_user):
    coordinator = signed_in(new_client, setup.people["coordinator"].email)
    path = make_link(coordinator, setup, "supporter")
    racers = [make_user(display_name=f"Racer {n}") for n in range(2)]
    clients = [signed_in(new_client, racer.email) for racer in racers]
    tokens = [client.csrf_token(path) for client in clients]
    barrier = threading.Barrier(len(clients))
    statuses: list[int] = []

    def accept(client, token):
        barrier.wait()
        statuses.append(client.post(path + "/accept", data={"csrf_token": token}).status_code)

    threads = [
        threading.Thread(target=accept, args=pair) for pair in zip(clients, tokens, strict=True)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    assert sorted(statuses) == [302, 404]
    members = _members(app, setup.id)
    joined = [racer.id for racer in racers if racer.id in members]
    assert len(joined) == 1
    with app.app_context():
        invitation = db.session.scalar(select(Invitation))
        assert invitation.accepted_by_id == joined[0]
    assert _count(app, AuditEvent, AuditEvent.action == "invitation.accepted") == 1


def test_racing_registrations_from_one_link_make_one_account(app, setup, new_client):
    coordinator = signed_in(new_client, setup.people["coordinator"].email)
    path = make_link(coordinator, setup)
    clients = [new_client() for _ in range(2)]
    tokens = [client.csrf_token(path + "/register") for client in clients]
    barrier = threading.Barrier(2)
    statuses: list[int] = []

    def register(n, client, token):
        barrier.wait()
        data = {
            "csrf_token": token,
            "display_name": f"Racer {n}",
            "email": f"racer{n}@example.org",
            "password": TEST_PASSWORD,
        }
        statuses.append(client.post(path + "/register", data=data).status_code)

    threads = [
        threading.Thread(target=register, args=(n, c, t))
        for n, (c, t) in enumerate(zip(clients, tokens, strict=True))
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    assert sorted(statuses) == [302, 404]
    assert _count(app, User, User.email.like("racer%")) == 1
    assert _count(app, Membership, Membership.circle_id == setup.id) == 7


# --- tokens and audit ------------------------------------------------------------------------


def test_tokens_are_stored_hashed_and_never_audited(app, mail, setup, new_client, make_user):
    coordinator = signed_in(new_client, setup.people["coordinator"].email)
    make_user(email="claimant@example.org", display_name="Claimant")
    send_invitation(coordinator, setup, "invited@example.org", "family", "Welcome")
    mailed = invite_path(mail.last_to("invited@example.org"))
    copied = make_link(coordinator, setup, "caregiver")
    revoked = make_link(coordinator, setup, "supporter")
    raw_tokens = [p.rsplit("/", 1)[-1] for p in (mailed, copied, revoked)]

    claimant = signed_in(new_client, "claimant@example.org")
    claimant.post_form(mailed + "/claim", {}, page=mailed)
    coordinator.post_form(
        manage_url(setup) + f"/{_public_id(app, 'email')}/approve", {}, page=manage_url(setup)
    )
    newcomer = new_client()
    newcomer.post_form(
        copied + "/register",
        {"display_name": "New", "email": "new@example.org", "password": TEST_PASSWORD},
    )
    revoked_id = _public_id(app, "link", role="supporter")
    coordinator.post_form(manage_url(setup) + f"/{revoked_id}/revoke", {}, page=manage_url(setup))
    # Another email invitation, claimed and declined, completes the set of events.
    send_invitation(coordinator, setup, "second@example.org")
    second = invite_path(mail.last_to("second@example.org"))
    raw_tokens.append(second.rsplit("/", 1)[-1])
    make_user(email="claimant2@example.org")
    other = signed_in(new_client, "claimant2@example.org")
    other.post_form(second + "/claim", {}, page=second)
    coordinator.post_form(
        manage_url(setup) + f"/{_public_id(app, 'email', email='second@example.org')}/decline",
        {},
        page=manage_url(setup),
    )

    with app.app_context():
        actions = set(
            db.session.scalars(
                select(AuditEvent.action).where(AuditEvent.action.like("invitation.%"))
            )
        )
        assert actions == {
            "invitation.created",
            "invitation.sent",
            "invitation.revoked",
            "invitation.accepted",
            "invitation.claimed",
            "invitation.approved",
            "invitation.declined",
        }
        audit_text = repr(
            db.session.execute(
                select(AuditEvent.object_id, AuditEvent.details, AuditEvent.request_id)
            ).all()
        )
        hashes = list(db.session.scalars(select(Invitation.token_hash)))
        dump = _dump_table(Invitation.__tablename__)
    for raw in raw_tokens:
        assert raw not in audit_text
        assert raw not in dump
        assert raw not in hashes
    from careteam.db.tokens import token_hash

    assert {token_hash(raw) for raw in raw_tokens} == set(hashes)
    assert "Welcome" not in audit_text  # the personal message is not audited either


def _public_id(app, kind: str, **where) -> str:
    with app.app_context():
        stmt = select(Invitation.public_id).where(Invitation.kind == kind)
        for name, value in where.items():
            stmt = stmt.where(getattr(Invitation, name) == value)
        return db.session.scalar(stmt.order_by(Invitation.id))


def _dump_table(name: str) -> str:
    rows = db.session.execute(
        text(f"SELECT * FROM {name}")
    ).all()  # a model's table name, not input
    return repr(rows)


# --- rate limit and mail failure -------------------------------------------------------------


@pytest.fixture
def limited(app_config):
    app_config.update({"RATELIMIT_ENABLED": True, "RATELIMIT_INVITATIONS": "3 per hour"})


def test_sending_invitations_is_rate_limited_per_person(limited, app, setup, new_client):
    coordinator = signed_in(new_client, setup.people["coordinator"].email)
    answers = [
        send_invitation(coordinator, setup, "a@example.org").status_code,
        coordinator.post_form(manage_url(setup) + "/link", {"link_role": "family"}).status_code,
        send_invitation(coordinator, setup, "b@example.org").status_code,
        send_invitation(coordinator, setup, "c@example.org").status_code,
        coordinator.post_form(manage_url(setup) + "/link", {"link_role": "family"}).status_code,
    ]
    assert answers == [302, 200, 302, 429, 429]
    assert _count(app, Invitation) == 3
    # The limit is per person: the care recipient still can.
    recipient = signed_in(new_client, setup.people["care_recipient"].email)
    assert send_invitation(recipient, setup, "d@example.org").status_code == 302


def test_an_smtp_outage_keeps_the_invitation_and_its_email_waits(app, mail, setup, new_client):
    """The invitation is saved with its email queued; the outbox delivers it once the mail
    server is back (``careteam send-mail``)."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        closed_port = probe.getsockname()[1]
    app.config["SMTP_PORT"] = closed_port  # nothing listens once the probe is closed
    coordinator = signed_in(new_client, setup.people["coordinator"].email)
    response = send_invitation(coordinator, setup, "lost@example.org", "family", "Hello")
    assert response.status_code == 302
    assert _count(app, Invitation) == 1
    assert _count(app, AuditEvent, AuditEvent.action == "invitation.sent") == 1
    assert outbox_rows(app) == [("lost@example.org", 1, False, "ConnectionRefusedError")]
    app.config["SMTP_PORT"] = mail.port
    assert deliver_mail(app, utcnow() + timedelta(minutes=1)).sent == 1
    assert "/invite/" in message_text(mail.last_to("lost@example.org"))
