"""/forgot-password does the same work for an address with an account and one without: the
same SQL statements and the same hashing, so its answer time tells nothing (issue 17, defect 3).
Counted, not timed; bench/account_timing.py measures the times against a real gunicorn."""

from __future__ import annotations

import hashlib

import pytest
from argon2 import PasswordHasher
from sqlalchemy import select

from careteam.audit import AuditEvent
from careteam.extensions import db
from careteam.outbox import OutboxMessage
from careteam.testing import message_text, sql_statements


@pytest.fixture
def hashing_calls(monkeypatch):
    """Count password hashing (argon2, both ways) and SHA-256 (token hashes) as they run."""
    calls = {"argon2": 0, "sha256": 0}

    def counting(kind, real):
        def wrapper(*args, **kwargs):
            calls[kind] += 1
            return real(*args, **kwargs)

        return wrapper

    monkeypatch.setattr(PasswordHasher, "hash", counting("argon2", PasswordHasher.hash))
    monkeypatch.setattr(PasswordHasher, "verify", counting("argon2", PasswordHasher.verify))
    monkeypatch.setattr(hashlib, "sha256", counting("sha256", hashlib.sha256))
    return calls


def _ask(app, client, email: str, hashing_calls) -> tuple[object, list[str], dict[str, int]]:
    token = client.csrf_token("/forgot-password")
    before = dict(hashing_calls)
    with sql_statements(app) as statements:
        response = client.post("/forgot-password", data={"csrf_token": token, "email": email})
    work = {kind: hashing_calls[kind] - before[kind] for kind in hashing_calls}
    return response, list(statements), work


def test_known_and_unknown_addresses_run_the_same_statements_and_hashing(
    app, client, make_user, hashing_calls
):
    user = make_user()
    known, known_sql, known_hashing = _ask(app, client, user.email, hashing_calls)
    unknown, unknown_sql, unknown_hashing = _ask(
        app, client, "nobody-here@example.org", hashing_calls
    )
    assert known.status_code == unknown.status_code == 302
    assert known.headers["Location"] == unknown.headers["Location"]
    # The same statements, in the same order (the SQL text, not just how many).
    assert known_sql == unknown_sql
    assert any(s.lstrip().upper().startswith("INSERT INTO MAIL_OUTBOX") for s in known_sql)
    assert known_hashing == unknown_hashing
    assert known_hashing["sha256"] >= 1


def test_a_switched_off_account_is_answered_with_the_same_work(
    app, client, make_user, hashing_calls
):
    user = make_user()
    with app.app_context():
        from careteam.auth.models import User

        db.session.get(User, user.id).active = False
        db.session.commit()
    off, off_sql, off_hashing = _ask(app, client, user.email, hashing_calls)
    unknown, unknown_sql, unknown_hashing = _ask(
        app, client, "nobody-here@example.org", hashing_calls
    )
    assert off.status_code == unknown.status_code == 302
    assert off_sql == unknown_sql
    assert off_hashing == unknown_hashing


def test_each_address_gets_its_own_email(app, client, make_user, mail):
    user = make_user()
    client.post_form("/forgot-password", {"email": user.email})
    client.post_form("/forgot-password", {"email": "Nobody-Here@example.org"})
    reset = message_text(mail.last_to(user.email))
    assert "/reset-password/" in reset
    notice = message_text(mail.last_to("nobody-here@example.org"))
    assert "no account" in notice and "/reset-password/" not in notice
    with app.app_context():
        actions = db.session.execute(
            select(AuditEvent.action, AuditEvent.object_id).order_by(AuditEvent.id)
        ).all()
        outbox = db.session.execute(
            select(OutboxMessage.recipient, OutboxMessage.sent_at, OutboxMessage.message)
        ).all()
    assert actions == [
        ("account.reset_requested", user.public_id),
        ("account.reset_requested", ""),
    ]
    # Delivered, and the text with its live link is no longer kept.
    assert sorted(row.recipient for row in outbox) == sorted(
        [user.email, "nobody-here@example.org"]
    )
    assert all(row.sent_at is not None and row.message == b"" for row in outbox)
