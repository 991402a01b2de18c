"""The mail outbox: messages are queued with the change that causes them, delivered once, tried
again with a growing delay after a failure, and given up for good after ``MAX_ATTEMPTS``."""

from __future__ import annotations

import socket
from datetime import timedelta
from email import message_from_bytes, policy
from pathlib import Path

import pytest
from sqlalchemy import func, select

from careteam import mail as mail_module
from careteam.db.clock import utcnow
from careteam.extensions import db
from careteam.outbox import OutboxMessage, deliver_due, retry_delay
from careteam.outbox.delivery import LEASE, MAX_ATTEMPTS, _claim
from careteam.testing import deliver_mail, message_text, outbox_rows


def _queue(app, to: str = "ruth@example.org", commit: bool = True) -> None:
    """Queue a message the way a service does, in a request's transaction."""
    with app.test_request_context("/", method="POST"):
        mail_module.send_template(
            to,
            "Reset your CareTeam password",
            "reset_no_account",
            switched_off=False,
            register_url="http://careteam.test/register",
        )
        if commit:
            db.session.commit()
        else:
            db.session.rollback()


def _count(app) -> int:
    with app.app_context():
        return db.session.scalar(select(func.count()).select_from(OutboxMessage))


@pytest.fixture
def closed_port():
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def test_a_rolled_back_action_sends_nothing(app, mail):
    _queue(app, commit=False)
    assert _count(app) == 0
    assert mail.messages == []


def test_a_queued_message_is_delivered_once_when_its_work_is_done(app, mail):
    _queue(app)
    assert message_text(mail.last_to("ruth@example.org"))
    assert outbox_rows(app) == [("ruth@example.org", 1, True, None)]
    assert deliver_mail(app, utcnow() + timedelta(days=1)).sent == 0
    assert len(mail.messages) == 1
    with app.app_context():
        assert db.session.scalar(select(OutboxMessage.message)) == b""  # its link is gone


def test_failures_wait_longer_each_time_then_give_up(app, mail, closed_port):
    app.config["SMTP_PORT"] = closed_port
    _queue(app)
    now = utcnow()
    assert outbox_rows(app) == [("ruth@example.org", 1, False, "ConnectionRefusedError")]
    for attempt in range(2, MAX_ATTEMPTS + 1):
        early = now + retry_delay(attempt - 1) - timedelta(seconds=1)
        assert deliver_mail(app, early).failed == 0  # not due yet
        now += retry_delay(attempt - 1)
        assert deliver_mail(app, now).failed == 1
        assert outbox_rows(app)[0][1] == attempt
    [(_to, attempts, sent, error)] = outbox_rows(app)
    assert (attempts, sent, error) == (MAX_ATTEMPTS, False, "ConnectionRefusedError (gave up)")
    app.config["SMTP_PORT"] = mail.port
    assert deliver_mail(app, now + timedelta(days=30)).sent == 0
    assert mail.messages == []
    assert [retry_delay(n).total_seconds() for n in (1, 2, 3)] == [60, 120, 240]


def test_a_deliverer_that_dies_mid_way_leaves_the_message_due_after_its_lease(
    app, mail, closed_port
):
    app.config["SMTP_PORT"] = closed_port
    _queue(app)
    app.config["SMTP_PORT"] = mail.port
    now = utcnow() + timedelta(minutes=1)
    with app.app_context():
        [message_id] = db.session.scalars(select(OutboxMessage.id)).all()
        db.session.rollback()  # deliverers use their own connections: hold no lock here
        assert _claim(message_id, now) is not None  # ...and this deliverer dies here
        assert _claim(message_id, now) is None  # nobody else takes it meanwhile
        assert deliver_due(now + LEASE - timedelta(seconds=1)).sent == 0
        assert deliver_due(now + LEASE).sent == 1
    assert len(mail.wait_for("ruth@example.org")) == 1


def test_send_mail_command_delivers_what_is_due(app, mail, closed_port):
    app.config["SMTP_PORT"] = closed_port
    _queue(app)
    _queue(app, to="sam@example.org")
    app.config["SMTP_PORT"] = mail.port
    runner = app.test_cli_runner()
    result = runner.invoke(args=["careteam", "send-mail"])
    assert result.exit_code == 0
    assert "Delivered 0 email(s); 0 failed" in result.output  # not due for a minute
    with app.app_context():
        db.session.execute(OutboxMessage.__table__.update().values(next_attempt_at=utcnow()))
        db.session.commit()
    result = runner.invoke(args=["careteam", "send-mail"])
    assert "Delivered 2 email(s); 0 failed" in result.output
    assert {str(m["To"]) for m in mail.messages} == {"ruth@example.org", "sam@example.org"}


def test_without_smtp_the_development_outbox_gets_an_eml_file(app):
    _queue(app)
    [saved] = Path(app.config["MAIL_OUTBOX"]).glob("*.eml")
    message = message_from_bytes(saved.read_bytes(), policy=policy.default)
    assert str(message["To"]) == "ruth@example.org"
    assert "there is no account with it" in message_text(message)
    assert outbox_rows(app) == [("ruth@example.org", 1, True, None)]
